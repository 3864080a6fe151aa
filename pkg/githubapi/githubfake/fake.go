package githubfake

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// Options configures a fake. The zero value is a writable repository
// org/timetracker with default branch main and one initial commit.
type Options struct {
	Owner, Repo   string // default org, timetracker
	DefaultBranch string // default main
	// Token, when set, is required on every request (401 otherwise).
	Token string
	// ReadOnly answers every write with GitHub's 403 "Resource not
	// accessible by integration", as for a token without contents: write.
	ReadOnly bool
	// RateLimit is the hourly request budget (default 1000, GITHUB_TOKEN's);
	// past it, requests answer the primary limit.
	RateLimit int
	// OmitDigest leaves the digest field out of assets, as older GitHub
	// Enterprise Server versions do.
	OmitDigest bool
	// Now is the clock for timestamps and rate-limit resets.
	Now func() time.Time
	// App, when set, is a GitHub App installed on the repository that mints
	// installation tokens (apptoken.go).
	App *App
}

// Person is a commit author.
type Person struct {
	Name, Email, Login string
}

type commit struct {
	sha     string
	message string
	author  Person
	date    time.Time
	parents []string
	seq     int
}

type asset struct {
	id          int64
	name, label string
	contentType string
	state       string
	data        []byte
	digest      string
	created     time.Time
	updated     time.Time
}

type release struct {
	id                 int64
	tag, target        string
	name, body         string
	draft, prerelease  bool
	created, published time.Time
	assets             []*asset
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	opts Options

	mu          sync.Mutex
	commits     map[string]*commit
	refs        map[string]string // full ref name → sha
	releases    []*release        // ascending id
	deployments []*deployment     // ascending id
	runs        []WorkflowRun     // in the order seeded (oldest first)
	artifacts   []*artifact       // ascending id
	latestID    int64
	nextID      int64
	seq         int
	faults      []*Fault
	log         []Request
	used        int
	windowAt    time.Time
	minted      map[string]map[string]string // installation token → permissions
	reviews     *reviewState                 // pull requests, comments, check runs (reviews.go)

	// URL is the server's root (set by Start and ListenAndServe).
	URL string
}

// New returns a fake that is not listening; serve its Handler.
func New(opts Options) *Server {
	if opts.Owner == "" {
		opts.Owner = "org"
	}
	if opts.Repo == "" {
		opts.Repo = "timetracker"
	}
	if opts.DefaultBranch == "" {
		opts.DefaultBranch = "main"
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, commits: map[string]*commit{}, refs: map[string]string{}, nextID: 1000}
	s.Commit(opts.DefaultBranch, "Initial commit", Person{Name: "Octo Cat", Email: "octocat@users.noreply.github.com", Login: "octocat"})
	return s
}

// TB is the part of testing.TB that Start needs (kept small so the package
// does not import testing into binaries).
type TB interface {
	Helper()
	Cleanup(func())
}

// Start serves a new fake on a local port until the test ends.
func Start(tb TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// APIURL is the REST base to give clients (GITHUB_API_URL).
func (s *Server) APIURL() string { return s.URL + "/api/v3" }

// UploadURL is the uploads base a client should derive from APIURL.
func (s *Server) UploadURL() string { return s.URL + "/api/uploads/" }

// Owner and Repo name the fake's repository.
func (s *Server) Owner() string { return s.opts.Owner }

// Repo is the repository name.
func (s *Server) Repo() string { return s.opts.Repo }

// Commit adds a commit on branch (created when missing) whose parents are
// the given ones, or the branch head when none are given, and returns its sha.
func (s *Server) Commit(branch, message string, author Person, parents ...string) string {
	return s.CommitAt(branch, message, author, time.Time{}, parents...)
}

// CommitAt is Commit with the commit's date (zero: one minute after the
// previous commit's synthetic date), for histories whose times matter.
func (s *Server) CommitAt(branch, message string, author Person, date time.Time, parents ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := "refs/heads/" + branch
	if len(parents) == 0 {
		if head, ok := s.refs[ref]; ok {
			parents = []string{head}
		}
	}
	s.seq++
	h := sha1.Sum([]byte(fmt.Sprintf("%d\x00%s\x00%s\x00%v", s.seq, message, author.Email, parents)))
	c := &commit{sha: hex.EncodeToString(h[:]), message: message, author: author, parents: parents, seq: s.seq,
		date: date}
	if date.IsZero() {
		c.date = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.seq) * time.Minute)
	}
	s.commits[c.sha] = c
	s.refs[ref] = c.sha
	return c.sha
}

// SetRef points a full ref (refs/tags/v1, refs/heads/main) at sha.
func (s *Server) SetRef(ref, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs[ref] = sha
}

// Ref returns the sha a full ref points at.
func (s *Server) Ref(ref string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sha, ok := s.refs[ref]
	return sha, ok
}

// Head returns the sha of the default branch.
func (s *Server) Head() string {
	sha, _ := s.Ref("refs/heads/" + s.opts.DefaultBranch)
	return sha
}

// Asset is a snapshot of a release asset.
type Asset struct {
	ID          int64
	Name, Label string
	ContentType string
	State       string
	Size        int
	SHA256      string // hex
}

// Release is a snapshot of a release.
type Release struct {
	ID                int64
	Tag, Target       string
	Name, Body        string
	Draft, Prerelease bool
	Latest            bool
	Assets            []Asset
}

// Releases returns every release, drafts included, in creation order.
func (s *Server) Releases() []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Release, 0, len(s.releases))
	for _, r := range s.releases {
		rel := Release{ID: r.id, Tag: r.tag, Target: r.target, Name: r.name, Body: r.body, Draft: r.draft, Prerelease: r.prerelease, Latest: r.id == s.latestID}
		for _, a := range r.assets {
			rel.Assets = append(rel.Assets, Asset{ID: a.id, Name: a.name, Label: a.label, ContentType: a.contentType, State: a.state, Size: len(a.data), SHA256: strings.TrimPrefix(a.digest, "sha256:")})
		}
		out = append(out, rel)
	}
	return out
}

// AssetData returns the bytes stored for an asset.
func (s *Server) AssetData(id int64) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.releases {
		for _, a := range r.assets {
			if a.id == id {
				return append([]byte(nil), a.data...), true
			}
		}
	}
	return nil, false
}

// Request is one logged request.
type Request struct {
	Method string
	Path   string // after the /api/v3 or /api/uploads prefix
	Upload bool   // served on the uploads path
	Status int    // 0 when the connection was closed without an answer
	Fault  string // the injected fault, if any
}

// Requests returns the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Count returns how many logged requests have the method ("" for any) and a
// path containing pathPart.
func (s *Server) Count(method, pathPart string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, pathPart) {
			n++
		}
	}
	return n
}

// ---- plumbing ----

type reqCtx struct {
	w      http.ResponseWriter
	r      *http.Request
	root   string // scheme://host
	prefix string // "/api/v3" or ""
	path   string // after the prefix
	upload bool
	status int
}

func (c *reqCtx) apiBase() string { return c.root + c.prefix }
func (c *reqCtx) uploadBase() string {
	return c.root + "/api/uploads"
}
func (c *reqCtx) repoAPI(s *Server) string {
	return c.apiBase() + "/repos/" + s.opts.Owner + "/" + s.opts.Repo
}
func (c *reqCtx) html(s *Server) string { return c.root + "/" + s.opts.Owner + "/" + s.opts.Repo }

func (c *reqCtx) json(status int, v any) {
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(status)
	c.status = status
	if v != nil {
		_ = json.NewEncoder(c.w).Encode(v)
	}
}

func (c *reqCtx) noContent() {
	c.w.WriteHeader(http.StatusNoContent)
	c.status = http.StatusNoContent
}

type apiError struct {
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
	DocURL  string       `json:"documentation_url,omitempty"`
	Status  string       `json:"status,omitempty"`
}

// fieldError is one entry of a 422's errors list. GitHub leaves out the keys
// it has nothing for (go-github's Error type would write "message":"").
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code,omitempty"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
}

func (c *reqCtx) fail(status int, message, doc string, errs ...github.Error) {
	if doc == "" {
		doc = "https://docs.github.com/rest"
	}
	out := apiError{Message: message, DocURL: doc, Status: strconv.Itoa(status)}
	for _, e := range errs {
		out.Errors = append(out.Errors, fieldError{Resource: e.Resource, Code: e.Code, Field: e.Field, Message: e.Message})
	}
	c.json(status, out)
}

func (c *reqCtx) notFound() { c.fail(http.StatusNotFound, "Not Found", "") }

func (c *reqCtx) invalid(doc string, errs ...github.Error) {
	c.fail(http.StatusUnprocessableEntity, "Validation Failed", doc, errs...)
}

func (c *reqCtx) decode(v any) bool {
	if err := json.NewDecoder(c.r.Body).Decode(v); err != nil {
		c.fail(http.StatusBadRequest, "Problems parsing JSON", "")
		return false
	}
	return true
}

// paginate writes the page of items the query asks for, with GitHub's Link header.
func paginate[T any](c *reqCtx, items []T) {
	q := c.r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	if per > 100 {
		per = 100
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	last := (len(items) + per - 1) / per
	if last == 0 {
		last = 1
	}
	link := func(p int, rel string) string {
		q2 := c.r.URL.Query()
		q2.Set("page", strconv.Itoa(p))
		q2.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<%s%s%s?%s>; rel="%s"`, c.root, c.prefix, c.path, q2.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo := (page - 1) * per
	hi := lo + per
	if lo > len(items) {
		lo = len(items)
	}
	if hi > len(items) {
		hi = len(items)
	}
	c.json(http.StatusOK, items[lo:hi])
}

func ptr[T any](v T) *T { return &v }

package githubfake

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Handler serves the API under /api/v3 (and at the root), uploads under
// /api/uploads, and asset downloads at the browser_download_url paths.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	c := &reqCtx{w: w, r: r, root: "http://" + r.Host}
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/api/uploads/"):
		c.prefix, c.path, c.upload = "/api/uploads", strings.TrimPrefix(p, "/api/uploads"), true
	case strings.HasPrefix(p, "/api/v3/"):
		c.prefix, c.path = "/api/v3", strings.TrimPrefix(p, "/api/v3")
	default:
		c.path = p
	}
	// Read upload bodies before taking the lock: they can be large and slow.
	var body []byte
	if c.upload && r.Method == http.MethodPost {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return // the client went away
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	entry := Request{Method: r.Method, Path: c.path, Upload: c.upload}
	defer func() {
		entry.Status = c.status
		s.log = append(s.log, entry)
	}()

	// Downloads are exempt, as GitHub's signed download URLs are.
	if s.opts.Token != "" && !isDownload(c) && !isArtifactBlob(c) && !isAppRoute(c) {
		auth := r.Header.Get("Authorization")
		minted := s.mintedToken(strings.TrimPrefix(strings.TrimPrefix(auth, "Bearer "), "token "))
		if auth != "Bearer "+s.opts.Token && auth != "token "+s.opts.Token && !minted {
			c.fail(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
			return
		}
	}
	if !s.rateHeaders(c) {
		return
	}
	f := s.takeFault(c)
	if f != nil {
		entry.Fault = f.Kind.String()
		switch f.Kind {
		case ServerError:
			status := f.Status
			if status == 0 {
				status = http.StatusBadGateway
			}
			c.fail(status, "Server Error", "")
			return
		case SecondaryLimit, PrimaryLimit:
			s.answerLimit(c, f)
			return
		case ConnectionReset:
			hangUp(w)
			return
		case LostResponse:
			rec := httptest.NewRecorder()
			c.w = rec
			s.route(c, body)
			hangUp(w)
			c.status = 0
			return
		case Delay:
			s.mu.Unlock()
			select {
			case <-time.After(f.Delay):
			case <-f.Until:
			}
			s.mu.Lock()
		case Hold:
			wait := f.Delay
			if wait <= 0 {
				wait = 5 * time.Second
			}
			s.mu.Unlock()
			select {
			case <-f.gate:
			case <-time.After(wait):
			}
			s.mu.Lock()
		case StarterAsset:
			if s.uploadStarter(c) {
				c.fail(http.StatusBadGateway, "Server Error", "")
				return
			}
		}
	}
	s.route(c, body)
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // HTTP/2: net/http resets the stream
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = buf.Flush()
	conn.Close()
}

// rateHeaders sets the x-ratelimit-* headers and answers the primary limit
// once the hourly budget is spent. Called with mu held.
func (s *Server) rateHeaders(c *reqCtx) bool {
	now := s.opts.Now()
	if s.windowAt.IsZero() || now.Sub(s.windowAt) >= time.Hour {
		s.windowAt, s.used = now, 0
	}
	s.used++
	h := c.w.Header()
	remaining := s.opts.RateLimit - s.used
	if remaining < 0 {
		remaining = 0
	}
	h.Set("X-Ratelimit-Limit", fmt.Sprint(s.opts.RateLimit))
	h.Set("X-Ratelimit-Remaining", fmt.Sprint(remaining))
	h.Set("X-Ratelimit-Used", fmt.Sprint(min(s.used, s.opts.RateLimit)))
	h.Set("X-Ratelimit-Reset", fmt.Sprint(s.windowAt.Add(time.Hour).Unix()))
	h.Set("X-Ratelimit-Resource", "core")
	h.Set("X-Github-Api-Version-Selected", "2022-11-28")
	if s.used > s.opts.RateLimit {
		c.fail(http.StatusForbidden, "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
		return false
	}
	return true
}

const permissionDoc = "https://docs.github.com/rest/releases/releases#create-a-release"

func (s *Server) route(c *reqCtx, body []byte) {
	m := c.r.Method
	if s.opts.ReadOnly && m != http.MethodGet && m != http.MethodHead {
		c.fail(http.StatusForbidden, "Resource not accessible by integration", permissionDoc)
		return
	}
	if s.routeApp(c) {
		return
	}
	seg := strings.Split(strings.Trim(c.path, "/"), "/")
	if isDownload(c) {
		s.download(c, seg[4], seg[5])
		return
	}
	if isArtifactBlob(c) {
		s.artifactBlob(c)
		return
	}
	if len(seg) < 3 || seg[0] != "repos" || seg[1] != s.opts.Owner || seg[2] != s.opts.Repo {
		c.notFound()
		return
	}
	rest := seg[3:]
	if c.upload {
		// POST /repos/{o}/{r}/releases/{id}/assets
		if m == http.MethodPost && len(rest) == 3 && rest[0] == "releases" && rest[2] == "assets" {
			s.uploadAsset(c, rest[1], body)
			return
		}
		c.notFound()
		return
	}
	at := func(n int, parts ...string) bool {
		if len(rest) != n {
			return false
		}
		for i, p := range parts {
			if p != "*" && rest[i] != p {
				return false
			}
		}
		return true
	}
	if s.routeDeployments(c, rest) || s.routeArtifacts(c, rest) || s.routeRepoArtifacts(c, rest) {
		return
	}
	switch {
	case len(rest) == 0 && m == http.MethodGet:
		s.getRepo(c)
	case at(1, "tags") && m == http.MethodGet:
		s.listTags(c)
	case len(rest) >= 3 && rest[0] == "git" && (rest[1] == "ref" || rest[1] == "refs") && m == http.MethodGet:
		s.getRef(c, strings.Join(rest[2:], "/"))
	case len(rest) >= 3 && rest[0] == "git" && rest[1] == "matching-refs" && m == http.MethodGet:
		s.matchingRefs(c, strings.Join(rest[2:], "/"))
	case at(2, "git", "refs") && m == http.MethodPost:
		s.createRef(c)
	case len(rest) >= 3 && rest[0] == "git" && rest[1] == "refs" && m == http.MethodPatch:
		s.updateRef(c, strings.Join(rest[2:], "/"))
	case len(rest) >= 3 && rest[0] == "git" && rest[1] == "refs" && m == http.MethodDelete:
		s.deleteRef(c, strings.Join(rest[2:], "/"))
	case at(1, "commits") && m == http.MethodGet:
		s.listCommits(c)
	case at(2, "commits", "*") && m == http.MethodGet:
		s.getCommit(c, rest[1])
	case len(rest) >= 2 && rest[0] == "compare" && m == http.MethodGet:
		s.compare(c, strings.Join(rest[1:], "/"))
	case at(1, "releases") && m == http.MethodGet:
		s.listReleases(c)
	case at(1, "releases") && m == http.MethodPost:
		s.createRelease(c)
	case at(2, "releases", "generate-notes") && m == http.MethodPost:
		s.generateNotes(c)
	case at(2, "releases", "latest") && m == http.MethodGet:
		s.latestRelease(c)
	case len(rest) >= 3 && rest[0] == "releases" && rest[1] == "tags" && m == http.MethodGet:
		s.releaseByTag(c, strings.Join(rest[2:], "/"))
	case at(3, "releases", "assets", "*"):
		s.assetByID(c, rest[2])
	case at(3, "releases", "*", "assets") && m == http.MethodGet:
		s.listAssets(c, rest[1])
	case at(2, "releases", "*"):
		s.releaseByID(c, rest[1])
	case s.routeReviews(c, rest):
	default:
		c.notFound()
	}
}

// isDownload reports a browser_download_url path:
// /{owner}/{repo}/releases/download/{tag}/{name}.
func isDownload(c *reqCtx) bool {
	seg := strings.Split(strings.Trim(c.path, "/"), "/")
	return !c.upload && c.prefix == "" && len(seg) == 6 && seg[2] == "releases" && seg[3] == "download"
}

func (s *Server) download(c *reqCtx, tag, name string) {
	for _, r := range s.releases {
		if r.tag != tag && fmt.Sprintf("untagged-%d", r.id) != tag {
			continue
		}
		for _, a := range r.assets {
			if a.name == name && a.state == "uploaded" {
				c.w.Header().Set("Content-Type", "application/octet-stream")
				c.w.WriteHeader(http.StatusOK)
				c.status = http.StatusOK
				_, _ = io.Copy(c.w, bytes.NewReader(a.data))
				return
			}
		}
	}
	c.notFound()
}

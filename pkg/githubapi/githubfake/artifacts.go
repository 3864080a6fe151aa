package githubfake

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Workflow run artifacts, as GitHub documents them
// (https://docs.github.com/rest/actions/artifacts). What the fake keeps:
//   - GET /repos/{o}/{r}/actions/artifacts and
//     GET /repos/{o}/{r}/actions/runs/{run_id}/artifacts answer
//     {total_count, artifacts}, newest first, paginated (per_page at most
//     100), with an optional exact name filter;
//   - GET /repos/{o}/{r}/actions/artifacts/{id}/{archive_format}: the
//     format must be zip (404 otherwise); an expired artifact answers 410;
//     otherwise 302 with a Location to a signed storage URL that expires
//     after one minute, on another path of the fake (GitHub's is another
//     host). The storage URL needs no token; the fake refuses one that
//     carries an Authorization header (400), so a client that forwards the
//     API token to storage fails its tests.

const artifactsDoc = "https://docs.github.com/rest/actions/artifacts#download-an-artifact"

// blobPrefix is where the fake serves artifact archives, outside the API.
const blobPrefix = "/_blobs/artifacts/"

type artifact struct {
	id, runID int64
	name      string
	zip       []byte
	sig       string
	created   time.Time
	expired   bool
}

// AddArtifact seeds an artifact of run runID holding files (zipped as
// upload-artifact does) and returns its id.
func (s *Server) AddArtifact(runID int64, name string, files map[string][]byte, created time.Time, expired bool) int64 {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err == nil {
			_, err = w.Write(files[n])
		}
		if err != nil {
			panic(err) // writing to memory does not fail
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return s.AddArtifactZip(runID, name, buf.Bytes(), created, expired)
}

// AddArtifactZip seeds an artifact whose archive is data as given (for
// tests of malformed or oversized archives).
func (s *Server) AddArtifactZip(runID int64, name string, data []byte, created time.Time, expired bool) int64 {
	sig := make([]byte, 8)
	_, _ = rand.Read(sig)
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &artifact{id: s.newID(), runID: runID, name: name, zip: data, sig: hex.EncodeToString(sig), created: created, expired: expired}
	s.artifacts = append(s.artifacts, a)
	return a.id
}

// routeArtifacts serves the artifact endpoints; false when the request is
// not one of them. Called with mu held.
func (s *Server) routeArtifacts(c *reqCtx, rest []string) bool {
	if c.r.Method != http.MethodGet || len(rest) < 3 || rest[0] != "actions" {
		return false
	}
	switch {
	case len(rest) == 4 && rest[1] == "runs" && rest[3] == "artifacts":
		id, err := strconv.ParseInt(rest[2], 10, 64)
		if err != nil || !s.hasRun(id) {
			c.notFound()
			return true
		}
		s.listArtifacts(c, id)
	case len(rest) == 4 && rest[1] == "artifacts":
		s.downloadArtifact(c, rest[2], rest[3])
	default:
		return false
	}
	return true
}

// routeRepoArtifacts serves GET /repos/{o}/{r}/actions/artifacts.
func (s *Server) routeRepoArtifacts(c *reqCtx, rest []string) bool {
	if c.r.Method != http.MethodGet || len(rest) != 2 || rest[0] != "actions" || rest[1] != "artifacts" {
		return false
	}
	s.listArtifacts(c, 0)
	return true
}

func (s *Server) hasRun(id int64) bool {
	for _, r := range s.runs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// listArtifacts lists run's artifacts (every run's for 0), newest first.
func (s *Server) listArtifacts(c *reqCtx, run int64) {
	name := c.r.URL.Query().Get("name")
	var out []*github.Artifact
	for i := len(s.artifacts) - 1; i >= 0; i-- {
		a := s.artifacts[i]
		if (run != 0 && a.runID != run) || (name != "" && a.name != name) {
			continue
		}
		out = append(out, s.artifactJSON(c, a))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].GetCreatedAt().After(out[j].GetCreatedAt().Time) })
	page := paginateWrapped(c, out)
	c.json(http.StatusOK, map[string]any{"total_count": len(out), "artifacts": page})
}

func (s *Server) artifactJSON(c *reqCtx, a *artifact) *github.Artifact {
	self := c.repoAPI(s) + "/actions/artifacts/" + strconv.FormatInt(a.id, 10)
	wr := &github.ArtifactWorkflowRun{ID: ptr(a.runID)}
	for _, r := range s.runs {
		if r.ID == a.runID {
			wr.HeadBranch, wr.HeadSHA = ptr(r.Branch), ptr(r.SHA)
		}
	}
	return &github.Artifact{ID: ptr(a.id), NodeID: ptr("MDg6QXJ0aWZhY3Q" + strconv.FormatInt(a.id, 10)), Name: ptr(a.name),
		SizeInBytes: ptr(int64(len(a.zip))), URL: ptr(self), ArchiveDownloadURL: ptr(self + "/zip"), Expired: ptr(a.expired),
		CreatedAt: &github.Timestamp{Time: a.created}, UpdatedAt: &github.Timestamp{Time: a.created},
		ExpiresAt: &github.Timestamp{Time: a.created.AddDate(0, 0, 90)}, WorkflowRun: wr}
}

func (s *Server) findArtifact(idText string) *artifact {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	for _, a := range s.artifacts {
		if a.id == id {
			return a
		}
	}
	return nil
}

func (s *Server) downloadArtifact(c *reqCtx, idText, format string) {
	a := s.findArtifact(idText)
	if a == nil || format != "zip" {
		c.notFound()
		return
	}
	if a.expired {
		c.fail(http.StatusGone, "Artifact has expired", artifactsDoc)
		return
	}
	exp := s.opts.Now().Add(time.Minute).Unix()
	loc := c.root + blobPrefix + strconv.FormatInt(a.id, 10) + ".zip?sig=" + a.sig + "&se=" + strconv.FormatInt(exp, 10)
	c.w.Header().Set("Location", loc)
	c.status = http.StatusFound
	c.w.WriteHeader(http.StatusFound)
}

// isArtifactBlob reports a storage URL the zip endpoint redirects to.
func isArtifactBlob(c *reqCtx) bool {
	return !c.upload && c.prefix == "" && strings.HasPrefix(c.path, blobPrefix)
}

// artifactBlob serves an archive at its signed storage URL.
func (s *Server) artifactBlob(c *reqCtx) {
	q := c.r.URL.Query()
	a := s.findArtifact(strings.TrimSuffix(strings.TrimPrefix(c.path, blobPrefix), ".zip"))
	exp, _ := strconv.ParseInt(q.Get("se"), 10, 64)
	switch {
	case c.r.Header.Get("Authorization") != "":
		c.fail(http.StatusBadRequest, "the storage URL is signed: send no Authorization header", artifactsDoc)
	case a == nil || q.Get("sig") != a.sig:
		c.fail(http.StatusForbidden, "signature mismatch", artifactsDoc)
	case s.opts.Now().Unix() > exp:
		c.fail(http.StatusForbidden, "the download URL has expired", artifactsDoc)
	default:
		c.w.Header().Set("Content-Type", "application/zip")
		c.w.Header().Set("Content-Length", strconv.Itoa(len(a.zip)))
		c.status = http.StatusOK
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write(a.zip)
	}
}

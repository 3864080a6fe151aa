package metrics

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
)

// The test reports: the CI workflow's Report job uploads test-report.json
// as the artifact test-report-<run attempt>. One run's report gives the
// test count, the coverage and the flaky tests of that run.

// ReportArtifact is the artifact name prefix; the run attempt follows.
const ReportArtifact = "test-report-"

// ReportFile is the file read from the artifact.
const ReportFile = "test-report.json"

// Caps on what one artifact may hold: the report is a few kilobytes, so
// anything near these is not ours (or a zip bomb) and is refused.
const (
	MaxArtifactZip  = 8 << 20 // bytes of the downloaded archive
	MaxArtifactFile = 1 << 20 // uncompressed bytes of test-report.json
	maxFlakyNames   = 50      // per run, as test-report's json output
	maxNameLen      = 300
)

// TestReport is what one run's report artifact says.
type TestReport struct {
	Total    int      `json:"total,omitempty"`
	Passed   int      `json:"passed,omitempty"`
	Failed   int      `json:"failed,omitempty"`
	Skipped  int      `json:"skipped,omitempty"`
	Flaky    int      `json:"flaky,omitempty"`
	Coverage *float64 `json:"coverage,omitempty"` // percent
	// Attempt is the run attempt the report is of: a run re-run since it
	// was cached is looked at again.
	Attempt int `json:"attempt,omitempty"`
	// FlakyNames are the flaky tests' ids, at most 50.
	FlakyNames []string `json:"flakyNames,omitempty"`
	// Missing says why the run has no report: "none" (no artifact),
	// "expired" or "unreadable: …". Such entries stay in the cache so the
	// run is not looked at again, and are left out of the History.
	Missing string `json:"missing,omitempty"`
}

// ArtifactStats count what reading the report artifacts did.
type ArtifactStats struct {
	Read       int `json:"read"`       // downloaded and parsed
	Cached     int `json:"cached"`     // known from the cache
	Expired    int `json:"expired"`    // past retention: skipped
	None       int `json:"none"`       // runs with no report artifact
	Unreadable int `json:"unreadable"` // refused (too large, not a zip, bad JSON)
	Deferred   int `json:"deferred"`   // left for the next run (MaxDownloads)
	Requests   int `json:"requests"`   // listing pages and downloads
}

// ParseReport reads a report artifact's archive: test-report.json, within
// the size caps (checked while reading: a zip's sizes can lie).
func ParseReport(archive []byte) (TestReport, error) {
	if len(archive) > MaxArtifactZip {
		return TestReport{}, fmt.Errorf("the artifact is larger than %d MiB: not a test report", MaxArtifactZip>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return TestReport{}, fmt.Errorf("the artifact is not a zip archive: %w", err)
	}
	for _, f := range zr.File {
		if f.Name != ReportFile {
			continue
		}
		if f.UncompressedSize64 > MaxArtifactFile {
			return TestReport{}, fmt.Errorf("%s in the artifact is larger than %d MiB: not a test report", ReportFile, MaxArtifactFile>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return TestReport{}, fmt.Errorf("opening %s in the artifact: %w", ReportFile, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, MaxArtifactFile+1))
		rc.Close()
		if err != nil {
			return TestReport{}, fmt.Errorf("reading %s in the artifact: %w", ReportFile, err)
		}
		if len(data) > MaxArtifactFile {
			return TestReport{}, fmt.Errorf("%s in the artifact is larger than %d MiB: not a test report", ReportFile, MaxArtifactFile>>20)
		}
		return parseReportJSON(data)
	}
	return TestReport{}, fmt.Errorf("the artifact holds no %s", ReportFile)
}

// parseReportJSON reads the Report job's summary, or test-report's whole
// json output (whose flaky tests are objects with an id).
func parseReportJSON(data []byte) (TestReport, error) {
	var in struct {
		Counts struct {
			Total, Passed, Failed, Errors, Skipped, Flaky int
		} `json:"counts"`
		Coverage   *float64 `json:"coverage"`
		Flaky      []string `json:"flaky"`
		FlakyTests []struct {
			ID string `json:"id"`
		} `json:"flaky-tests"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return TestReport{}, fmt.Errorf("%s is not test-report's JSON: %w", ReportFile, err)
	}
	c := in.Counts
	if c.Total < 0 || c.Passed < 0 || c.Failed < 0 || c.Errors < 0 || c.Skipped < 0 || c.Flaky < 0 || (in.Coverage != nil && (*in.Coverage < 0 || *in.Coverage > 100)) {
		return TestReport{}, fmt.Errorf("%s holds a negative count or a coverage outside 0-100", ReportFile)
	}
	r := TestReport{Total: c.Total, Passed: c.Passed, Failed: c.Failed + c.Errors, Skipped: c.Skipped, Flaky: c.Flaky, Coverage: in.Coverage}
	names := in.Flaky
	for _, t := range in.FlakyTests {
		names = append(names, t.ID)
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && len(r.FlakyNames) < maxFlakyNames {
			if len(n) > maxNameLen {
				cut := maxNameLen
				for cut > 0 && !utf8.RuneStart(n[cut]) {
					cut-- // not inside a character
				}
				n = n[:cut]
			}
			r.FlakyNames = append(r.FlakyNames, n)
		}
	}
	return r, nil
}

// reports reads the report artifacts of the completed runs on branch that
// the cache does not know, newest first, at most max downloads (0: no
// limit). It lists the repository's artifacts by name, one name per run
// attempt seen: a page of 100 artifacts costs one request, where listing
// each run's artifacts would cost one per run.
func (g GitHub) reports(ctx context.Context, runs []Run, branch string, max int, cache *Cache) (ArtifactStats, error) {
	var st ArtifactStats
	byAttempt := map[int][]Run{}
	for _, r := range runs {
		if r.Status != "completed" || r.Branch != branch {
			continue
		}
		a := r.Attempt
		if a < 1 {
			a = 1
		}
		if c, ok := cache.Reports[r.ID]; ok && max1(c.Attempt) == a {
			st.Cached++
			continue
		}
		byAttempt[a] = append(byAttempt[a], r)
	}
	attempts := make([]int, 0, len(byAttempt))
	for a := range byAttempt {
		attempts = append(attempts, a)
	}
	sort.Ints(attempts)
	type found struct {
		run      Run
		artifact *github.Artifact
	}
	var todo []found
	for _, a := range attempts {
		want := map[int64]Run{}
		oldest := time.Time{}
		for _, r := range byAttempt[a] {
			want[r.ID] = r
			if oldest.IsZero() || r.Created.Before(oldest) {
				oldest = r.Created
			}
		}
		name := fmt.Sprintf("%s%d", ReportArtifact, a)
		seen := map[int64]bool{}
		for page := 1; page > 0 && len(seen) < len(want); {
			u := fmt.Sprintf("repos/%s/%s/actions/artifacts?name=%s&per_page=100&page=%d", g.Owner, g.Repo, url.QueryEscape(name), page)
			req, err := g.Client.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return st, err
			}
			var list github.ArtifactList
			resp, err := g.Client.Do(ctx, req, &list)
			st.Requests++
			if err != nil {
				return st, fmt.Errorf("listing the %s artifacts: %w (the token needs actions: read)", name, err)
			}
			for _, art := range list.Artifacts {
				r, ok := want[art.GetWorkflowRun().GetID()]
				if !ok || seen[r.ID] {
					continue // another run's, or an older duplicate
				}
				seen[r.ID] = true
				todo = append(todo, found{r, art})
			}
			// Newest first: an artifact older than every run wanted ends it
			// (a run's artifacts are made after it starts).
			if n := len(list.Artifacts); n == 0 || list.Artifacts[n-1].GetCreatedAt().Before(oldest) {
				break
			}
			page = resp.NextPage
		}
		for id := range want {
			if !seen[id] {
				cache.Reports[id] = TestReport{Missing: "none", Attempt: a}
				st.None++
			}
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].run.Created.After(todo[j].run.Created) })
	for _, f := range todo {
		if f.artifact.GetExpired() {
			cache.Reports[f.run.ID] = TestReport{Missing: "expired", Attempt: max1(f.run.Attempt)}
			st.Expired++
			continue
		}
		if max > 0 && st.Read+st.Unreadable >= max {
			st.Deferred++
			continue
		}
		rep, err := g.download(ctx, f.artifact.GetID())
		st.Requests++
		switch {
		case githubapi.Gone(err):
			rep, st.Expired = TestReport{Missing: "expired"}, st.Expired+1
		case errors.Is(err, errUnreadable):
			rep, st.Unreadable = TestReport{Missing: "unreadable: " + err.Error()}, st.Unreadable+1
			if g.Logf != nil {
				g.Logf("run %d: %s %d not used: %v", f.run.ID, f.artifact.GetName(), f.artifact.GetID(), err)
			}
		case err != nil:
			return st, err
		default:
			st.Read++
		}
		rep.Attempt = max1(f.run.Attempt)
		cache.Reports[f.run.ID] = rep
	}
	return st, nil
}

// max1 is a run attempt, 1 when GitHub left it out.
func max1(a int) int { return max(a, 1) }

var errUnreadable = errors.New("unreadable")

type unreadable struct{ err error }

func (u unreadable) Error() string        { return u.err.Error() }
func (u unreadable) Is(target error) bool { return target == errUnreadable }

// download fetches and parses one report artifact.
func (g GitHub) download(ctx context.Context, id int64) (TestReport, error) {
	body, err := githubapi.OpenArtifact(ctx, g.Client, g.Download, g.Owner, g.Repo, id)
	if err != nil {
		if githubapi.Gone(err) {
			return TestReport{}, err
		}
		return TestReport{}, fmt.Errorf("downloading artifact %d: %w (the token needs actions: read)", id, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, MaxArtifactZip+1))
	if err != nil {
		return TestReport{}, fmt.Errorf("downloading artifact %d: %w", id, err)
	}
	rep, err := ParseReport(data)
	if err != nil {
		return TestReport{}, unreadable{err}
	}
	return rep, nil
}

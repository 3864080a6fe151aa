package metrics

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// bomb is a zip whose test-report.json inflates to size bytes while its
// header claims claimed bytes (0: the truth).
func bomb(t *testing.T, size, claimed int) []byte {
	t.Helper()
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	if _, err := fw.Write(bytes.Repeat([]byte{' '}, size)); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	if claimed == 0 {
		claimed = size
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: ReportFile, Method: zip.Deflate, CompressedSize64: uint64(deflated.Len()), UncompressedSize64: uint64(claimed)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	zw.Close()
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, s := range files {
		w, _ := zw.Create(n)
		w.Write([]byte(s))
	}
	zw.Close()
	return buf.Bytes()
}

func TestParseReport(t *testing.T) {
	big := make([]byte, MaxArtifactZip+1)
	rand.Read(big)
	for _, tc := range []struct {
		name string
		zip  []byte
		want string // error text, or the report as %+v
	}{
		{"summary", zipOf(t, map[string]string{ReportFile: `{"version":1,"counts":{"total":5,"passed":3,"failed":1,"errors":1,"skipped":0,"flaky":1},"coverage":81.5,"flaky":["a::b"]}`}),
			"{Total:5 Passed:3 Failed:2 Skipped:0 Flaky:1 Coverage:81.5 Attempt:0 FlakyNames:[a::b] Missing:}"},
		{"test-report json output", zipOf(t, map[string]string{"x/other.txt": "hi", ReportFile: `{"counts":{"total":2,"passed":2},"flaky-tests":[{"tier":"unit","id":"t::x","result":"flaky"}]}`}),
			"{Total:2 Passed:2 Failed:0 Skipped:0 Flaky:0 Coverage:<nil> Attempt:0 FlakyNames:[t::x] Missing:}"},
		{"no report file", zipOf(t, map[string]string{"junit.xml": "<testsuite/>"}), "holds no test-report.json"},
		{"not JSON", zipOf(t, map[string]string{ReportFile: "<html>"}), "not test-report's JSON"},
		{"negative", zipOf(t, map[string]string{ReportFile: `{"counts":{"total":-1}}`}), "negative count"},
		{"coverage over 100", zipOf(t, map[string]string{ReportFile: `{"coverage":101}`}), "outside 0-100"},
		{"not a zip", []byte("PK no"), "not a zip archive"},
		{"archive over 8 MiB", big, "larger than 8 MiB"},
		{"zip bomb", bomb(t, 4<<20, 0), "larger than 1 MiB"},
		// archive/zip stops at the claimed size; the cap stands behind it.
		{"zip bomb lying about its size", bomb(t, 4<<20, 100), "reading test-report.json in the artifact: zip: not a valid zip file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := ParseReport(tc.zip)
			got := fmt.Sprintf("%+v", rep)
			if rep.Coverage != nil {
				got = strings.Replace(got, fmt.Sprintf("%p", rep.Coverage), fmt.Sprint(*rep.Coverage), 1)
			}
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// A small history: the reports of main's completed runs are read once, an
// unreadable or expired one is skipped and said so, MaxDownloads defers
// the rest to the next Fetch, and a cached Fetch downloads nothing.
func TestReportArtifacts(t *testing.T) {
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	fake := githubfake.Start(t, githubfake.Options{Now: func() time.Time { return at.Add(30 * 24 * time.Hour) }, RateLimit: 1 << 20})
	c, _, err := githubapi.New(githubapi.Options{APIURL: fake.APIURL(), Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	run := func(id int64, branch string, created time.Time) {
		fake.AddWorkflowRuns(githubfake.WorkflowRun{ID: id, Name: "CI", Event: "push", Branch: branch, Status: "completed", Conclusion: "success",
			Created: created, Started: created, Updated: created.Add(time.Minute)})
	}
	report := func(tests int) map[string][]byte {
		return map[string][]byte{ReportFile: []byte(fmt.Sprintf(`{"counts":{"total":%d},"coverage":50,"flaky":["f%d"]}`, tests, tests))}
	}
	for i := int64(1); i <= 6; i++ {
		created := at.Add(time.Duration(i) * time.Hour)
		run(i, "main", created)
		fake.AddArtifact(i, "test-report-1", report(int(i)), created.Add(time.Minute), false)
		fake.AddArtifact(i, "results-unit-1-1", map[string][]byte{"junit.xml": []byte("<testsuite/>")}, created.Add(time.Minute), false)
	}
	run(7, "feature", at.Add(7*time.Hour))
	fake.AddArtifact(7, "test-report-1", report(700), at.Add(7*time.Hour), false)
	run(8, "main", at.Add(8*time.Hour))
	fake.AddArtifactZip(8, "test-report-1", bomb(t, 2<<20, 0), at.Add(8*time.Hour), false)
	run(9, "main", at.Add(9*time.Hour))
	fake.AddArtifact(9, "test-report-1", report(900), at.Add(9*time.Hour), true)

	ctx := context.Background()
	since, until := WeekStart(at), WeekStart(at).AddDate(0, 0, 7)
	cache := NewCache()
	var logs []string
	g := GitHub{Client: c, Owner: fake.Owner(), Repo: fake.Repo(), MaxDownloads: 4, Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	h, err := g.Fetch(ctx, since, until, cache)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first: 8 (unreadable), 6, 5, 4 use the 4 downloads; 9 expired.
	if st := h.Artifacts; st.Read != 3 || st.Unreadable != 1 || st.Expired != 1 || st.Deferred != 3 || len(h.Reports) != 3 {
		t.Errorf("first fetch: %+v, %d reports", st, len(h.Reports))
	}
	if len(logs) != 2 || !strings.Contains(logs[0], "run 8: test-report-1") || !strings.Contains(logs[0], "larger than 1 MiB") ||
		!strings.Contains(logs[1], "3 read, 0 from the cache, 1 expired (skipped), 0 runs without one, 1 unreadable, 3 left for the next run") {
		t.Errorf("log: %q", logs)
	}

	fake.ResetLog()
	g.Logf = nil
	h, err = g.Fetch(ctx, since, until, cache)
	if err != nil {
		t.Fatal(err)
	}
	if st := h.Artifacts; st.Read != 3 || st.Cached != 5 || st.Deferred != 0 || len(h.Reports) != 6 || fake.Count("GET", "/zip") != 3 {
		t.Errorf("second fetch: %+v, %d reports, %d downloads", st, len(h.Reports), fake.Count("GET", "/zip"))
	}
	rep := Compute(h, Options{Since: since, Until: until})
	w := rep.Weeks[0]
	if w.Reports != 6 || w.Tests == nil || *w.Tests != 6 || !near(w.Coverage, 50) || w.FlakyTests != 6 {
		t.Errorf("week: %d reports, tests %s, coverage %s, %d flaky", w.Reports, intOr(w.Tests), pctOf(w.Coverage), w.FlakyTests)
	}

	fake.ResetLog()
	if h, err = g.Fetch(ctx, since, until, cache); err != nil {
		t.Fatal(err)
	}
	if n := fake.Count("", "/artifacts") + fake.Count("", "/_blobs/"); n != 0 || h.Artifacts.Cached != 8 || len(h.Reports) != 6 {
		t.Errorf("cached fetch: %d artifact requests, %+v", n, h.Artifacts)
	}
	// A cache entry of another attempt than the run's latest is not
	// trusted: the run was re-run since, its report is read again.
	stale := cache.Reports[6]
	stale.Attempt = 2
	cache.Reports[6] = stale
	fake.ResetLog()
	if h, err = g.Fetch(ctx, since, until, cache); err != nil {
		t.Fatal(err)
	}
	if h.Artifacts.Read != 1 || fake.Count("GET", "/zip") != 1 || cache.Reports[6].Attempt != 1 {
		t.Errorf("re-run: %+v", h.Artifacts)
	}
	md := rep.Markdown("org/timetracker", 4)
	if !strings.Contains(md, "| <code>f6</code> | 1 |") || !strings.Contains(md, "6 in the last report, coverage 50.0%; 6 distinct flaky tests in 6 reports") {
		t.Errorf("summary:\n%s", md)
	}
}

func TestReportsOfTheDefaultBranchOnly(t *testing.T) {
	at := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	cov := 70.0
	h := History{Runs: []Run{
		{ID: 1, Workflow: "CI", Branch: "trunk", Status: "completed", Conclusion: "success", Created: at},
		{ID: 2, Workflow: "CI", Branch: "feature", Status: "completed", Conclusion: "success", Created: at.Add(time.Hour)},
	}, Reports: map[int64]TestReport{1: {Total: 10, Coverage: &cov, FlakyNames: []string{"a|<b>"}}, 2: {Total: 99, FlakyNames: []string{"c"}}}}
	rep := Compute(h, Options{Since: at, Until: at.AddDate(0, 0, 1), DefaultBranch: "trunk"})
	w := rep.Totals
	if w.Reports != 1 || *w.Tests != 10 || !near(w.Coverage, 70) || w.FlakyTests != 1 || w.TopFlaky[0].Name != "a|<b>" {
		t.Errorf("totals %+v", w)
	}
	if md := rep.Markdown("", 0); !strings.Contains(md, "| <code>a&#124;&lt;b&gt;</code> | 1 |") {
		t.Errorf("a test name must not break the table:\n%s", md)
	}
}

// FuzzParseReport: no archive makes the parser panic, or return a report
// outside its bounds.
func FuzzParseReport(f *testing.F) {
	f.Add(zipOfBytes(`{"counts":{"total":1},"coverage":50,"flaky":["a"]}`))
	f.Add(zipOfBytes(`{"flaky-tests":[{"id":"x"}]}`))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ParseReport(data)
		if err != nil {
			return
		}
		if rep.Total < 0 || len(rep.FlakyNames) > maxFlakyNames || (rep.Coverage != nil && (*rep.Coverage < 0 || *rep.Coverage > 100)) {
			t.Errorf("out of bounds: %+v", rep)
		}
		for _, n := range rep.FlakyNames {
			if n == "" || len(n) > maxNameLen {
				t.Errorf("name %q", n)
			}
		}
	})
}

func zipOfBytes(report string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(ReportFile)
	w.Write([]byte(report))
	zw.Close()
	return buf.Bytes()
}

package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// The generated history: 52 weeks from Monday 2026-01-05, each week k with
//   - P(k) = 150+k%7 passed and F(k) = 20+k%3 failed CI runs, 2 cancelled
//     ones (not counted), durations 300 s, 301 s, … in creation order, and
//     "Nightly" runs (not a CI workflow) filling the total to 10,000;
//   - D(k) = 3+k%3 successful production deployments, Monday to Friday at
//     10:00, each shipping two commits made h(k) = (1+k%4) hours and 2h(k)
//     before it succeeded at 10:10;
//   - when k%4 == 0, a failed deployment of Monday's commit at 09:00
//     (failure at 09:30), restored by Monday's success at 10:10: 40 min;
//   - when k%6 == 1, the week's last deployment is rolled back at 11:40
//     (a rollback deployment): restored 90 min after it went live.
//   - test reports (artifact test-report-<attempt>) on the last R(k) =
//     2+k%3 counted CI runs of the week, except when k%10 == 9 (none):
//     the j-th (oldest first) says TestsOf(k, j) tests, coverage CovOf(k,
//     j) (none on the week's last when k%5 == 2) and, unless k%3 == 0,
//     flaky tests FlakyOf(k, j); when k%7 == 3 the week's last run was
//     re-run (attempt 2) and its attempt-1 report says something else;
//     when k%13 == 5 the week's first CI run has an expired report.
var start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

const totalRuns = 10000

func P(k int) int { return 150 + k%7 }
func F(k int) int { return 20 + k%3 }
func D(k int) int { return 3 + k%3 }
func hOf(k int) time.Duration {
	return time.Duration(1+k%4) * time.Hour
}

func R(k int) int {
	if k%10 == 9 {
		return 0
	}
	return 2 + k%3
}
func TestsOf(k, j int) int { return 1000 + 10*k + j }
func CovOf(k, j int) float64 {
	return 60 + 0.5*float64(k) + 0.1*float64(j)
}
func FlakyOf(k, j int) []string {
	if k%3 == 0 {
		return nil
	}
	names := []string{fmt.Sprintf("tests/test_api.py::test_w%d_%d", k%5, j%2)}
	if j == 0 {
		names = append(names, "tests/test_db.py::test_sometimes")
	}
	return names
}

func reportZip(tests int, cov *float64, flaky []string) map[string][]byte {
	b, _ := json.Marshal(map[string]any{"version": 1, "counts": map[string]int{"total": tests, "passed": tests}, "coverage": cov, "flaky": flaky})
	return map[string][]byte{"test-report.json": b}
}

func seed(t testing.TB) *githubfake.Server {
	t.Helper()
	fake := githubfake.Start(t, githubfake.Options{Now: func() time.Time { return start.Add(-time.Hour) }, RateLimit: 1 << 30})
	var runs []githubfake.WorkflowRun
	type art struct {
		run     int64
		name    string
		files   map[string][]byte
		at      time.Time
		expired bool
	}
	var arts []art
	for k := 0; k < 52; k++ {
		ws := start.AddDate(0, 0, 7*k)
		n := 0
		add := func(name, conclusion string, dur time.Duration) {
			c := ws.Add(time.Duration(n)*20*time.Minute + time.Minute)
			runs = append(runs, githubfake.WorkflowRun{ID: int64(1_000_000 + len(runs)), Name: name, Event: "push", Branch: "main", Status: "completed", Conclusion: conclusion,
				Created: c, Started: c.Add(30 * time.Second), Updated: c.Add(30*time.Second + dur)})
			n++
		}
		report := func(r *githubfake.WorkflowRun, attempt int, files map[string][]byte, expired bool) {
			arts = append(arts, art{r.ID, fmt.Sprintf("test-report-%d", attempt), files, r.Updated, expired})
		}
		i := 0
		for j := 0; j < P(k)+F(k); j++ {
			c := "success"
			if j%((P(k)+F(k))/F(k)) == 0 && i < F(k) {
				c, i = "failure", i+1
			}
			add("CI", c, time.Duration(300+j)*time.Second)
		}
		ci := runs[len(runs)-(P(k)+F(k)):]
		for j := 0; j < R(k); j++ {
			r := &ci[len(ci)-R(k)+j]
			cov := CovOf(k, j)
			c := &cov
			if j == R(k)-1 && k%5 == 2 {
				c = nil
			}
			if j == R(k)-1 && k%7 == 3 {
				r.Attempt = 2
				report(r, 1, reportZip(1, nil, []string{"tests/test_attempt_one.py::test_x"}), false)
				report(r, 2, reportZip(TestsOf(k, j), c, FlakyOf(k, j)), false)
				continue
			}
			report(r, 1, reportZip(TestsOf(k, j), c, FlakyOf(k, j)), false)
		}
		if k%13 == 5 {
			report(&ci[0], 1, reportZip(1, nil, nil), true)
		}
		add("CI", "cancelled", time.Hour)
		add("CI", "cancelled", time.Hour)
	}
	for len(runs) < totalRuns {
		k := len(runs) % 52
		c := start.AddDate(0, 0, 7*k).Add(6*24*time.Hour + time.Duration(len(runs)%60)*time.Minute)
		runs = append(runs, githubfake.WorkflowRun{ID: int64(1_000_000 + len(runs)), Name: "Nightly", Event: "schedule", Branch: "main", Status: "completed", Conclusion: "failure",
			Created: c, Started: c, Updated: c.Add(time.Hour)})
	}
	fake.AddWorkflowRuns(runs...)
	for _, a := range arts {
		fake.AddArtifact(a.run, a.name, a.files, a.at, a.expired)
	}

	payload := func(rollback bool) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"digest": "sha256:x", "rollback": rollback})
		return b
	}
	var last string
	for k := 0; k < 52; k++ {
		ws := start.AddDate(0, 0, 7*k)
		for d := 0; d < D(k); d++ {
			at := ws.AddDate(0, 0, d).Add(10 * time.Hour)
			done := at.Add(10 * time.Minute)
			h := hOf(k)
			fake.CommitAt("main", "feat: change", githubfake.Person{Name: "dev", Email: "dev@example.com"}, done.Add(-2*h))
			sha := fake.CommitAt("main", "fix: change", githubfake.Person{Name: "dev", Email: "dev@example.com"}, done.Add(-h))
			if d == 0 && k%4 == 0 {
				f := ws.Add(9 * time.Hour)
				fake.AddDeployment("production", sha, payload(false), f, githubfake.SeedStatus{State: "in_progress", At: f}, githubfake.SeedStatus{State: "failure", At: f.Add(30 * time.Minute)})
			}
			fake.AddDeployment("production", sha, payload(false), at, githubfake.SeedStatus{State: "in_progress", At: at}, githubfake.SeedStatus{State: "success", At: done})
			// A staging deployment in between must not count.
			fake.AddDeployment("staging", sha, payload(false), at.Add(-time.Minute), githubfake.SeedStatus{State: "success", At: at})
			if d == D(k)-1 && k%6 == 1 {
				rb := at.Add(100 * time.Minute)
				fake.AddDeployment("production", last, payload(true), rb, githubfake.SeedStatus{State: "in_progress", At: rb}, githubfake.SeedStatus{State: "success", At: rb})
			}
			last = sha
		}
	}
	return fake
}

func near(a *float64, want float64) bool { return a != nil && math.Abs(*a-want) < 1e-9 }

func TestKnownFigures(t *testing.T) {
	fake := seed(t)
	c, tr, err := githubapi.New(githubapi.Options{APIURL: fake.APIURL(), Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	until := start.AddDate(0, 0, 7*52)
	begin := time.Now()
	cache := NewCache()
	var logs []string
	logf := func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }
	h, err := GitHub{Client: c, Owner: fake.Owner(), Repo: fake.Repo(), Logf: logf}.Fetch(ctx, start, until, cache)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(begin)
	requests := tr.Stats().Attempts
	t.Logf("10,000 runs, %d deployments and %d test reports fetched in %v with %d API requests", len(h.Deployments), h.Artifacts.Read, elapsed, requests)
	if len(h.Runs) != totalRuns {
		t.Fatalf("fetched %d runs, want %d (GitHub's 1,000-result cap must be worked around)", len(h.Runs), totalRuns)
	}
	rep := Compute(h, Options{Workflows: []string{"CI"}, Since: start, Until: until})
	if len(rep.Weeks) != 52 {
		t.Fatalf("%d weeks", len(rep.Weeks))
	}
	for k, w := range rep.Weeks {
		n := P(k) + F(k)
		if w.Runs != n || w.Passed != P(k) || !near(w.SuccessRate, float64(P(k))/float64(n)) {
			t.Errorf("week %d: runs %d passed %d rate %v, want %d %d", k, w.Runs, w.Passed, w.SuccessRate, n, P(k))
		}
		if !near(w.BuildP50, float64(300+int(math.Ceil(0.5*float64(n)))-1)) || !near(w.BuildP90, float64(300+int(math.Ceil(0.9*float64(n)))-1)) {
			t.Errorf("week %d: build p50 %v p90 %v", k, *w.BuildP50, *w.BuildP90)
		}
		if w.Deployments != D(k) {
			t.Errorf("week %d: %d deployments, want %d", k, w.Deployments, D(k))
		}
		if !near(w.LeadTimeP50, hOf(k).Seconds()) {
			t.Errorf("week %d: lead time %s, want %v", k, show(w.LeadTimeP50), hOf(k).Seconds())
		}
		changes, failed, restore := D(k), 0, math.NaN()
		if k%4 == 0 {
			changes, failed, restore = changes+1, 1, (40 * time.Minute).Seconds()
		}
		if k%6 == 1 {
			failed, restore = 1, (90 * time.Minute).Seconds()
		}
		if w.Changes != changes || w.FailedChanges != failed || !near(w.ChangeFailureRate, float64(failed)/float64(changes)) {
			t.Errorf("week %d: changes %d failed %d, want %d %d", k, w.Changes, w.FailedChanges, changes, failed)
		}
		if math.IsNaN(restore) != (w.RestoreP50 == nil) || (!math.IsNaN(restore) && !near(w.RestoreP50, restore)) {
			t.Errorf("week %d: restore %v, want %v", k, w.RestoreP50, restore)
		}
		checkTests(t, k, w)
	}
	reports, flakyWeeks := 0, 0
	for k := 0; k < 52; k++ {
		reports += R(k)
		if R(k) > 0 && k%3 != 0 {
			flakyWeeks++
		}
	}
	st := h.Artifacts
	if st.Read != reports || st.Expired != 4 || st.Unreadable != 0 || st.Deferred != 0 || st.None != totalRuns-reports-4 {
		t.Errorf("artifacts %+v, want %d read, 4 expired", st, reports)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], fmt.Sprintf("%d read, 0 from the cache, 4 expired (skipped)", reports)) {
		t.Errorf("log %q", logs)
	}
	tot := rep.Totals
	if tot.Reports != reports || tot.Tests == nil || *tot.Tests != TestsOf(51, R(51)-1) || tot.FlakyTests != 11 || len(tot.TopFlaky) != MaxTopFlaky ||
		tot.TopFlaky[0] != (FlakyTest{"tests/test_db.py::test_sometimes", flakyWeeks}) {
		t.Errorf("totals: %d reports, tests %s, %d flaky, top %v", tot.Reports, intOr(tot.Tests), tot.FlakyTests, tot.TopFlaky)
	}

	// A second run with the cache reads only what is new: no artifact.
	fake.ResetLog()
	before := tr.Stats().Attempts
	h2, err := (GitHub{Client: c, Owner: fake.Owner(), Repo: fake.Repo()}).Fetch(ctx, start, until, cache)
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.Count("", "/artifacts") + fake.Count("", "/_blobs/"); n != 0 || h2.Artifacts.Read != 0 || len(h2.Reports) != reports {
		t.Errorf("with the cache: %d artifact requests, %d read, %d reports", n, h2.Artifacts.Read, len(h2.Reports))
	}
	again := tr.Stats().Attempts - before
	t.Logf("with the cache: %d API requests", again)
	if again > requests/10 {
		t.Errorf("a cached run took %d requests (the first took %d)", again, requests)
	}

	// The charts are written and readable.
	for _, s := range rep.Charts() {
		svg := s.SVG()
		if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, s.Title) || strings.Count(svg, "<circle")+strings.Count(svg, "<rect") < 10 {
			t.Errorf("%s: %.200s", s.File, svg)
		}
	}
	md := rep.Markdown("org/timetracker", 12)
	if strings.Count(md, "```mermaid") != 10 || len(md) > 1<<20 {
		t.Errorf("summary: %d charts, %d bytes", strings.Count(md, "```mermaid"), len(md))
	}
}

// checkTests checks week k's test figures against the seeded reports.
func checkTests(t *testing.T, k int, w Week) {
	t.Helper()
	n := R(k)
	if n == 0 {
		if w.Reports != 0 || w.Tests != nil || w.Coverage != nil || w.FlakyTests != 0 {
			t.Errorf("week %d: no reports seeded, got %d, tests %s, coverage %s", k, w.Reports, intOr(w.Tests), pctOf(w.Coverage))
		}
		return
	}
	cov := CovOf(k, n-1)
	if k%5 == 2 {
		cov = CovOf(k, n-2) // the last report has none
	}
	if w.Reports != n || w.Tests == nil || *w.Tests != TestsOf(k, n-1) || !near(w.Coverage, cov) {
		t.Errorf("week %d: %d reports, tests %s, coverage %s; want %d, %d, %.1f", k, w.Reports, intOr(w.Tests), pctOf(w.Coverage), n, TestsOf(k, n-1), cov)
	}
	var want []FlakyTest
	if k%3 != 0 {
		// sometimes: run 0; _0: even runs; _1: odd runs. Most first, then by name.
		want = []FlakyTest{{fmt.Sprintf("tests/test_api.py::test_w%d_0", k%5), (n + 1) / 2}, {fmt.Sprintf("tests/test_api.py::test_w%d_1", k%5), n / 2},
			{"tests/test_db.py::test_sometimes", 1}}
	}
	if w.FlakyTests != len(want) || fmt.Sprint(w.TopFlaky) != fmt.Sprint(want) {
		t.Errorf("week %d: %d flaky %v, want %v", k, w.FlakyTests, w.TopFlaky, want)
	}
}

func TestPercentileAndWeeks(t *testing.T) {
	if got := Percentile([]float64{5, 1, 3, 2, 4}, 50); got != 3 {
		t.Errorf("median %v", got)
	}
	if got := Percentile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90); got != 9 {
		t.Errorf("p90 %v", got)
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("no values")
	}
	if got := WeekStart(time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("WeekStart(Sunday) = %v", got)
	}
}

func show(v *float64) string {
	if v == nil {
		return "none"
	}
	return strings.TrimRight(strings.TrimRight(strconvF(*v), "0"), ".")
}

func strconvF(v float64) string { return fmt.Sprintf("%f", v) }

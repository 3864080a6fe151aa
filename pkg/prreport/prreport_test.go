package prreport_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
	"github.com/org/timetracker-ci/pkg/prreport"
	"github.com/org/timetracker-ci/pkg/testreport"
)

// build writes JUnit files (name → XML) and merges them into a report.
func build(t *testing.T, files map[string]string) *testreport.Report {
	t.Helper()
	dir := t.TempDir()
	// The test file, so classnames resolve to it (ids and annotation paths).
	if err := os.MkdirAll(filepath.Join(dir, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests", "test_app.py"), []byte("def test_ok():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for name, xml := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(xml), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	r, err := testreport.Build(context.Background(), paths, testreport.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// suite renders a testsuite with passing tests and failing ones.
func suite(pass, fail []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<testsuite name="pytest" tests="%d" failures="%d">`, len(pass)+len(fail), len(fail))
	for _, n := range pass {
		fmt.Fprintf(&b, `<testcase classname="tests.test_app" name="%s" time="0.5"/>`, n)
	}
	for _, n := range fail {
		fmt.Fprintf(&b, `<testcase classname="tests.test_app" name="%s" time="1.5"><failure message="assert 1 == 2">tests/test_app.py:10: AssertionError</failure></testcase>`, n)
	}
	b.WriteString("</testsuite>")
	return b.String()
}

func names(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s_%03d", prefix, i))
	}
	return out
}

func client(t *testing.T, f *githubfake.Server) *github.Client {
	t.Helper()
	c, _, err := githubapi.New(githubapi.Options{APIURL: f.APIURL(), Token: "t0ken",
		Retry: []githubapi.TransportOption{githubapi.WithClock(time.Now, func(context.Context, time.Duration) error { return nil })}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCommentNewAndKnownFailures(t *testing.T) {
	r := build(t, map[string]string{
		"junit-unit-1.xml":  suite([]string{"test_ok"}, []string{"test_new", "test_old"}),
		"junit-smoke-1.xml": suite([]string{"test_health"}, nil),
	})
	base := &prreport.Baseline{Ref: "main", Failing: []prreport.Key{{Tier: "unit", ID: "tests/test_app.py::test_old"}, {Tier: "unit", ID: "gone"}}}
	fresh, known := prreport.Classify(r.Failures, base)
	if len(fresh) != 1 || fresh[0].ID != "tests/test_app.py::test_new" || len(known) != 1 || known[0].ID != "tests/test_app.py::test_old" {
		t.Fatalf("classify: new %v, known %v", fresh, known)
	}
	body := prreport.Comment(r, prreport.CommentOptions{Workflow: "CI", Base: "main", Baseline: base, SHA: "0123456789abcdef", RunURL: "https://github.com/o/r/actions/runs/1"})
	for _, want := range []string{
		prreport.Marker("CI") + "\n",
		"### ❌ CI: tests failed",
		"**4 tests**: 2 passed, 2 failed",
		"**1 new failures**, 1 already failing on main",
		"| unit | 3 | 1 | 2 | 0 | 0 | 0 |",
		"| smoke | 1 | 1 | 0 |",
		"**New failures (1)**\n\n- unit `tests/test_app.py::test_new`: assert 1 == 2",
		"**Already failing on main (1)**\n\n- unit `tests/test_app.py::test_old`",
		"commit 0123456",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	if !strings.HasPrefix(body, prreport.Marker("CI")) {
		t.Errorf("the marker must start the comment")
	}
	// Without base results every failure is new, and the comment says why.
	body = prreport.Comment(r, prreport.CommentOptions{Workflow: "CI", Base: "main"})
	if !strings.Contains(body, "**New failures (2)**") || !strings.Contains(body, "No earlier results of main were found") {
		t.Errorf("without a baseline:\n%s", body)
	}
}

func TestCommentEscapesTestOutput(t *testing.T) {
	r := build(t, map[string]string{"junit-unit-1.xml": `<testsuite><testcase classname="t" name="x"><failure message="&lt;img src=x&gt; @everyone | [link](javascript:1)"/></testcase></testsuite>`})
	body := prreport.Comment(r, prreport.CommentOptions{Workflow: "CI"})
	for _, bad := range []string{"<img", "@everyone", "[link](javascript"} {
		if strings.Contains(body, bad) {
			t.Errorf("comment carries %q unescaped:\n%s", bad, body)
		}
	}
}

func TestCommentFitsGitHubsLimit(t *testing.T) {
	long := strings.Repeat("x", 190)
	var fails []string
	for i := range 3000 {
		fails = append(fails, fmt.Sprintf("test_%s_%04d", long, i))
	}
	r := build(t, map[string]string{"junit-unit-1.xml": suite(nil, fails)})
	body := prreport.Comment(r, prreport.CommentOptions{Workflow: "CI", MaxListed: 3000})
	if n := len([]rune(body)); n > prreport.MaxCommentChars {
		t.Fatalf("comment has %d characters, more than GitHub's %d", n, prreport.MaxCommentChars)
	}
	if !strings.Contains(body, "**New failures (3000)**") || !strings.Contains(body, "more (see the check run") {
		t.Errorf("a cut comment must still count every failure and say where the rest are")
	}
}

func TestMarkerPerWorkflow(t *testing.T) {
	if prreport.Marker("CI") == prreport.Marker("Nightly") {
		t.Fatal("two workflows share a marker")
	}
	// A name cannot end the HTML comment early.
	if m := prreport.Marker("x --> <b>"); strings.Count(m, "-->") != 1 || !strings.HasSuffix(m, "-->") {
		t.Fatalf("marker %q", m)
	}
}

func TestUpsertCommentUpdatesInPlace(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	f.OpenPullRequest(7, "feature", "main", f.Head(), false)
	c := client(t, f)
	// 120 comments by people first: the workflow's comment is on page 2.
	for i := range 120 {
		if _, _, err := c.Issues.CreateComment(ctx, "org", "timetracker", 7, &github.IssueComment{Body: github.String(fmt.Sprintf("review %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	ci := prreport.Marker("CI")
	p, err := prreport.UpsertComment(ctx, c.Issues, "org", "timetracker", 7, ci, ci+"\nfirst run")
	if err != nil || !p.Created || p.Requests != 1 {
		t.Fatalf("first post: %+v %v", p, err)
	}
	for i := range 3 {
		p2, err := prreport.UpsertComment(ctx, c.Issues, "org", "timetracker", 7, ci, fmt.Sprintf("%s\nrun %d", ci, i))
		if err != nil || p2.Created || p2.ID != p.ID || p2.Requests != 1 {
			t.Fatalf("run %d: %+v %v (want an update of %d)", i, p2, err, p.ID)
		}
	}
	// The same body again: nothing to write.
	if p3, err := prreport.UpsertComment(ctx, c.Issues, "org", "timetracker", 7, ci, ci+"\nrun 2"); err != nil || p3.Requests != 0 {
		t.Fatalf("unchanged body: %+v %v", p3, err)
	}
	// Another workflow has a comment of its own.
	nightly := prreport.Marker("Nightly")
	if p4, err := prreport.UpsertComment(ctx, c.Issues, "org", "timetracker", 7, nightly, nightly+"\nnightly"); err != nil || !p4.Created || p4.ID == p.ID {
		t.Fatalf("second workflow: %+v %v", p4, err)
	}
	var ours []githubfake.Comment
	for _, cm := range f.Comments(7) {
		if strings.Contains(cm.Body, "<!-- timetracker-ci") {
			ours = append(ours, cm)
		}
	}
	if len(ours) != 2 || ours[0].Body != ci+"\nrun 2" || !ours[0].Updated || ours[1].Body != nightly+"\nnightly" {
		t.Fatalf("comments with a marker: %+v", ours)
	}
}

func TestUpsertCommentSurvivesFaults(t *testing.T) {
	ctx := context.Background()
	f := githubfake.Start(t, githubfake.Options{})
	f.OpenPullRequest(3, "feature", "main", f.Head(), false)
	c := client(t, f)
	m := prreport.Marker("CI")
	// The create is applied but its answer lost: the transport retries it,
	// and the duplicate is deleted afterwards.
	f.Inject(githubfake.Fault{Kind: githubfake.LostResponse, Method: "POST", Path: "/issues/3/comments"},
		githubfake.Fault{Kind: githubfake.ServerError, Method: "GET", Path: "/issues/3/comments"},
		githubfake.Fault{Kind: githubfake.SecondaryLimit, Status: 429, RetryAfter: 1, Method: "POST", Path: "/issues/3/comments"})
	if _, err := prreport.UpsertComment(ctx, c.Issues, "org", "timetracker", 3, m, m+"\nbody"); err != nil {
		t.Fatal(err)
	}
	if got := f.Comments(3); len(got) != 1 || got[0].Body != m+"\nbody" {
		t.Fatalf("after a lost answer: %+v (want exactly one comment)", got)
	}
	if n := f.PendingFaults(); n != 0 {
		t.Errorf("%d faults did not fire", n)
	}
}

func TestUpsertCommentErrors(t *testing.T) {
	ctx := context.Background()
	ro := githubfake.Start(t, githubfake.Options{ReadOnly: true})
	ro.OpenPullRequest(1, "feature", "main", ro.Head(), true)
	m := prreport.Marker("CI")
	_, err := prreport.UpsertComment(ctx, client(t, ro).Issues, "org", "timetracker", 1, m, m+"\nx")
	if err == nil || !strings.Contains(err.Error(), "pull-requests: write") || !strings.Contains(err.Error(), "two-workflow") {
		t.Fatalf("read-only token: %v", err)
	}
	f := githubfake.Start(t, githubfake.Options{})
	_, err = prreport.UpsertComment(ctx, client(t, f).Issues, "org", "timetracker", 99, m, m+"\nx")
	if githubapi.StatusCode(err) != 404 {
		t.Fatalf("a pull request that does not exist: %v", err)
	}
	if _, err := prreport.UpsertComment(ctx, client(t, f).Issues, "org", "timetracker", 99, m, "no marker"); err == nil {
		t.Fatal("a body without its marker would never be found again")
	}
}

func TestCheckRunCarriesEveryFailure(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		fails, requests int
		conclusion      string
	}{
		{0, 1, "success"}, {10, 1, "failure"}, {50, 1, "failure"}, {51, 2, "failure"}, {123, 3, "failure"},
	} {
		t.Run(fmt.Sprint(tc.fails), func(t *testing.T) {
			f := githubfake.Start(t, githubfake.Options{})
			r := build(t, map[string]string{"junit-unit-1.xml": suite([]string{"test_ok"}, names("test_fail", tc.fails))})
			p, err := prreport.PublishCheckRun(ctx, client(t, f).Checks, "org", "timetracker", prreport.CheckRunOptions{
				Name: "Test results (CI)", HeadSHA: f.Head(), Title: "t", Summary: "s", Conclusion: r.Conclusion,
				PathPrefix: "app/", Annotations: r.Annotations()})
			if err != nil {
				t.Fatal(err)
			}
			runs := f.CheckRuns()
			if len(runs) != 1 || p.Requests != tc.requests || runs[0].Requests != tc.requests {
				t.Fatalf("%d runs, %d requests (fake saw %d), want 1 run and %d requests", len(runs), p.Requests, runs[0].Requests, tc.requests)
			}
			cr := runs[0]
			if cr.Status != "completed" || cr.Conclusion != tc.conclusion || len(cr.Annotations) != tc.fails {
				t.Fatalf("check run: %s/%s with %d annotations, want completed/%s with %d", cr.Status, cr.Conclusion, len(cr.Annotations), tc.conclusion, tc.fails)
			}
			for _, a := range cr.Annotations {
				if a.GetAnnotationLevel() != "failure" || a.GetPath() != "app/tests/test_app.py" || a.GetStartLine() != 10 {
					t.Fatalf("annotation %+v: want a failure on app/tests/test_app.py:10", a)
				}
			}
		})
	}
}

func TestCheckRunErrors(t *testing.T) {
	ctx := context.Background()
	ro := githubfake.Start(t, githubfake.Options{ReadOnly: true})
	_, err := prreport.PublishCheckRun(ctx, client(t, ro).Checks, "org", "timetracker", prreport.CheckRunOptions{Name: "n", HeadSHA: ro.Head(), Title: "t", Summary: "s", Conclusion: "success"})
	if err == nil || !strings.Contains(err.Error(), "checks: write") {
		t.Fatalf("read-only token: %v", err)
	}
	f := githubfake.Start(t, githubfake.Options{})
	_, err = prreport.PublishCheckRun(ctx, client(t, f).Checks, "org", "timetracker", prreport.CheckRunOptions{Name: "n", HeadSHA: strings.Repeat("0", 40), Title: "t", Summary: "s", Conclusion: "success"})
	if githubapi.StatusCode(err) != 422 {
		t.Fatalf("unknown commit: %v", err)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	r := build(t, map[string]string{"junit-unit-1.xml": suite([]string{"test_ok"}, []string{"test_a", "test_b"})})
	path := filepath.Join(t.TempDir(), "sub", "failures.json")
	if err := prreport.NewBaseline("main", "abc", r).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := prreport.ReadBaseline(path)
	if err != nil || b.Ref != "main" || len(b.Failing) != 2 || b.Failing[0] != (prreport.Key{Tier: "unit", ID: "tests/test_app.py::test_a"}) {
		t.Fatalf("%+v %v", b, err)
	}
	if _, err := prreport.ReadBaseline(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"timings": {}}`), 0o644)
	if _, err := prreport.ReadBaseline(bad); err == nil || !strings.Contains(err.Error(), "failures-file") {
		t.Fatalf("a file of another kind: %v", err)
	}
}

func FuzzReadBaseline(f *testing.F) {
	f.Add([]byte(`{"ref":"main","failing":[{"tier":"unit","id":"a::b"}]}`))
	f.Add([]byte(`{"failing":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := prreport.ReadBaseline(p)
		if err == nil && b.Failing == nil {
			t.Fatal("a baseline without a failing list was accepted")
		}
	})
}

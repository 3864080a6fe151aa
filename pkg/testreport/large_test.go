package testreport

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLargeReport writes a pytest-style JUnit file with n tests of which
// every tenth fails with a realistic message and traceback.
func writeLargeReport(tb testing.TB, dir string, n int) string {
	tb.Helper()
	p := filepath.Join(dir, "junit-unit-1.xml")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"pytest\" tests=\"%d\">\n", n)
	for i := range n {
		cls := fmt.Sprintf("tests.module_%03d.TestFeature%02d", i%500, i%37)
		if i%10 == 0 {
			fmt.Fprintf(w, `<testcase classname="%s" name="test_behaviour_%06d[param-%d]" time="0.%03d"><failure message="AssertionError: expected status 200 but the view returned 500 for user %d">self = &lt;tests.TestFeature object&gt;
    def test_behaviour(self):
&gt;       assert response.status_code == 200
E       AssertionError: expected status 200 but the view returned 500
E       assert 500 == 200

tests/module_%03d.py:%d: AssertionError</failure></testcase>
`, cls, i, i%7, i%1000, i, i%500, 10+i%300)
		} else {
			fmt.Fprintf(w, "<testcase classname=\"%s\" name=\"test_behaviour_%06d[param-%d]\" time=\"0.%03d\"/>\n", cls, i, i%7, i%1000)
		}
	}
	w.WriteString("</testsuite></testsuites>\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// summaryLimit is GitHub's step-summary limit.
const summaryLimit = 1 << 20

// TestSummaryDegradesUnder1MiB: 100,000 tests with 10,000 failures. The
// most detailed rendering that fits must be under 1 MiB and still carry
// the counts; the full one cannot fit.
func TestSummaryDegradesUnder1MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("large report")
	}
	p := writeLargeReport(t, t.TempDir(), 100_000)
	r, err := Build(context.Background(), []string{p}, Options{MinTests: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Counts.Total != 100_000 || r.Counts.Failed != 10_000 || len(r.Failures) != 10_000 {
		t.Fatalf("counts = %+v, failures kept %d", r.Counts, len(r.Failures))
	}
	sizes := map[Detail]int{}
	chosen := Detail(-1)
	for _, d := range []Detail{DetailAll, DetailFailuresOnly, DetailCountsOnly} {
		s := r.Markdown(d)
		sizes[d] = len(s)
		if chosen < 0 && len(s) <= summaryLimit {
			chosen = d
		}
	}
	t.Logf("summary sizes: all %d, failures only %d, counts only %d bytes; chosen level %d", sizes[DetailAll], sizes[DetailFailuresOnly], sizes[DetailCountsOnly], chosen)
	if sizes[DetailAll] <= summaryLimit || sizes[DetailAll] > 3<<20 {
		t.Errorf("the full summary of 100,000 tests is %d bytes: want it over the limit (the test exercises degradation) and cut short soon after (no memory wasted)", sizes[DetailAll])
	}
	if chosen < 0 {
		t.Fatalf("no rendering fits 1 MiB: %v", sizes)
	}
	// Failures come first: the failures-only rendering lists as many as fit.
	if chosen != DetailFailuresOnly {
		t.Errorf("chosen level %d, want failures only", chosen)
	}
	s := r.Markdown(chosen)
	if !strings.Contains(s, "| unit | `tests.module_000.TestFeature00::test_behaviour_000000[param-0]` |") || !strings.Contains(s, "more failures, in the annotations") {
		t.Errorf("the failures-only summary does not list the first failures and the count of the rest:\n%.3000s", s)
	}
	if !strings.Contains(s, "**100000 tests**") || !strings.Contains(s, "| unit | 100000 | 90000 | 10000 |") {
		t.Errorf("the chosen summary lacks the counts:\n%.2000s", s)
	}
	if sizes[DetailFailuresOnly] >= sizes[DetailAll] || sizes[DetailCountsOnly] >= sizes[DetailFailuresOnly] {
		t.Errorf("levels do not shrink: %v", sizes)
	}
	// Every failure is located at its file and line from the traceback.
	if f := r.Failures[1]; f.File != "" || f.Line != 0 {
		// No workspace root: the file cannot be resolved, so no location is guessed.
		t.Errorf("failure located without a workspace: %+v", f)
	}
}

func BenchmarkBuild100k(b *testing.B) {
	p := writeLargeReport(b, b.TempDir(), 100_000)
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(context.Background(), []string{p}, Options{MinTests: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown100k(b *testing.B) {
	p := writeLargeReport(b, b.TempDir(), 100_000)
	r, err := Build(context.Background(), []string{p}, Options{MinTests: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []Detail{DetailAll, DetailFailuresOnly, DetailCountsOnly} {
		b.Run(fmt.Sprint(d), func(b *testing.B) {
			for b.Loop() {
				_ = r.Markdown(d)
			}
		})
	}
}

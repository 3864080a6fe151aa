package testreport

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/junit"
)

func TestSecondsEncoding(t *testing.T) {
	for _, s := range []float64{0, 1e-5, 0.001, 0.0123, 0.5, 1, 3.14159, 59.9, 3600, 1e5} {
		got := decodeSeconds(encodeSeconds(s))
		switch {
		case s < 6.2e-5:
			if got != 0 {
				t.Errorf("%g: decoded %g, want 0", s, got)
			}
		case s > 131071:
			if got < 1e5 {
				t.Errorf("%g: decoded %g, want the largest", s, got)
			}
		case math.Abs(got-s)/s > 1.0/1024:
			t.Errorf("%g: decoded %g, more than 0.1%% off", s, got)
		}
	}
	// Every field of the state survives packing beside the others.
	v := packState(junit.StatusError, true, 7, 300, 2.5)
	if stateStatus(v) != junit.StatusError || !stateSawFail(v) || stateAttempt(v) != 7 || stateTier(v) != 300 || math.Abs(stateSeconds(v)-2.5) > 0.003 {
		t.Errorf("unpacked %v %v %v %v %v", stateStatus(v), stateSawFail(v), stateAttempt(v), stateTier(v), stateSeconds(v))
	}
	if stateAttempt(packState(junit.StatusPassed, false, 99, 0, 0)) != maxAttempt {
		t.Error("an attempt past the cap is not the cap")
	}
}

func TestTestTableAgainstMap(t *testing.T) {
	tab := newTestTable(10) // grows several times
	want := map[uint64]uint32{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50_000 {
		h := r.Uint64()%20_000 + 1 // repeats: updates as well as inserts
		tab.put(h, uint32(i))
		want[h] = uint32(i)
	}
	if tab.n != len(want) {
		t.Fatalf("%d entries, want %d", tab.n, len(want))
	}
	for h, v := range want {
		if got, ok := tab.get(h); !ok || got != v {
			t.Fatalf("get(%d) = %d, %v; want %d", h, got, ok, v)
		}
	}
	if _, ok := tab.get(1 << 63); ok {
		t.Error("an absent hash was found")
	}
	n := 0
	tab.each(func(uint64, uint32) { n++ })
	if n != len(want) {
		t.Errorf("each visited %d, want %d", n, len(want))
	}
}

// TestCapsKeepCountsRight: with fewer failures kept than failed, the
// counts still cover every test and the rest are counted as unlisted; a
// test failing in attempt 1 and passing in attempt 2 is flaky whether or
// not its failure was kept.
func TestCapsKeepCountsRight(t *testing.T) {
	dir := t.TempDir()
	var a1, a2 strings.Builder
	a1.WriteString("<testsuite>")
	a2.WriteString("<testsuite>")
	for i := range 100 {
		fmt.Fprintf(&a1, `<testcase classname="c" name="t%d" time="0.5"><failure message="m%d"/></testcase>`, i, i)
		if i%2 == 0 { // the even ones pass in the re-run
			fmt.Fprintf(&a2, `<testcase classname="c" name="t%d" time="0.25"/>`, i)
		}
	}
	a1.WriteString("</testsuite>")
	a2.WriteString("</testsuite>")
	f1 := writeFile(t, dir, "junit-unit-1.xml", a1.String())
	f2 := writeFile(t, dir, "junit-unit-1-a2.xml", a2.String())
	r, err := Build(context.Background(), []string{f1, f2}, Options{MaxFailures: 10})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Counts
	if c.Total != 100 || c.Failed != 50 || c.Passed != 50 || c.Flaky != 50 {
		t.Errorf("counts %+v, want 100 tests: 50 failed, 50 passed and flaky", c)
	}
	if len(r.Failures)+len(r.FlakyTests) > 10 || r.Unlisted != 50-len(r.Failures) {
		t.Errorf("kept %d failures and %d flaky (cap 10), unlisted %d", len(r.Failures), len(r.FlakyTests), r.Unlisted)
	}
	// Test time: the latest attempt of each test (50 × 0.5 + 50 × 0.25).
	if math.Abs(c.Seconds-37.5) > 0.05 {
		t.Errorf("seconds %v, want 37.5", c.Seconds)
	}
	for _, f := range r.FlakyTests {
		if f.Message == "" || f.Attempts != 2 {
			t.Errorf("flaky test %+v: want its first failure's message and 2 attempts", f)
		}
	}
	if len(r.Slowest) != MaxSlowest {
		t.Errorf("%d slowest tests, want %d", len(r.Slowest), MaxSlowest)
	}
}

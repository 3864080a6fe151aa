package junit

import (
	"fmt"
	"strings"
	"testing"
)

// Many held failures share fingerprints (64Ki counters, short and long
// names, names that differ only before their last 16 bytes): every rerun
// is still recognised, passes between them are no reruns, and the
// counters return to zero as the held cases are delivered.
func TestRerunsRecognisedAcrossFingerprints(t *testing.T) {
	const n = 3000
	names := make([]string, n)
	for i := range names {
		switch i % 3 {
		case 0:
			names[i] = fmt.Sprintf("t%d", i) // under 16 bytes
		case 1:
			names[i] = fmt.Sprintf("test_%d_with_the_same_long_tail[param]", i) // the last 16 bytes are alike
		default:
			names[i] = fmt.Sprintf("test_parametrised[case-%06d]", i)
		}
	}
	var b strings.Builder
	b.WriteString(`<testsuite name="s">`)
	for _, name := range names {
		fmt.Fprintf(&b, `<testcase classname="c" name="%s"><failure message="m"/></testcase>`, name)
		fmt.Fprintf(&b, `<testcase classname="c" name="%s-pass"/>`, name)
	}
	for i, name := range names {
		if i%2 == 0 {
			fmt.Fprintf(&b, `<testcase classname="c" name="%s"/>`, name)
		} else {
			fmt.Fprintf(&b, `<testcase classname="c" name="%s"><failure message="again"/></testcase>`, name)
		}
	}
	b.WriteString(`</testsuite>`)
	cases, st, err := parseString(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Suites: 1, Tests: 2 * n, Passed: n + n/2, Failed: n / 2, Flaky: n / 2, Runs: 3 * n}
	st.Time = 0
	if st != want {
		t.Fatalf("stats = %+v, want %+v", st, want)
	}
	runs := map[string]int{}
	for _, c := range cases {
		runs[c.Name] = c.Runs
	}
	for i, name := range names {
		if runs[name] != 2 || runs[name+"-pass"] != 1 {
			t.Fatalf("case %d (%s): runs %d and %d, want 2 and 1", i, name, runs[name], runs[name+"-pass"])
		}
	}
}

func TestSeenCountersReturnToZero(t *testing.T) {
	var m merger
	m.init()
	var emitted int
	emit := func(Case) error { emitted++; return nil }
	e := &execution{suite: "s", classname: "c"}
	for i := range 100 {
		k := []byte(fmt.Sprintf("s\x00c\x00\x00name-%d", i))
		if err := m.add(k, len(k)-5, e, &run{status: StatusFailed}, emit); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.flush(emit); err != nil {
		t.Fatal(err)
	}
	if emitted != 100 {
		t.Fatalf("emitted %d cases, want 100", emitted)
	}
	for fp, n := range m.seen {
		if n != 0 {
			t.Fatalf("counter %d is %d after the flush", fp, n)
		}
	}
}

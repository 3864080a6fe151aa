package junit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func collect(t testing.TB, path string) ([]Case, Stats, error) {
	t.Helper()
	var cases []Case
	st, err := ParseFile(context.Background(), path, func(c Case) error {
		cases = append(cases, c)
		return nil
	})
	return cases, st, err
}

func parseString(t testing.TB, doc string) ([]Case, Stats, error) {
	t.Helper()
	var cases []Case
	st, err := Parse(context.Background(), strings.NewReader(doc), func(c Case) error {
		cases = append(cases, c)
		return nil
	})
	return cases, st, err
}

func TestParsePytest(t *testing.T) {
	cases, st, err := collect(t, "testdata/pytest-basic.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Suites: 1, Tests: 5, Passed: 2, Failed: 1, Errors: 1, Skipped: 1, Runs: 5, Time: 1.0}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	byName := map[string]Case{}
	for _, c := range cases {
		byName[c.Name] = c
	}
	bad := byName["test_bad"]
	if bad.Status != StatusFailed || bad.File != "tests/test_api.py" || bad.Line != 20 || bad.Suite != "pytest" || bad.Classname != "tests.test_api" {
		t.Errorf("test_bad = %+v", bad)
	}
	if bad.Message != "AssertionError: assert 1 == 2\n  where 1 = f()" || bad.Type != "AssertionError" {
		t.Errorf("test_bad message %q type %q", bad.Message, bad.Type)
	}
	if want := "def test_bad():\n>       assert f() == 2\nE       AssertionError"; bad.Detail != want {
		t.Errorf("test_bad detail %q, want %q", bad.Detail, want)
	}
	if c, ok := byName["test_boom[a&b]"]; !ok || c.Status != StatusError || c.Detail != "E  fixture 'db' <not> found" {
		t.Errorf("test_boom = %+v (found %v)", c, ok)
	}
	if c := byName["test_skip"]; c.Status != StatusSkipped || c.Message != `needs "postgres"` || c.Detail != "tests/test_api.py:30: needs postgres" {
		t.Errorf("test_skip = %+v", c)
	}
	if _, ok := byName["test_café"]; !ok {
		t.Errorf("character reference not decoded in name: %v", cases)
	}
}

func TestParseRetries(t *testing.T) {
	cases, st, err := collect(t, "testdata/retries.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Suites: 1, Tests: 6, Passed: 4, Failed: 1, Skipped: 1, Flaky: 2, Runs: 11, Time: 9}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	type brief struct {
		Class, Name string
		Status      Status
		Flaky       bool
		Runs        int
		Time        float64
		Message     string
	}
	var got []brief
	for _, c := range cases {
		got = append(got, brief{c.Classname, c.Name, c.Status, c.Flaky, c.Runs, c.Time, c.Message})
	}
	wantCases := []brief{
		{"a.B", "steady", StatusPassed, false, 1, 1, ""},
		{"a.B", "flaky", StatusPassed, true, 2, 3, "first"},
		{"a.C", "sf", StatusPassed, true, 3, 3, "timeout"},
		{"a.D", "flaky", StatusPassed, false, 1, 1, ""},
		{"a.D", "off", StatusSkipped, false, 1, 0, ""},
		{"a.C", "always", StatusFailed, false, 3, 1, "no"}, // failing cases come last

	}
	if len(got) != len(wantCases) {
		t.Fatalf("got %d cases %+v, want %d", len(got), got, len(wantCases))
	}
	for i := range got {
		if got[i] != wantCases[i] {
			t.Errorf("case %d = %+v, want %+v", i, got[i], wantCases[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		line      int
		msg       string
		notJUnit  bool
	}{
		{"truncated", "<testsuites>\n<testsuite name=\"a\">\n<testcase name=\"x\">\n<skipped", 4, "unexpected end of file in a tag", false},
		{"unclosed", "<testsuites>\n<testsuite name=\"a\">\n<testcase name=\"x\"><skipped>", 3, "<skipped> is not closed", false},
		{"cdata", "<testsuite>\n<testcase name=\"x\"><failure><![CDATA[oops\n</failure></testcase></testsuite>", 2, "CDATA", false},
		{"mismatch", "<testsuite>\n<testcase name=\"x\">\n</testsuite>", 3, "<testcase> is closed by </testsuite>", false},
		{"cut comment", "<testsuite>\n<!-", 2, "unexpected end of file in markup", false},
		{"doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>\n<testsuite/>", 2, "refused", false},
		{"nunit", "<?xml version=\"1.0\"?>\n\n<test-run id=\"2\"/>", 3, "root element <test-run>", true},
		{"suites", "<suites><suite/></suites>", 1, "root element <suites>", true},
		{"empty", "", 1, "no XML element", false},
		{"text only", "\n\nFAILED tests/test_a.py\n", 4, "no XML element", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseString(t, tt.doc)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if errors.Is(err, ErrNotJUnit) != tt.notJUnit {
				t.Errorf("errors.Is(%v, ErrNotJUnit) = %v", err, !tt.notJUnit)
			}
			var se *SyntaxError
			if errors.As(err, &se) && se.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", se.Line, tt.line, err)
			}
			if !tt.notJUnit && se == nil {
				t.Errorf("%v is not a *SyntaxError", err)
			}
		})
	}
}

// generated streams a report whose one attribute (or text) is n bytes
// long, without ever holding it.
type generated struct {
	head, tail string
	n, off     int64
	fill       byte
}

func (g *generated) Read(p []byte) (int, error) {
	h := int64(len(g.head))
	switch {
	case g.off < h:
		n := copy(p, g.head[g.off:])
		g.off += int64(n)
		return n, nil
	case g.off < h+g.n:
		n := int(min(int64(len(p)), h+g.n-g.off))
		p = p[:n]
		for i := range p {
			p[i] = g.fill
		}
		g.off += int64(n)
		return n, nil
	}
	rest := g.tail[min(g.off-h-g.n, int64(len(g.tail))):]
	if len(rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, rest)
	g.off += int64(n)
	return n, nil
}

func TestHugeAttributeRefused(t *testing.T) {
	g := &generated{head: "<testsuites>\n<testsuite name=\"s\">\n<testcase name=\"", tail: "\"/></testsuite></testsuites>", n: 1 << 30, fill: 'a'}
	_, _, err := parseReader(t, g)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 3 || !strings.Contains(err.Error(), "a tag is longer than") {
		t.Fatalf("err = %v, want a SyntaxError at line 3 about the tag size", err)
	}
	if g.off > 2*MaxTagSize+readSize {
		t.Errorf("read %d bytes before refusing", g.off)
	}
}

// A long failure text is kept up to MaxDetail, the rest is skipped
// without being held, and the parse goes on.
func TestHugeTextBounded(t *testing.T) {
	g := &generated{head: "<testsuite><testcase name=\"x\"><failure message=\"m\">", tail: "</failure></testcase><testcase name=\"y\"/></testsuite>", n: 8 << 20, fill: 'b'}
	cases, st, err := parseReader(t, g)
	if err != nil {
		t.Fatal(err)
	}
	if st.Tests != 2 || st.Failed != 1 || len(cases[1].Detail) != MaxDetail+len(TruncatedMark) || !strings.HasSuffix(cases[1].Detail, TruncatedMark) {
		t.Errorf("stats %+v, detail length %d", st, len(cases[1].Detail))
	}
}

func TestEntityBombRefused(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuite><testcase name="&lol3;"/></testsuite>`
	_, _, err := parseString(t, bomb)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v", err)
	}
}

func TestEntities(t *testing.T) {
	cases, _, err := parseString(t, `<testsuite name="s&#x20;1"><testcase classname="&lt;a&gt;" name="&quot;q&quot; &apos;a&apos; &#233;&#x1F600; &unknown; &amp;"><error message="&#0;bad">x &amp;&#10;y</error></testcase></testsuite>`)
	if err != nil {
		t.Fatal(err)
	}
	c := cases[0]
	if c.Suite != "s 1" || c.Classname != "<a>" || c.Name != `"q" 'a' é😀 &unknown; &` || c.Message != "&#0;bad" || c.Detail != "x &\ny" {
		t.Errorf("%+v", c)
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Parse(context.Background(), strings.NewReader(`<testsuite><testcase name="a"/><testcase name="b"/></testsuite>`), func(Case) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d calls", err, n)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Parse(ctx, strings.NewReader(`<testsuite/>`), func(Case) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func parseReader(t testing.TB, r io.Reader) ([]Case, Stats, error) {
	t.Helper()
	var cases []Case
	st, err := Parse(context.Background(), r, func(c Case) error {
		cases = append(cases, c)
		return nil
	})
	return cases, st, err
}

// A read error mid-tag is reported as such, not as a truncated report.
func TestReadErrorMidTag(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(`<testsuite><testcase name="a`), iotest.ErrReader(boom))
	_, _, err := parseReader(t, r)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the read error", err)
	}
}

// Many failures with long details: the held ones stay within the budget.
func TestHeldFailuresBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("<testsuite>")
	long := strings.Repeat("traceback line\n", 1400) // 21 KB, 21 MB in all
	for i := range 1000 {
		fmt.Fprintf(&b, `<testcase classname="c" name="t%d"><failure message="m">%s</failure></testcase>`, i, long)
	}
	b.WriteString("</testsuite>")
	var total, full int
	cases, st, err := parseString(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		total += len(c.Detail)
		if len(c.Detail) >= len(long)-1 {
			full++
		}
	}
	if st.Failed != 1000 || total > heldBudget+len(long)+1000*(heldSmall+len(TruncatedMark)) || full == 0 || full == 1000 {
		t.Errorf("failed %d, %d detail bytes, %d full details", st.Failed, total, full)
	}
}

func TestHugeCDATABounded(t *testing.T) {
	g := &generated{head: "<testsuite><testcase name=\"x\"><error message=\"m\"><![CDATA[\r\n", tail: "]]></error></testcase></testsuite>", n: 3 << 20, fill: 'c'}
	cases, st, err := parseReader(t, g)
	if err != nil {
		t.Fatal(err)
	}
	if st.Errors != 1 || len(cases[0].Detail) != MaxDetail-1+len(TruncatedMark) {
		t.Errorf("stats %+v, detail length %d", st, len(cases[0].Detail))
	}
}

func TestStatusText(t *testing.T) {
	for st := StatusPassed; st <= StatusError; st++ {
		b, err := st.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Status
		if err := back.UnmarshalText(b); err != nil || back != st {
			t.Errorf("%s: round trip gave %v, %v", b, back, err)
		}
	}
	var s Status
	if err := s.UnmarshalText([]byte("exploded")); err == nil {
		t.Error("unknown status accepted")
	}
	if _, err := Status(9).MarshalText(); err == nil {
		t.Error("Status(9) marshalled")
	}
}

func TestStatsAdd(t *testing.T) {
	var a Stats
	a.Add(Case{Status: StatusPassed, Flaky: true, Runs: 2, Time: 1})
	a.Add(Case{Status: StatusError, Runs: 1, Time: 2})
	a.Add(Case{Status: StatusSkipped, Runs: 1})
	a.Add(Case{Status: StatusFailed, Runs: 3, Time: 0.5})
	want := Stats{Tests: 4, Passed: 1, Failed: 1, Errors: 1, Skipped: 1, Flaky: 1, Runs: 7, Time: 3.5}
	if a != want {
		t.Errorf("%+v, want %+v", a, want)
	}
}

// A long tag arriving one byte per read is parsed in linear time (the tag
// is re-parsed only each time its bytes double); a quadratic scanner
// would not finish this test.
func TestLongTagSmallReads(t *testing.T) {
	g := &generated{head: "<testsuite><testcase name=\"", tail: "\"/></testsuite>", n: 2 << 20, fill: 'n'}
	var cases []Case
	st, err := parse(newScannerSize(context.Background(), iotest.OneByteReader(g), 16), func(c Case) error {
		cases = append(cases, c)
		return nil
	})
	if err != nil || st.Tests != 1 || len(cases[0].Name) != 2<<20 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
}

// Past maxHeld failing cases the oldest is delivered as failed; its late
// rerun is a case of its own, a recent failure's rerun still merges.
func TestMaxHeld(t *testing.T) {
	var b strings.Builder
	b.WriteString("<testsuite>")
	n := maxHeld + 10
	for i := range n {
		fmt.Fprintf(&b, `<testcase classname="c" name="t%d"><failure/></testcase>`, i)
	}
	fmt.Fprintf(&b, `<testcase classname="c" name="t0"/><testcase classname="c" name="t%d"/></testsuite>`, n-1)
	cases, st, err := parseString(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Suites: 1, Tests: n + 1, Passed: 2, Failed: n - 1, Flaky: 1, Runs: n + 2}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	if cases[0].Name != "t0" || cases[0].Status != StatusFailed {
		t.Errorf("first delivered %+v, want t0 failed", cases[0])
	}
}

// Real pytest reports: our counts equal the totals pytest wrote on its
// <testsuite> (tests=9 errors=1 failures=2 skipped=2).
func TestRealPytest(t *testing.T) {
	for _, f := range []string{"testdata/pytest-xunit1.xml", "testdata/pytest-xunit2.xml"} {
		_, st, err := collect(t, f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Tests != 9 || st.Errors != 1 || st.Failed != 2 || st.Skipped != 2 || st.Passed != 4 {
			t.Errorf("%s: %+v", f, st)
		}
	}
}

func TestGoogletestDisabled(t *testing.T) {
	cases, st, err := parseString(t, `<testsuites><testsuite name="Math"><testcase name="DISABLED_Div" status="notrun" result="suppressed" time="0" classname="Math"/><testcase name="Add" status="run" result="completed" time="0.1" classname="Math" file="math_test.cc" line="-3"/></testsuite></testsuites>`)
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped != 1 || st.Passed != 1 || cases[0].Status != StatusSkipped || cases[1].Line != 0 {
		t.Errorf("%+v %+v", st, cases)
	}
}

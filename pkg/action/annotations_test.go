package action

import (
	"fmt"
	"strings"
	"testing"
)

func TestAnnotationEscaping(t *testing.T) {
	a := Annotation{Level: LevelError, Title: "a: b, c", File: "dir/x,y.py", Line: 3, Col: 2, Message: "100% broken\r\nsecond line"}
	want := "::error col=2,file=dir/x%2Cy.py,line=3,title=a%3A b%2C c::100%25 broken%0D%0Asecond line"
	if got := a.Command(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAnnotationBudget(t *testing.T) {
	var all []Annotation
	for i := 0; i < 25; i++ {
		all = append(all, Annotation{Level: LevelError, Message: fmt.Sprintf("e%d", i), Rank: i % 5, seq: i})
	}
	for i := 0; i < 3; i++ {
		all = append(all, Annotation{Level: LevelWarning, Message: "w", seq: 100 + i})
	}
	for i := 0; i < 12; i++ {
		all = append(all, Annotation{Level: LevelNotice, Message: "n", seq: 200 + i})
	}
	got := selectAnnotations(all)
	count := map[Level]int{}
	for _, a := range got {
		count[a.Level]++
	}
	if count[LevelError] != 10 || count[LevelWarning] != 3 || count[LevelNotice] != 10 {
		t.Fatalf("per level %v", count)
	}
	// the highest ranks come first, in reported order within a rank
	if got[0].Message != "e4" || got[1].Message != "e9" || got[9].Message != "e23" {
		t.Errorf("order %v", got[:10])
	}
	last := got[len(got)-1]
	if !strings.Contains(last.Message, "18 more annotations not shown (15 errors, 0 warnings, 3 notices)") {
		t.Errorf("count notice = %q", last.Message)
	}
}

func TestChooseSummaryCutsAtBlocks(t *testing.T) {
	big := strings.Repeat("| r |\n", 100) + "\n" + strings.Repeat("x", 2000)
	got := chooseSummary(func(Detail) string { return big }, 1000)
	if len(got) > 1000 || strings.Contains(got, "xxx") || !strings.Contains(got, "shortened") {
		t.Fatalf("%d bytes: %q", len(got), got)
	}
}

func FuzzFileCommandRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "a\nb", "x<<EOF\ny\nEOF", "ghadelimiter_", "a=b\nc=d", "\r", "a\r\nb=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		enc, err := formatFileCommand("out", v)
		if err != nil {
			return
		}
		got, err := ParseFileCommands(enc)
		if err != nil {
			t.Fatalf("%q: %v", enc, err)
		}
		// The runner reads the file by lines, so carriage returns next to a
		// line break may be lost; what may never happen is another output.
		want := strings.ReplaceAll(v, "\r", "")
		if len(got) != 1 || strings.ReplaceAll(got["out"], "\r", "") != want {
			t.Fatalf("value %q read back as %q", v, got)
		}
	})
}

func TestLocalLinesNameTheInputOnce(t *testing.T) {
	var b strings.Builder
	writeAnnotations(&b, []Annotation{
		{Level: LevelError, Title: "Input plan-file", Message: `input "plan-file": x.json leaves the workspace`},
		{Level: LevelError, Title: "Input tags", Message: "a rule without the input's name"},
		{Level: LevelWarning, Title: "Flaky test", Message: "t passed on retry"},
	}, true)
	want := "error: input \"plan-file\": x.json leaves the workspace\n" +
		"error: Input tags: a rule without the input's name\n" +
		"warning: Flaky test: t passed on retry\n"
	if b.String() != want {
		t.Errorf("local lines:\n%s\nwant:\n%s", b.String(), want)
	}
}

package action_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/pkg/action"
)

// referenceHelp is the straightforward rendering Help replaced (fmt,
// strings.Fields, ReplaceAll); Help must give the same bytes.
func referenceHelp(name string, meta *action.Metadata) string {
	wrap := func(s string, width int) string {
		var b strings.Builder
		n := 0
		for _, w := range strings.Fields(s) {
			if n > 0 && n+1+len(w) > width {
				b.WriteByte('\n')
				n = 0
			} else if n > 0 {
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += len(w)
		}
		return b.String()
	}
	first := func(s string) string {
		s = strings.TrimSpace(s)
		if i := strings.Index(s, "\n\n"); i >= 0 {
			return s[:i]
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "timetracker-ci %s: %s\n\n%s\n\nUsage: timetracker-ci %s [--input value ...] [-- args]\n", name, meta.Name, wrap(meta.Description, 78), name)
	if len(meta.Inputs) > 0 {
		b.WriteString("\nInputs (flags, or INPUT_<NAME> variables as on GitHub):\n")
		for _, in := range meta.Inputs {
			extra := ""
			if in.Required {
				extra = " (required)"
			} else if in.Default != "" {
				extra = fmt.Sprintf(" (default %q)", in.Default)
			}
			fmt.Fprintf(&b, "  --%s%s\n      %s\n", in.Name, extra, strings.ReplaceAll(wrap(first(in.Description), 72), "\n", "\n      "))
		}
	}
	if len(meta.Outputs) > 0 {
		b.WriteString("\nOutputs (printed as name=value outside GitHub Actions):\n")
		for _, out := range meta.Outputs {
			fmt.Fprintf(&b, "  %s\n      %s\n", out.Name, strings.ReplaceAll(wrap(first(out.Description), 72), "\n", "\n      "))
		}
	}
	return b.String()
}

func TestHelpAsReference(t *testing.T) {
	metas := map[string]*action.Metadata{
		"odd": {
			Name:        "odd",
			Description: "  words\tseparated\u00a0by  odd\u2003spaces\nand a very-long-word-that-is-longer-than-the-line-width-of-seventy-eight-characters-for-sure here\n\nsecond paragraph",
			Inputs: []action.Input{
				{Name: "a", Description: "", Default: "x\ny\"z"},
				{Name: "b", Description: "\n\nonly a second paragraph", Required: true},
				{Name: "c", Description: strings.Repeat("é ", 100), Default: "\u00ff\x01"},
			},
			Outputs: []action.Output{{Name: "o", Description: strings.Repeat("word ", 60)}, {Name: "p"}},
		},
		"empty": {Name: "empty"},
	}
	for _, a := range actions.Program("test").Actions {
		meta, err := a.Meta()
		if err != nil {
			t.Fatal(err)
		}
		metas[a.Name] = meta
	}
	for name, meta := range metas {
		if got, want := action.Help(name, meta), referenceHelp(name, meta); got != want {
			t.Errorf("%s: Help differs from the reference rendering:\n got %q\nwant %q", name, got, want)
		}
	}
}

// Help is the text of `<action> --help`, part of every start measured
// against hello world (scripts/bench-start.sh).
func BenchmarkHelp(b *testing.B) {
	a := actions.Program("test").Actions[0]
	meta, err := a.Meta()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = action.Help(a.Name, meta)
	}
}

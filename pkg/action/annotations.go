package action

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// Level is an annotation's severity.
type Level int

// The three annotation levels GitHub shows.
const (
	LevelNotice Level = iota
	LevelWarning
	LevelError
)

func (l Level) command() string {
	switch l {
	case LevelError:
		return "error"
	case LevelWarning:
		return "warning"
	}
	return "notice"
}

// Annotation is one finding to show on the run and, with a file and line, on the diff.
type Annotation struct {
	Level                      Level
	Title, Message, File       string
	Line, EndLine, Col, EndCol int
	Rank                       int // higher is more useful; kept first when over budget
	seq                        int
}

// AnnotationBudget is how many annotations of each level GitHub shows for one step.
const AnnotationBudget = 10

// Command encodes the annotation as a workflow command with escaped data
// and properties (%, CR, LF; and : , in properties).
func (a Annotation) Command() string {
	props := githubactions.CommandProperties{}
	if a.Title != "" {
		props["title"] = a.Title
	}
	if a.File != "" {
		props["file"] = a.File
	}
	for k, v := range map[string]int{"line": a.Line, "endLine": a.EndLine, "col": a.Col, "endColumn": a.EndCol} {
		if v > 0 {
			props[k] = strconv.Itoa(v)
		}
	}
	cmd := githubactions.Command{Name: a.Level.command(), Message: capMessage(a.Message), Properties: props}
	return cmd.String()
}

// selectAnnotations applies the per-level budget: the highest-ranked first
// (then in the order reported), and one notice counting what was left out.
func selectAnnotations(all []Annotation) []Annotation {
	byLevel := map[Level][]Annotation{}
	for _, a := range all {
		byLevel[a.Level] = append(byLevel[a.Level], a)
	}
	over := false
	for _, as := range byLevel {
		over = over || len(as) > AnnotationBudget
	}
	var out []Annotation
	dropped := map[Level]int{}
	for _, lvl := range []Level{LevelError, LevelWarning, LevelNotice} {
		as := byLevel[lvl]
		sort.SliceStable(as, func(i, j int) bool {
			if as[i].Rank != as[j].Rank {
				return as[i].Rank > as[j].Rank
			}
			return as[i].seq < as[j].seq
		})
		budget := AnnotationBudget
		if lvl == LevelNotice && over {
			budget-- // one notice is kept for the count of what was left out
		}
		if len(as) > budget {
			dropped[lvl] = len(as) - budget
			as = as[:budget]
		}
		out = append(out, as...)
	}
	if n := dropped[LevelError] + dropped[LevelWarning] + dropped[LevelNotice]; n > 0 {
		out = append(out, Annotation{Level: LevelNotice, Title: "More findings",
			Message: fmt.Sprintf("%d more annotations not shown (%d errors, %d warnings, %d notices): GitHub shows %d of each level per step; see the job summary and the log",
				n, dropped[LevelError], dropped[LevelWarning], dropped[LevelNotice], AnnotationBudget)})
	}
	return out
}

// writeAnnotations prints the selected annotations, as workflow commands
// under Actions and as plain lines for a person otherwise.
func writeAnnotations(w io.Writer, all []Annotation, local bool) {
	for _, a := range selectAnnotations(all) {
		if !local {
			fmt.Fprintln(w, a.Command())
			continue
		}
		loc := ""
		if a.File != "" {
			loc = a.File
			if a.Line > 0 {
				loc += ":" + strconv.Itoa(a.Line)
			}
			loc += ": "
		}
		title := ""
		if a.Title != "" && !namesInput(a) {
			title = a.Title + ": "
		}
		fmt.Fprintf(w, "%s: %s%s%s\n", a.Level.command(), loc, title, defuse(capMessage(a.Message)))
	}
}

// namesInput reports whether an input error's message already names the
// input its title names, so a local line does not say it twice.
func namesInput(a Annotation) bool {
	name, ok := strings.CutPrefix(a.Title, "Input ")
	return ok && strings.HasPrefix(a.Message, `input "`+name+`"`)
}

// maxAnnotationMessage bounds one annotation's text: an error joining
// thousands of file problems must not print a megabyte line; the summary
// and the log keep the detail.
const maxAnnotationMessage = 8 << 10

func capMessage(m string) string {
	if len(m) <= maxAnnotationMessage {
		return m
	}
	return strings.ToValidUTF8(m[:maxAnnotationMessage], "") + fmt.Sprintf("… (%d more bytes: see the log)", len(m)-maxAnnotationMessage)
}

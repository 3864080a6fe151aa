package testreport

import (
	"fmt"

	"github.com/org/timetracker-ci/pkg/junit"
)

// Level is an annotation's severity (the test-report glue maps it onto the
// runtime's).
type Level int

// Annotation levels.
const (
	LevelNotice Level = iota
	LevelWarning
	LevelError
)

// Annotation is one finding for the run page and the diff.
type Annotation struct {
	Level          Level
	Title, Message string
	File           string
	Line           int
	Rank           int // higher is more useful: kept first under GitHub's budget
}

// Annotations are the report's findings, ranked: unreadable result files
// and failures with a file and line first (they show on the diff), then
// failures without a location, then flaky tests as warnings. The caller's
// budget keeps the highest-ranked.
func (r *Report) Annotations() []Annotation {
	var out []Annotation
	for _, fe := range r.FileErrors {
		out = append(out, Annotation{Level: LevelError, Title: "Unreadable test results", Message: fe.Msg, File: fe.File, Line: fe.Line, Rank: 40})
	}
	for _, t := range r.Failures {
		rank := 20
		if t.File != "" {
			rank = 25
			if t.Line > 0 {
				rank = 30
			}
		}
		kind := "failed"
		if t.Status == junit.StatusError {
			kind = "errored"
		}
		msg := oneLine(firstNonEmpty(t.Message, t.Type, kind), 1000)
		if det := t.Detail; det != "" {
			if len(det) > 4000 {
				det = det[:4000] + "\n… (cut)"
			}
			msg += "\n\n" + det
		}
		out = append(out, Annotation{Level: LevelError, Title: fmt.Sprintf("%s %s: %s", tierLabel(t.Tier), kind, t.ID), Message: msg, File: t.File, Line: t.Line, Rank: rank})
	}
	for _, t := range r.FlakyTests {
		out = append(out, Annotation{Level: LevelWarning, Title: fmt.Sprintf("%s flaky: %s", tierLabel(t.Tier), t.ID),
			Message: fmt.Sprintf("passed after failing (%d runs): %s", t.Runs, oneLine(firstNonEmpty(t.Message, t.Type, "failed"), 1000)), File: t.File, Line: t.Line, Rank: 10})
	}
	return out
}

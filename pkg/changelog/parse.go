package changelog

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"strconv"
	"strings"
)

// Entry is one line of the changelog.
type Entry struct {
	Type         string // feat, fix, perf, docs, …; empty for free-form messages
	Scope        string
	Description  string
	Breaking     bool
	BreakingNote string // the BREAKING CHANGE footer, when there is one
	PRs          []int  // pull requests the message refers to as (#123)
}

var (
	header   = lazyre.New(`^([A-Za-z]+)(?:\(([^()\r\n]*)\))?(!)?:[ \t]+(.+)$`)
	prRef    = lazyre.New(`\(#(\d+)\)`)
	footerBC = lazyre.New(`(?m)^BREAKING[ -]CHANGE:[ \t]*(.*)$`)
)

// Parse reads a commit message as a conventional commit; a message that is
// not one becomes a free-form entry with its subject as the description.
func Parse(message string) Entry {
	message = strings.ReplaceAll(message, "\r\n", "\n")
	subject, body, _ := strings.Cut(strings.TrimSpace(message), "\n")
	subject = strings.TrimSpace(subject)
	var e Entry
	if m := header.FindStringSubmatch(subject); m != nil {
		e.Type, e.Scope, e.Breaking, e.Description = strings.ToLower(m[1]), strings.TrimSpace(m[2]), m[3] == "!", strings.TrimSpace(m[4])
	} else {
		e.Description = subject
	}
	if m := footerBC.FindStringSubmatch(body); m != nil {
		e.Breaking = true
		e.BreakingNote = strings.TrimSpace(m[1])
	}
	for _, m := range prRef.FindAllStringSubmatch(e.Description, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			e.PRs = append(e.PRs, n)
		}
	}
	e.Description = strings.TrimSpace(prRef.ReplaceAllString(e.Description, ""))
	return e
}

var (
	prMerge    = lazyre.New(`^Merge pull request #(\d+) from \S+`)
	otherMerge = lazyre.New(`^Merge (branch|remote-tracking branch|tag|commit) `)
)

// mergedPR returns the pull request a GitHub merge commit merged and the
// title GitHub puts in its body.
func mergedPR(message string) (int, string, bool) {
	subject, body, _ := strings.Cut(strings.TrimSpace(message), "\n")
	m := prMerge.FindStringSubmatch(subject)
	if m == nil {
		return 0, "", false
	}
	n, _ := strconv.Atoi(m[1])
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return n, line, true
		}
	}
	return n, "", true
}

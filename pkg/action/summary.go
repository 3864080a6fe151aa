package action

import "strings"

// Detail is how much a summary rendering shows.
type Detail int

// Renderings from the most to the least detailed.
const (
	DetailFull Detail = iota
	DetailReduced
	DetailMinimal
)

// SummaryLimit is GitHub's limit for one step's summary.
const SummaryLimit = 1 << 20

// chooseSummary renders the most detailed summary that fits the limit. If
// even the minimal one does not, it is cut at the last block boundary (a
// blank line), so no table or code block is left open.
func chooseSummary(render func(Detail) string, limit int) string {
	var s string
	for _, d := range []Detail{DetailFull, DetailReduced, DetailMinimal} {
		s = render(d)
		if len(s) <= limit {
			return s
		}
	}
	const note = "\n\n_Summary shortened to stay under GitHub's 1 MiB limit; the full report is in the log._\n"
	cut := s[:limit-len(note)]
	if i := strings.LastIndex(cut, "\n\n"); i > 0 {
		cut = cut[:i]
	} else {
		cut = ""
	}
	return cut + note
}

// OutputBudget is GitHub's limit for a job's outputs: "Outputs can be a
// maximum of 1 MB per job ... Size is approximated based on UTF-16
// encoding" (https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs).
// An ASCII character counts two bytes.
const OutputBudget = 1 << 20

// SummaryFailure is the line a summary opens its body with when the run
// failed: the error on one line, so a table after it is not broken.
func SummaryFailure(err error) string {
	if err == nil {
		return ""
	}
	return "**Failed:** " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n\n"
}

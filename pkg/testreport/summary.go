package testreport

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/junit"
)

// Detail is how much a rendering shows: everything, failures only, or
// counts only (the test-report glue maps the runtime's renderings onto these).
type Detail int

// Renderings from the most to the least detailed.
const (
	DetailAll          Detail = iota // everything: failures with their details, the slowest tests
	DetailFailuresOnly               // failures (one line each, as many as fit), flaky tests, shards, coverage
	DetailCountsOnly                 // counts, problems and coverage figures
)

// failuresBudget is where the failures-only rendering stops listing
// failures: under GitHub's 1 MiB with room for flaky tests, shards and coverage.
const failuresBudget = 800 << 10

// flakyBudget is where the failures-only rendering stops listing flaky tests.
const flakyBudget = 900 << 10

// renderCap stops the full rendering once it is certain not to fit
// GitHub's 1 MiB: the caller then asks for less detail.
const renderCap = 2 << 20

// maxDetailText bounds a failure's detail in the full summary.
const maxDetailText = 4 << 10

// Markdown renders the job summary at a level of detail: one section after
// another, each deciding what it shows at that level.
func (r *Report) Markdown(d Detail) string {
	var b strings.Builder
	r.mdHeader(&b)
	r.mdProblems(&b, d)
	if !r.mdFailures(&b, d) {
		return b.String() // cut: far over GitHub's limit, this rendering will not be used
	}
	r.mdFlaky(&b, d)
	r.mdShards(&b, d)
	r.mdCoverage(&b, d)
	r.mdSlowest(&b, d)
	return b.String()
}

// mdHeader: the verdict, the totals and the table of tiers.
func (r *Report) mdHeader(b *strings.Builder) {
	icon, verdict := "✅", "Tests passed"
	if !r.Passed() {
		icon, verdict = "❌", "Tests failed"
	}
	fmt.Fprintf(b, "## %s %s\n\n", icon, verdict)
	c := r.Counts
	fmt.Fprintf(b, "**%d tests** in %d result files: %d passed, %d failed, %d errors, %d skipped, %d flaky; %s of test time",
		c.Total, r.Files, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky, formatSeconds(c.Seconds))
	if r.Coverage != nil {
		fmt.Fprintf(b, "; coverage %.2f%%", *r.Coverage)
	}
	if r.DiffCoverage != nil {
		fmt.Fprintf(b, "; diff coverage %.2f%%", *r.DiffCoverage)
	}
	b.WriteString(".\n\n")

	b.WriteString("| Tier | Tests | Passed | Failed | Errors | Skipped | Flaky | Time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Tiers {
		tc := t.Counts
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", cell(tierLabel(t.Name)), tc.Total, tc.Passed, tc.Failed, tc.Errors, tc.Skipped, tc.Flaky, formatSeconds(tc.Seconds))
	}
	if len(r.Tiers) > 1 {
		fmt.Fprintf(b, "| **total** | %d | %d | %d | %d | %d | %d | %s |\n", c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky, formatSeconds(c.Seconds))
	}
	b.WriteString("\n")
}

// mdProblems: why the run fails besides failing tests (20 at the least detail).
func (r *Report) mdProblems(b *strings.Builder, d Detail) {
	if len(r.Problems) == 0 {
		return
	}
	b.WriteString("### Problems\n\n")
	limit := len(r.Problems)
	if d == DetailCountsOnly {
		limit = min(limit, 20)
	}
	for _, p := range r.Problems[:limit] {
		fmt.Fprintf(b, "- %s\n", oneLine(p, 500))
	}
	if limit < len(r.Problems) {
		fmt.Fprintf(b, "- … and %d more (see the json output)\n", len(r.Problems)-limit)
	}
	b.WriteString("\n")
}

// mdFailures: every kept failure with its detail (full), one line each as
// many as fit (failures only), or the count (counts only). It returns false
// when the full rendering was cut for being far over the limit.
func (r *Report) mdFailures(b *strings.Builder, d Detail) bool {
	c := r.Counts
	nFail := c.Failed + c.Errors
	switch {
	case nFail == 0:
		return true
	case d == DetailCountsOnly:
		fmt.Fprintf(b, "### Failures (%d)\n\nThe failures are not listed here: the list would pass GitHub's 1 MiB summary limit. They are in the annotations, the log and the json output.\n\n", nFail)
		return true
	}
	fmt.Fprintf(b, "### Failures (%d)\n\n", nFail)
	if d == DetailFailuresOnly {
		b.WriteString("| Tier | Test | Location | Message |\n|---|---|---|---|\n")
		for i, t := range r.Failures {
			// Failures come first: list as many as leave room for the rest
			// of the summary under the limit, then say how many are left.
			if b.Len() > failuresBudget {
				fmt.Fprintf(b, "\n… and %d more failures, in the annotations, the log and the json output.\n", len(r.Failures)-i)
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(tierLabel(t.Tier)), code(t.ID), r.link(t), cell(oneLine(firstNonEmpty(t.Message, t.Type, t.StatusName()), 160)))
		}
	} else {
		for _, t := range r.Failures {
			if b.Len() > renderCap {
				b.WriteString("\n… (cut)\n")
				return false
			}
			fmt.Fprintf(b, "<details><summary>%s <b>%s</b> %s: %s</summary>\n\n", esc(tierLabel(t.Tier)), esc(t.ID), r.htmlLink(t), esc(oneLine(firstNonEmpty(t.Message, t.Type, t.StatusName()), 300)))
			if det := strings.TrimSpace(t.Detail); det != "" {
				if len(det) > maxDetailText {
					det = det[:maxDetailText] + "\n… (cut)"
				}
				fence := "```"
				for strings.Contains(det, fence) {
					fence += "`"
				}
				fmt.Fprintf(b, "%s\n%s\n%s\n\n", fence, det, fence)
			}
			b.WriteString("</details>\n")
		}
		b.WriteString("\n")
	}
	if r.Unlisted > 0 {
		fmt.Fprintf(b, "\n… and %d more failures not kept (see the log).\n", r.Unlisted)
	}
	b.WriteString("\n")
	return true
}

// mdFlaky: the flaky tests kept, with their first failure.
func (r *Report) mdFlaky(b *strings.Builder, d Detail) {
	if len(r.FlakyTests) == 0 {
		return
	}
	fmt.Fprintf(b, "### Flaky tests (%d)\n\n", r.Counts.Flaky)
	if d == DetailCountsOnly {
		b.WriteString("Passed after failing; listed in the json output.\n\n")
		return
	}
	b.WriteString("| Tier | Test | Runs | First failure |\n|---|---|---:|---|\n")
	listed := 0
	for _, t := range r.FlakyTests {
		if d == DetailFailuresOnly && b.Len() > flakyBudget {
			break // room for the shards and coverage under the limit
		}
		fmt.Fprintf(b, "| %s | %s | %d | %s |\n", cell(tierLabel(t.Tier)), code(t.ID), t.Runs, cell(oneLine(firstNonEmpty(t.Message, t.Type), 160)))
		listed++
	}
	if n := r.Counts.Flaky - listed; n > 0 {
		fmt.Fprintf(b, "\n… and %d more flaky tests, in the annotations and the json output.\n", n)
	}
	b.WriteString("\n")
}

// mdShards: each shard's predicted and actual time.
func (r *Report) mdShards(b *strings.Builder, d Detail) {
	if len(r.Shards) == 0 || d == DetailCountsOnly {
		return
	}
	b.WriteString("### Shards: predicted and actual time\n\n| Tier | Shard | Predicted | Actual | Tests | Attempts |\n|---|---:|---:|---:|---:|---|\n")
	for _, s := range r.Shards {
		actual := formatSeconds(s.ActualSeconds)
		if !s.Reported {
			actual = "**did not report**"
		}
		pred := "–"
		if s.Planned {
			pred = formatSeconds(s.PredictedSeconds)
		}
		atts := make([]string, len(s.Attempts))
		for i, a := range s.Attempts {
			atts[i] = strconv.Itoa(a)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %d | %s |\n", cell(tierLabel(s.Tier)), s.Shard, pred, actual, s.Tests, strings.Join(atts, ", "))
	}
	b.WriteString("\n")
}

// mdCoverage: the total and the changed lines, with what was not executed.
func (r *Report) mdCoverage(b *strings.Builder, d Detail) {
	if r.Coverage == nil {
		return
	}
	b.WriteString("### Coverage\n\n")
	fmt.Fprintf(b, "- Total: **%.2f%%**", *r.Coverage)
	if th := r.options.CoverageThreshold; th > 0 {
		fmt.Fprintf(b, " (threshold %.2f%%)", th)
	}
	b.WriteString("\n")
	if r.DiffCoverage != nil {
		fmt.Fprintf(b, "- Changed lines: **%.2f%%**, %d of %d coverable changed lines executed", *r.DiffCoverage, r.DiffCovered, r.DiffLines)
		if th := r.options.DiffCoverageThreshold; th > 0 {
			fmt.Fprintf(b, " (threshold %.2f%%)", th)
		}
		if r.DiffLines == 0 {
			b.WriteString(" (no coverable line changed: counted as 100%)")
		}
		b.WriteString("\n")
		if d != DetailCountsOnly {
			for _, m := range r.DiffMissed {
				fmt.Fprintf(b, "  - not executed: `%s` lines %s\n", m.File, ranges(m.Lines))
			}
		}
	}
	b.WriteString("\n")
}

// mdSlowest: the slowest tests, in the full rendering.
func (r *Report) mdSlowest(b *strings.Builder, d Detail) {
	if d != DetailAll || len(r.Slowest) == 0 {
		return
	}
	fmt.Fprintf(b, "### Slowest tests\n\n| Tier | Test | Result | Time |\n|---|---|---|---:|\n")
	for _, t := range r.Slowest {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(tierLabel(t.Tier)), code(t.ID), statusIcon(t), formatSeconds(t.Seconds))
	}
	b.WriteString("\n")
}

func statusIcon(t Test) string {
	switch {
	case t.Flaky:
		return "⚠️ flaky"
	case t.Status == junit.StatusPassed:
		return "✅ passed"
	case t.Status == junit.StatusSkipped:
		return "⏭️ skipped"
	case t.Status == junit.StatusFailed:
		return "❌ failed"
	}
	return "💥 error"
}

func location(t Test) string {
	if t.File == "" {
		return ""
	}
	if t.Line > 0 {
		return t.File + ":" + strconv.Itoa(t.Line)
	}
	return t.File
}

// link is a failure's location as a Markdown link to the source when the
// report knows where the source is, else as text.
func (r *Report) link(t Test) string {
	loc := cell(location(t))
	if u := r.sourceLink(t); u != "" {
		return "[" + loc + "](" + u + ")"
	}
	return loc
}

// htmlLink is link inside HTML (a <summary> does not render Markdown).
func (r *Report) htmlLink(t Test) string {
	loc := esc(location(t))
	if u := r.sourceLink(t); u != "" {
		return `<a href="` + esc(u) + `">` + loc + `</a>`
	}
	return loc
}

func (r *Report) sourceLink(t Test) string {
	base := r.options.SourceURL
	if base == "" || t.File == "" || strings.HasPrefix(t.File, "/") || strings.HasPrefix(t.File, "..") {
		return ""
	}
	u := strings.TrimSuffix(base, "/") + "/" + (&url.URL{Path: t.File}).EscapedPath()
	if t.Line > 0 {
		u += "#L" + strconv.Itoa(t.Line)
	}
	return u
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// oneLine keeps the first non-empty line, cut to n bytes on a rune boundary.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if len(s) > n {
		cut := n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return esc(s)
}

// esc neutralises HTML in text shown in the summary.
func esc(s string) string { return htmlEscaper.Replace(s) }

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func code(s string) string {
	s = strings.ReplaceAll(cell(s), "`", "'")
	return "`" + s + "`"
}

func formatSeconds(s float64) string {
	if s < 60 {
		return strconv.FormatFloat(s, 'f', 2, 64) + "s"
	}
	return (time.Duration(s*1000) * time.Millisecond).Round(time.Second).String()
}

// ranges prints 1,2,3,7 as "1-3, 7".
func ranges(ls []int) string {
	var parts []string
	for i := 0; i < len(ls); {
		j := i
		for j+1 < len(ls) && ls[j+1] == ls[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ls[i], ls[j]))
		} else {
			parts = append(parts, strconv.Itoa(ls[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

package metrics

import (
	"fmt"
	"html"
	"strings"
	"time"
)

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}

func dur(v *float64) string {
	if v == nil {
		return "—"
	}
	return (time.Duration(*v) * time.Second).Round(time.Minute).String()
}

// Markdown renders the report for the job summary: the totals, then the
// last weeks (at most maxWeeks) as charts GitHub draws, then a table.
func (r Report) Markdown(repo string, maxWeeks int) string {
	var b strings.Builder
	t := r.Totals
	fmt.Fprintf(&b, "## Pipeline metrics%s\n\n", map[bool]string{true: " for " + repo, false: ""}[repo != ""])
	if len(r.Weeks) > 0 {
		fmt.Fprintf(&b, "%s to %s, %d weeks.\n\n", r.Weeks[0].Start.Format("2006-01-02"), r.Weeks[len(r.Weeks)-1].Start.AddDate(0, 0, 6).Format("2006-01-02"), len(r.Weeks))
	}
	b.WriteString("| CI success rate | build time (median / p90) | deployments | lead time (median) | change failure rate | time to restore (median) |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s of %d runs | %s / %s | %d | %s | %s (%d of %d) | %s (%d) |\n\n", pct(t.SuccessRate), t.Runs, dur(t.BuildP50), dur(t.BuildP90),
		t.Deployments, dur(t.LeadTimeP50), pct(t.ChangeFailureRate), t.FailedChanges, t.Changes, dur(t.RestoreP50), t.Restores)
	if t.Reports > 0 {
		fmt.Fprintf(&b, "Tests on the default branch: %s in the last report, coverage %s; %d distinct flaky tests in %d reports.\n\n", intOr(t.Tests), pctOf(t.Coverage), t.FlakyTests, t.Reports)
	}
	if len(t.TopFlaky) > 0 {
		b.WriteString("| most flaky tests | runs flaky |\n|---|---|\n")
		for _, f := range t.TopFlaky {
			fmt.Fprintf(&b, "| %s | %d |\n", cell(f.Name), f.Runs)
		}
		b.WriteString("\n")
	}
	last := r
	if maxWeeks > 0 && len(last.Weeks) > maxWeeks {
		last.Weeks = last.Weeks[len(last.Weeks)-maxWeeks:]
	}
	for _, s := range last.Charts() {
		b.WriteString(s.Mermaid())
		b.WriteString("\n")
	}
	b.WriteString("Weeks without a measurement are drawn at 0 above; the table and the SVG charts leave them out.\n\n")
	b.WriteString("| week | CI runs | success | build p50 | build p90 | deployments | lead time | change failure | restore | tests | coverage | flaky |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, w := range last.Weeks {
		flaky := "—"
		if w.Reports > 0 {
			flaky = fmt.Sprint(w.FlakyTests)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", w.Start.Format("2006-01-02"), w.Runs, pct(w.SuccessRate), dur(w.BuildP50), dur(w.BuildP90),
			w.Deployments, dur(w.LeadTimeP50), pct(w.ChangeFailureRate), dur(w.RestoreP50), intOr(w.Tests), pctOf(w.Coverage), flaky)
	}
	return b.String()
}

func intOr(v *int) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprint(*v)
}

// pctOf shows a value that is already a percentage.
func pctOf(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *v)
}

// cell shows a test name in a table cell: as code, with HTML and the
// column separator escaped (names come from test reports, not from us).
func cell(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	return "<code>" + strings.ReplaceAll(html.EscapeString(s), "|", "&#124;") + "</code>"
}

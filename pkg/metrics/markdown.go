package metrics

import (
	"fmt"
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
	last := r
	if maxWeeks > 0 && len(last.Weeks) > maxWeeks {
		last.Weeks = last.Weeks[len(last.Weeks)-maxWeeks:]
	}
	for _, s := range last.Charts() {
		b.WriteString(s.Mermaid())
		b.WriteString("\n")
	}
	b.WriteString("Weeks without a measurement are drawn at 0 above; the table and the SVG charts leave them out.\n\n")
	b.WriteString("| week | CI runs | success | build p50 | build p90 | deployments | lead time | change failure | restore |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, w := range last.Weeks {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d | %s | %s | %s |\n", w.Start.Format("2006-01-02"), w.Runs, pct(w.SuccessRate), dur(w.BuildP50), dur(w.BuildP90),
			w.Deployments, dur(w.LeadTimeP50), pct(w.ChangeFailureRate), dur(w.RestoreP50))
	}
	return b.String()
}

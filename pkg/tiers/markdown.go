package tiers

import (
	"fmt"
	"strconv"
	"strings"
)

// Markdown is the plan as a job summary: a table of tiers with their
// shards' predicted times.
func (p *Plan) Markdown() string {
	var b strings.Builder
	b.WriteString("## Test plan\n\n| Tier | Marker | Files | Timed | Shards | Timeout | Database | Coverage | Predicted per shard |\n|---|---|---:|---:|---:|---:|---|---|---|\n")
	for _, tp := range p.Tiers {
		var preds []string
		for _, j := range tp.Jobs {
			preds = append(preds, strconv.FormatFloat(j.PredictedSeconds, 'f', 1, 64)+"s")
		}
		fmt.Fprintf(&b, "| %s | `%s` | %d | %d | %d | %d min | %v | %v | %s |\n", tp.Name, strings.ReplaceAll(tp.Marker, "|", `\|`), tp.Files, tp.Timed, len(tp.Jobs), tp.Timeout, yes(tp.NeedsDatabase), yes(tp.Coverage), strings.Join(preds, ", "))
	}
	if len(p.Skipped) > 0 {
		b.WriteString("\n**Symlinked test folders not searched** (pytest may collect their tests, which are in no shard):\n\n")
		for _, sk := range p.Skipped {
			fmt.Fprintf(&b, "- `%s` %s: %s\n", strings.ReplaceAll(strconv.Quote(sk.Path), "`", "'"), sk.Reason, sk.Fix)
		}
	}
	b.WriteString("\nFiles the timings of earlier runs do not know weigh the mean of the known ones (1 s when none is known).\n")
	return b.String()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

package prreport

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/org/timetracker-ci/pkg/testreport"
)

// MaxCommentChars is GitHub's limit on an issue comment's body.
const MaxCommentChars = 65536

// MaxSummaryChars is GitHub's limit on a check run's summary.
const MaxSummaryChars = 65535

// Marker is the hidden line that identifies the comment of one workflow.
// It never shows in the rendered comment.
func Marker(workflow string) string {
	w := strings.NewReplacer("--", "- -", ">", "", "\n", " ", "\r", " ").Replace(strings.TrimSpace(workflow))
	if w == "" {
		w = "tests"
	}
	return "<!-- timetracker-ci test-report: " + w + " -->"
}

// CommentOptions say what the comment shows besides the report.
type CommentOptions struct {
	Workflow  string    // the workflow's name: the comment's heading and marker
	Base      string    // the pull request's base branch: "already failing on <base>"
	Baseline  *Baseline // the base branch's latest failures; nil when none were found
	RunURL    string    // link to the workflow run
	SHA       string    // the commit tested
	SourceURL string    // failure locations link to SourceURL + file#Lline when set
	MaxListed int       // tests listed per section (default 20); the rest are counted
}

// Comment renders the pull request comment: the marker, the verdict, counts
// per tier, new failures, failures already failing on the base branch,
// flaky tests, coverage and diff coverage, and shard timing. It fits
// GitHub's comment limit whatever the report holds.
func Comment(r *testreport.Report, o CommentOptions) string {
	body := render(r, o, o.maxListed())
	for n := o.maxListed() / 2; utf8.RuneCountInString(body) > MaxCommentChars && n > 0; n /= 2 {
		body = render(r, o, n)
	}
	if utf8.RuneCountInString(body) > MaxCommentChars {
		body = render(r, o, 0)
	}
	return body
}

// Summary is the comment without its marker, cut to a check run's summary limit.
func Summary(r *testreport.Report, o CommentOptions) string {
	s := strings.TrimPrefix(Comment(r, o), Marker(o.Workflow)+"\n")
	if utf8.RuneCountInString(s) > MaxSummaryChars {
		s = string([]rune(s)[:MaxSummaryChars-20]) + "\n\n… (cut)\n"
	}
	return s
}

func (o CommentOptions) maxListed() int {
	if o.MaxListed > 0 {
		return o.MaxListed
	}
	return 20
}

func render(r *testreport.Report, o CommentOptions, listed int) string {
	var b strings.Builder
	b.WriteString(Marker(o.Workflow) + "\n")
	icon, verdict := "✅", "passed"
	if !r.Passed() {
		icon, verdict = "❌", "failed"
	}
	name := strings.TrimSpace(o.Workflow)
	if name == "" {
		name = "Tests"
	}
	fmt.Fprintf(&b, "### %s %s: tests %s\n\n", icon, inline(name), verdict)
	c := r.Counts
	fresh, known := Classify(r.Failures, o.Baseline)
	fmt.Fprintf(&b, "**%d tests**: %d passed, %d failed, %d errors, %d skipped, %d flaky", c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, c.Flaky)
	if n := c.Failed + c.Errors; n > 0 {
		fmt.Fprintf(&b, " — **%d new failures**", len(fresh))
		if len(known) > 0 {
			fmt.Fprintf(&b, ", %d already failing on %s", len(known), inline(base(o)))
		}
	}
	b.WriteString(".\n\n")

	b.WriteString("| Tier | Tests | Passed | Failed | Errors | Skipped | Flaky | Time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Tiers {
		tc := t.Counts
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", cell(tier(t.Name)), tc.Total, tc.Passed, tc.Failed, tc.Errors, tc.Skipped, tc.Flaky, seconds(tc.Seconds))
	}
	b.WriteString("\n")

	if r.Coverage != nil || r.DiffCoverage != nil {
		var parts []string
		if r.Coverage != nil {
			parts = append(parts, fmt.Sprintf("coverage **%.2f%%**", *r.Coverage))
		}
		if r.DiffCoverage != nil {
			if r.DiffLines == 0 {
				parts = append(parts, "diff coverage: no coverable line changed")
			} else {
				parts = append(parts, fmt.Sprintf("diff coverage **%.2f%%** (%d of %d changed lines covered)", *r.DiffCoverage, r.DiffCovered, r.DiffLines))
			}
		}
		b.WriteString(strings.Join(parts, " · ") + "\n\n")
	}

	if len(r.Problems) > 0 {
		b.WriteString("**Problems**\n\n")
		for i, p := range r.Problems {
			if i == max(listed, 5) {
				fmt.Fprintf(&b, "- … and %d more\n", len(r.Problems)-i)
				break
			}
			fmt.Fprintf(&b, "- %s\n", inline(oneLine(p, 300)))
		}
		b.WriteString("\n")
	}

	section := func(title string, ts []testreport.Test, extra int, what func(testreport.Test) string) {
		if len(ts)+extra == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s (%d)**\n\n", title, len(ts)+extra)
		for i, t := range ts {
			if i == listed {
				fmt.Fprintf(&b, "- … and %d more (see the check run and the job summary)\n", len(ts)-i+extra)
				extra = 0
				break
			}
			fmt.Fprintf(&b, "- %s `%s`%s: %s\n", cell(tier(t.Tier)), code(t.ID), link(o, t), inline(what(t)))
		}
		if extra > 0 {
			fmt.Fprintf(&b, "- … and %d more not listed in the report\n", extra)
		}
		b.WriteString("\n")
	}
	failMsg := func(t testreport.Test) string {
		return oneLine(first(t.Message, t.Type, t.StatusName()), 200)
	}
	section("New failures", fresh, r.Unlisted, failMsg)
	section("Already failing on "+base(o), known, 0, failMsg)
	if c.Failed+c.Errors > 0 && o.Baseline == nil {
		fmt.Fprintf(&b, "_No earlier results of %s were found in the cache: every failure is listed as new._\n\n", inline(base(o)))
	}
	section("Flaky", r.FlakyTests, max(c.Flaky-len(r.FlakyTests), 0), func(t testreport.Test) string {
		return fmt.Sprintf("passed after failing (%d runs): %s", t.Runs, oneLine(first(t.Message, t.Type, "failed"), 160))
	})

	var shards []testreport.ShardResult
	for _, s := range r.Shards {
		if s.Planned || s.Reported {
			shards = append(shards, s)
		}
	}
	if len(shards) > 0 {
		b.WriteString("<details><summary>Shard timing</summary>\n\n| Tier | Shard | Tests | Predicted | Actual |\n|---|---:|---:|---:|---:|\n")
		for _, s := range shards {
			pred, actual := "—", "did not report"
			if s.Planned {
				pred = seconds(s.PredictedSeconds)
			}
			if s.Reported {
				actual = seconds(s.ActualSeconds)
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %s | %s |\n", cell(tier(s.Tier)), s.Shard, s.Tests, pred, actual)
		}
		b.WriteString("\n</details>\n\n")
	}

	var foot []string
	if o.SHA != "" {
		foot = append(foot, "commit "+code(short(o.SHA)))
	}
	if o.RunURL != "" {
		foot = append(foot, "[workflow run]("+o.RunURL+")")
	}
	foot = append(foot, "updated in place on every run")
	b.WriteString("<sub>" + strings.Join(foot, " · ") + "</sub>\n")
	return b.String()
}

func base(o CommentOptions) string {
	if o.Base != "" {
		return o.Base
	}
	if o.Baseline != nil && o.Baseline.Ref != "" {
		return o.Baseline.Ref
	}
	return "the base branch"
}

func link(o CommentOptions, t testreport.Test) string {
	if o.SourceURL == "" || t.File == "" {
		return ""
	}
	u := o.SourceURL + t.File
	if t.Line > 0 {
		u += fmt.Sprintf("#L%d", t.Line)
	}
	return " ([" + inline(t.File) + "](" + u + "))"
}

func tier(t string) string {
	if t == "" {
		return "tests"
	}
	return t
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

func first(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func seconds(s float64) string {
	if s >= 60 {
		m := math.Floor(s / 60)
		return fmt.Sprintf("%dm %02ds", int(m), int(math.Round(s-60*m))%60)
	}
	return fmt.Sprintf("%.1fs", s)
}

// oneLine keeps the first line of s, cut to n runes.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return s
}

// inline neutralises Markdown and HTML in text from test output: a test
// message must not open tags, tables or mentions in a comment.
var inlineEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", "|", "\\|", "`", "'", "@", "@\u200b", "\n", " ", "\r", " ", "[", "\\[", "]", "\\]", "*", "\\*", "_", "\\_")

func inline(s string) string { return inlineEscaper.Replace(s) }

func cell(s string) string { return inline(s) }

// code makes s safe inside a code span (backticks cannot be escaped there).
func code(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "\r", " ", "|", "\\|").Replace(s)
}

package changelog

import (
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// DefaultLimit is GitHub's release-body limit.
const DefaultLimit = 125000

// Person is a commit author.
type Person struct {
	Name, Email string
	Login       string // GitHub login when known
}

// Commit is one commit as the changelog needs it.
type Commit struct {
	SHA     string
	Parents []string
	Message string
	Author  Person
	Time    time.Time
}

// Options describe the range and where links point.
type Options struct {
	Repository  string // owner/name
	ServerURL   string // default https://github.com
	Tag         string
	PreviousTag string // empty: the first release
	// KnownAuthors are the identities (lower-case email or login) that
	// committed before PreviousTag; authors not in it are first-time
	// contributors. Nil leaves the first-time section out.
	KnownAuthors map[string]bool
	// Limit bounds the text in characters (UTF-16 units, the stricter
	// count); DefaultLimit when 0.
	Limit int
}

type item struct {
	Entry
	sha    string
	author Person
	text   string // the rendered line, made once: Markdown may render many times
}

// Changelog is the grouped content, ready to render.
type Changelog struct {
	opts         Options
	groups       [5][]item
	contributors []Person
	newcomers    []newcomer
}

type newcomer struct {
	who   Person
	first item
}

var groupTitles = [5]string{"Breaking changes", "Features", "Bug fixes", "Performance", "Other changes"}

func groupOf(e Entry) int {
	switch {
	case e.Breaking:
		return 0
	case e.Type == "feat":
		return 1
	case e.Type == "fix":
		return 2
	case e.Type == "perf":
		return 3
	}
	return 4
}

var noreply = lazyre.New(`^(?:\d+\+)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)@users\.noreply\.github\.com$`)

// login returns the GitHub login of p when it is known or can be read from
// a noreply address.
func login(p Person) string {
	if p.Login != "" {
		return p.Login
	}
	if m := noreply.FindStringSubmatch(strings.ToLower(p.Email)); m != nil {
		return m[1]
	}
	return ""
}

// Identity is how authors are told apart: the login when known, else the
// lower-case email. KnownAuthors holds these.
func Identity(p Person) string {
	if l := login(p); l != "" {
		return strings.ToLower(l)
	}
	return strings.ToLower(p.Email)
}

// Build groups commits (any order; merges included) into a changelog.
func Build(commits []Commit, o Options) *Changelog {
	if o.ServerURL == "" {
		o.ServerURL = "https://github.com"
	}
	o.ServerURL = strings.TrimRight(o.ServerURL, "/")
	if o.Limit <= 0 {
		o.Limit = DefaultLimit
	}
	cl := &Changelog{opts: o}

	// Newest first, stable, so output does not depend on input order.
	sorted := append([]Commit(nil), commits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.After(sorted[j].Time) })
	covered := coveredByMerges(sorted)

	byID := map[string]Commit{}
	for _, c := range sorted {
		byID[c.SHA] = c
	}
	var items []item
	for _, c := range sorted {
		if covered[c.SHA] {
			continue
		}
		var e Entry
		if n, title, ok := mergedPR(c.Message); ok && len(c.Parents) > 1 {
			e = Parse(title)
			if !containsInt(e.PRs, n) {
				e.PRs = append(e.PRs, n)
			}
		} else if len(c.Parents) > 1 || otherMerge.MatchString(c.Message) {
			continue // a plain merge says nothing its commits do not
		} else {
			e = Parse(c.Message)
		}
		if e.Description == "" {
			continue
		}
		it := item{Entry: e, sha: c.SHA, author: c.Author}
		if len(c.Parents) > 1 {
			// The merger is rarely the author: credit the merged branch's tip.
			if tip, ok := byID[c.Parents[1]]; ok {
				it.author = tip.Author
			}
		}
		it.text = cl.line(it)
		items = append(items, it)
		g := groupOf(e)
		cl.groups[g] = append(cl.groups[g], it)
	}

	seen := map[string]bool{}
	// Oldest first, so a newcomer's first contribution is the earliest one.
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		id := Identity(it.author)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		cl.contributors = append(cl.contributors, it.author)
		if o.KnownAuthors != nil && o.PreviousTag != "" && !o.KnownAuthors[id] && !o.KnownAuthors[strings.ToLower(it.author.Email)] {
			cl.newcomers = append(cl.newcomers, newcomer{who: it.author, first: it})
		}
	}
	sort.SliceStable(cl.contributors, func(i, j int) bool {
		return strings.ToLower(display(cl.contributors[i])) < strings.ToLower(display(cl.contributors[j]))
	})
	return cl
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// coveredByMerges returns the commits a pull-request merge on the first-parent
// line already stands for: those reachable from its second parent and not
// from its first.
func coveredByMerges(commits []Commit) map[string]bool {
	byID := map[string]*Commit{}
	isParent := map[string]bool{}
	for i := range commits {
		byID[commits[i].SHA] = &commits[i]
		for _, p := range commits[i].Parents {
			isParent[p] = true
		}
	}
	var head *Commit
	for i := range commits {
		if !isParent[commits[i].SHA] {
			head = &commits[i]
			break
		}
	}
	mainline := map[string]bool{}
	for c := head; c != nil; {
		mainline[c.SHA] = true
		if len(c.Parents) == 0 {
			break
		}
		c = byID[c.Parents[0]]
	}
	covered := map[string]bool{}
	for sha := range mainline {
		c := byID[sha]
		if len(c.Parents) < 2 {
			continue
		}
		if _, _, ok := mergedPR(c.Message); !ok {
			continue
		}
		stack := append([]string(nil), c.Parents[1:]...)
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x := byID[s]
			if x == nil || mainline[s] || covered[s] {
				continue
			}
			covered[s] = true
			stack = append(stack, x.Parents...)
		}
	}
	return covered
}

func display(p Person) string {
	if l := login(p); l != "" {
		return "@" + l
	}
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}

func (cl *Changelog) repoURL() string { return cl.opts.ServerURL + "/" + cl.opts.Repository }

func (cl *Changelog) line(it item) string {
	var b strings.Builder
	b.WriteString("- ")
	if it.Scope != "" {
		fmt.Fprintf(&b, "**%s:** ", it.Scope)
	}
	b.WriteString(it.Description)
	if it.BreakingNote != "" && it.BreakingNote != it.Description {
		b.WriteString(": " + it.BreakingNote)
	}
	for _, n := range it.PRs {
		fmt.Fprintf(&b, " ([#%d](%s/pull/%d))", n, cl.repoURL(), n)
	}
	if len(it.sha) >= 7 {
		fmt.Fprintf(&b, " ([%s](%s/commit/%s))", it.sha[:7], cl.repoURL(), it.sha)
	}
	if who := display(it.author); who != "" {
		b.WriteString(" by " + who)
	}
	return b.String()
}

func (cl *Changelog) compareLine() string {
	if cl.opts.PreviousTag == "" {
		return fmt.Sprintf("**Full changelog**: [commits up to %s](%s/commits/%s)", cl.opts.Tag, cl.repoURL(), cl.opts.Tag)
	}
	return fmt.Sprintf("**Full changelog**: [%s...%s](%s/compare/%s...%s)", cl.opts.PreviousTag, cl.opts.Tag, cl.repoURL(), cl.opts.PreviousTag, cl.opts.Tag)
}

func (cl *Changelog) footer(withContributors bool) string {
	var b strings.Builder
	if len(cl.newcomers) > 0 {
		b.WriteString("\n### New contributors\n\n")
		for _, n := range cl.newcomers {
			where := ""
			if len(n.first.PRs) > 0 {
				where = fmt.Sprintf(" in [#%d](%s/pull/%d)", n.first.PRs[0], cl.repoURL(), n.first.PRs[0])
			} else if len(n.first.sha) >= 7 {
				where = fmt.Sprintf(" in [%s](%s/commit/%s)", n.first.sha[:7], cl.repoURL(), n.first.sha)
			}
			fmt.Fprintf(&b, "- %s made their first contribution%s\n", display(n.who), where)
		}
	}
	if withContributors && len(cl.contributors) > 0 {
		names := make([]string, len(cl.contributors))
		for i, p := range cl.contributors {
			names[i] = display(p)
		}
		fmt.Fprintf(&b, "\n### Contributors\n\n%s\n", strings.Join(names, ", "))
	}
	b.WriteString("\n" + cl.compareLine() + "\n")
	return b.String()
}

// Count is the number of entries.
func (cl *Changelog) Count() int {
	n := 0
	for _, g := range cl.groups {
		n += len(g)
	}
	return n
}

// Length counts characters the strict way GitHub may: UTF-16 units.
func Length(s string) int {
	n := 0
	for _, r := range s { // invalid bytes arrive as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// Markdown renders the changelog within the limit: when everything does not
// fit, the last entries are replaced by one line counting them per group.
func (cl *Changelog) Markdown() string {
	if full := cl.render(-1, true); Length(full) <= cl.opts.Limit {
		return full
	}
	withContributors := Length(cl.footer(true)) < cl.opts.Limit/4
	// The largest number of entries whose rendering fits, by bisection
	// (rendering is monotonic in the number of entries kept).
	lo, hi := 0, cl.Count()
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if Length(cl.render(mid, withContributors)) <= cl.opts.Limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out := cl.render(lo, withContributors)
	if Length(out) > cl.opts.Limit { // a limit too small for even the footer
		out = string(utf16.Decode(utf16.Encode([]rune(out))[:cl.opts.Limit]))
	}
	return out
}

// render writes the first keep entries (all when keep < 0) and summarises the rest.
func (cl *Changelog) render(keep int, withContributors bool) string {
	var b strings.Builder
	b.WriteString("## What's changed\n")
	if cl.Count() == 0 {
		b.WriteString("\nNo changes since the previous release.\n")
	}
	omitted := [5]int{}
	n := 0
	for g, items := range cl.groups {
		if len(items) == 0 {
			continue
		}
		headed := false
		for _, it := range items {
			if keep >= 0 && n >= keep {
				omitted[g]++
				continue
			}
			if !headed {
				fmt.Fprintf(&b, "\n### %s\n\n", groupTitles[g])
				headed = true
			}
			b.WriteString(it.text)
			b.WriteByte('\n')
			n++
		}
	}
	var parts []string
	total := 0
	for g, k := range omitted {
		if k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, strings.ToLower(groupTitles[g])))
			total += k
		}
	}
	if total > 0 {
		fmt.Fprintf(&b, "\n…and %d more changes not shown here to stay within GitHub's size limit (%s): see the full changelog.\n", total, strings.Join(parts, ", "))
	}
	b.WriteString(cl.footer(withContributors))
	return b.String()
}

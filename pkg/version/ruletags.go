package version

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ruleRun is the state of applying the tag rules: the tags so far and the
// latest decision of the first rule that produced one.
type ruleRun struct {
	r      *resolver
	ctx    *exprContext
	tags   []string
	latest *bool
}

// ruleTags applies metadata-action rules (already sorted by priority): the
// first value is the main tag, later distinct values follow, and the first
// rule that produced a value decides `latest` under latest=auto.
func (r *resolver) ruleTags() error {
	run := &ruleRun{r: r, ctx: r.exprContext()}
	for _, rule := range r.o.Rules {
		run.ctx.vars = nil
		on, err := run.enabled(rule)
		if err != nil || !on {
			if err != nil {
				return err
			}
			continue
		}
		switch rule.Type {
		case TypeSchedule:
			err = run.schedule(rule)
		case TypeSemver:
			err = run.semver(rule)
		case TypePEP440:
			err = run.pep440(rule)
		case TypeMatch:
			err = run.match(rule)
		case TypeEdge:
			err = run.edge(rule)
		case TypeRef:
			err = run.ref(rule)
		case TypeRaw:
			err = run.raw(rule)
		case TypeSha:
			err = run.sha(rule)
		}
		if err != nil {
			return err
		}
	}
	run.finishLatest()
	return nil
}

// bad wraps a problem with a rule as an input error naming it.
func bad(rule Rule, err error) error {
	return &InputError{Input: "tags", Err: fmt.Errorf("tag rule %q: %w", rule.Line, err)}
}

func (run *ruleRun) enabled(rule Rule) (bool, error) {
	enable, err := render(rule.attr("enable"), run.ctx)
	if err != nil {
		return false, bad(rule, err)
	}
	if !isBool(enable) {
		return false, bad(rule, fmt.Errorf("enable=%s evaluates to %q, neither true nor false", rule.attr("enable"), enable))
	}
	return strings.EqualFold(enable, "true"), nil
}

// emit adds val with the rule's (else the flavor's) prefix and suffix;
// auto is what latest=auto makes of it.
func (run *ruleRun) emit(rule Rule, val string, auto bool) error {
	f := run.r.o.Flavor
	prefix, suffix := f.Prefix, f.Suffix
	if rule.has("prefix") {
		prefix = rule.attr("prefix")
	}
	if rule.has("suffix") {
		suffix = rule.attr("suffix")
	}
	p, err := render(prefix, run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	s, err := render(suffix, run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	if val = SanitizeTag(p + val + s); val == "" {
		return nil
	}
	run.tags = append(run.tags, val)
	if run.latest == nil {
		l := auto
		switch f.Latest {
		case "true":
			l = true
		case "false":
			l = false
		}
		run.latest = &l
	}
	return nil
}

// source is the value a semver, pep440 or match rule reads: its value=,
// else the pushed tag, else (beyond metadata-action) the release tag this
// run decided.
func (run *ruleRun) source(rule Rule) (string, bool, error) {
	r := run.r
	if rule.attr("value") != "" {
		v, err := render(rule.attr("value"), run.ctx)
		if err != nil {
			return "", false, bad(rule, err)
		}
		return v, v != "", nil
	}
	if r.tagName != "" {
		return r.tagName, true, nil
	}
	if r.res.Kind == KindRelease || r.res.Kind == KindPrerelease {
		return r.res.Tag, r.res.Tag != "", nil
	}
	return "", false, nil
}

// versionSource is the source of a semver or pep440 rule after match=
// (group 1, else the whole match) and with / made -.
func (run *ruleRun) versionSource(rule Rule) (string, bool, error) {
	raw, ok, err := run.source(rule)
	if err != nil || !ok {
		return "", false, err
	}
	if rule.match != nil {
		m := rule.match.FindStringSubmatch(raw)
		switch {
		case m == nil:
			run.r.notice("tag rule %q: match %s does not match %s; using %s as it is", rule.Line, rule.match, raw, raw)
		case len(m) > 1:
			raw = m[1]
		default:
			raw = m[0]
		}
	}
	return strings.ReplaceAll(raw, "/", "-"), true, nil
}

func (run *ruleRun) schedule(rule Rule) error {
	if !strings.Contains(run.r.ev.Name, "schedule") {
		return nil
	}
	out, err := render(rule.attr("pattern"), run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	return run.emit(rule, out, false)
}

func (run *ruleRun) semver(rule Rule) error {
	r := run.r
	raw, ok, err := run.versionSource(rule)
	if err != nil || !ok {
		return err
	}
	sv, ok := ParseVersion(raw, r.o.TagPrefix)
	if !ok {
		r.notice("tag rule %q skipped: %s is not a semantic version", rule.Line, raw)
		return nil
	}
	core := fmt.Sprintf("%d.%d.%d", sv.Major(), sv.Minor(), sv.Patch())
	if sv.Prerelease() != "" {
		core += "-" + sv.Prerelease()
	}
	run.ctx.vars = map[string]string{"raw": raw, "version": core, "major": strconv.FormatUint(sv.Major(), 10),
		"minor": strconv.FormatUint(sv.Minor(), 10), "patch": strconv.FormatUint(sv.Patch(), 10)}
	// As in metadata-action, only the version decides: a GitHub release
	// marked as a pre-release does not make a stable version unstable.
	return run.versionRule(rule, sv.Prerelease() != "", sv)
}

func (run *ruleRun) pep440(rule Rule) error {
	raw, ok, err := run.versionSource(rule)
	if err != nil || !ok {
		return err
	}
	pv, ok := parsePEP440(raw)
	if !ok {
		run.r.notice("tag rule %q skipped: %s does not conform to PEP 440", rule.Line, raw)
		return nil
	}
	run.ctx.vars = map[string]string{"raw": raw, "version": pv.String(), "major": strconv.Itoa(pv.part(0)),
		"minor": strconv.Itoa(pv.part(1)), "patch": strconv.Itoa(pv.part(2))}
	sv := semver.New(uint64(pv.part(0)), uint64(pv.part(1)), uint64(pv.part(2)), "", "")
	return run.versionRule(rule, pv.unstable(), sv)
}

func (run *ruleRun) match(rule Rule) error {
	raw, ok, err := run.source(rule)
	if err != nil || !ok {
		return err
	}
	g, _ := strconv.Atoi(rule.attr("group"))
	m := matchGroups(rule.match, rule.matchAll, raw)
	if m == nil || g >= len(m) {
		run.r.notice("tag rule %q skipped: pattern does not match %s (or has no group %d)", rule.Line, raw, g)
		return nil
	}
	return run.emit(rule, m[g], true)
}

// matchGroups is JavaScript's String.match: the match and its groups, or
// with the g flag every match.
func matchGroups(re *regexp.Regexp, all bool, s string) []string {
	if all {
		return re.FindAllString(s, -1)
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	// A group that took part in no match is undefined in JavaScript.
	idx := re.FindStringSubmatchIndex(s)
	out := m[:0:0]
	for i := range m {
		if idx[2*i] < 0 {
			break
		}
		out = append(out, m[i])
	}
	return out
}

func (run *ruleRun) edge(rule Rule) error {
	r := run.r
	if r.branch == "" {
		return nil
	}
	b, err := render(rule.attr("branch"), run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	if b == "" {
		b = r.ev.DefaultBranch
	}
	if b != r.branch {
		return nil
	}
	return run.emit(rule, "edge", false)
}

func (run *ruleRun) ref(rule Rule) error {
	r := run.r
	var val string
	auto := false
	switch rule.attr("event") {
	case "branch":
		val = r.branch
	case "tag":
		val, auto = r.tagName, true
	case "pr":
		if r.isPR() && r.prNumber > 0 {
			val = strconv.Itoa(r.prNumber)
		}
	}
	if val == "" {
		return nil
	}
	return run.emit(rule, val, auto)
}

func (run *ruleRun) raw(rule Rule) error {
	val, err := render(rule.attr("value"), run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	if val == "" {
		return nil
	}
	return run.emit(rule, val, false)
}

func (run *ruleRun) sha(rule Rule) error {
	val := run.r.ev.SHA
	if rule.attr("format") == "short" {
		val = run.r.shortSHA(val)
	}
	if val == "" {
		return nil
	}
	return run.emit(rule, val, false)
}

// finishLatest settles latest: what the first rule that gave a tag asked
// for, per rule type as in metadata-action (under latest=auto: type=semver
// and pep440 for a stable version, type=match and type=ref,event=tag always,
// the others never). Ours on purpose: under latest=auto a release lower than
// the highest stable release never takes it, so latest never moves back.
func (run *ruleRun) finishLatest() {
	r := run.r
	f := r.o.Flavor
	isLatest := run.latest != nil && *run.latest
	if v := r.version(); isLatest && f.Latest == "auto" && v != nil &&
		(r.res.Kind == KindRelease || r.res.Kind == KindPrerelease) && r.higherRelease(v) != nil {
		isLatest = false
		r.notice("latest stays on %s: %s is not the highest release", r.higherRelease(v).Tag, v)
	}
	tags := run.tags
	if isLatest {
		tags = append(tags, r.latestName("latest"))
	}
	r.res.Latest = isLatest
	r.res.TagNames = sanitizeAll(tags)
	for _, t := range r.res.TagNames {
		r.res.Stable = r.res.Stable || t == "stable"
	}
}

// versionRule emits a semver or pep440 rule: unstable versions only ever
// give their full version (or {{raw}}), as in metadata-action; a pattern
// that leaves out the patch number is skipped when it would move a floating
// tag (1.2, 1) back from a higher release.
func (run *ruleRun) versionRule(rule Rule, unstable bool, sv *semver.Version) error {
	pattern := rule.attr("pattern")
	if unstable {
		if !isRawStatement(pattern) {
			pattern = "{{version}}"
		}
		out, err := render(pattern, run.ctx)
		if err != nil {
			return bad(rule, err)
		}
		return run.emit(rule, out, false)
	}
	has := func(e string) bool { return strings.Contains(strings.ReplaceAll(pattern, " ", ""), "{{"+e+"}}") }
	var same func(*semver.Version) bool
	switch {
	case has("version"), has("raw"), has("patch"):
	case has("minor"):
		same = func(o *semver.Version) bool { return o.Major() == sv.Major() && o.Minor() == sv.Minor() }
	case has("major"):
		same = func(o *semver.Version) bool { return o.Major() == sv.Major() }
	default:
		same = func(*semver.Version) bool { return true }
	}
	if same != nil && !run.r.highestIn(sv, same) {
		run.r.notice("tag rule %q skipped: a release higher than %s owns that tag", rule.Line, sv)
		return nil
	}
	out, err := render(pattern, run.ctx)
	if err != nil {
		return bad(rule, err)
	}
	return run.emit(rule, out, true)
}

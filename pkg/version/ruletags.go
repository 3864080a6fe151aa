package version

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ruleTags applies metadata-action rules (already sorted by priority): the
// first value is the main tag, later distinct values follow, and the first
// rule that produced a value decides `latest` under latest=auto.
func (r *resolver) ruleTags() error {
	f := r.o.Flavor
	ctx := &exprContext{
		branch: r.branch, tag: r.tagName, sha: r.ev.SHA, baseRef: r.ev.BaseRef,
		isDefaultBranch: r.isDefault, now: r.o.Now.UTC(), commitTime: r.res.CommitDate,
	}
	var tags []string
	var latest *bool
	set := func(val string, auto bool) {
		if val = SanitizeTag(val); val == "" {
			return
		}
		tags = append(tags, val)
		if latest == nil {
			l := auto
			switch f.Latest {
			case "true":
				l = true
			case "false":
				l = false
			}
			latest = &l
		}
	}
	for _, rule := range r.o.Rules {
		bad := func(err error) error {
			return &InputError{Input: "tags", Err: fmt.Errorf("tag rule %q: %w", rule.Line, err)}
		}
		ctx.vars = nil
		enable, err := render(rule.attr("enable"), ctx)
		if err != nil {
			return bad(err)
		}
		if !isBool(enable) {
			return bad(fmt.Errorf("enable=%s evaluates to %q, neither true nor false", rule.attr("enable"), enable))
		}
		if strings.EqualFold(enable, "false") {
			continue
		}
		affix := func(val string) (string, error) {
			prefix, suffix := f.Prefix, f.Suffix
			if rule.has("prefix") {
				prefix = rule.attr("prefix")
			}
			if rule.has("suffix") {
				suffix = rule.attr("suffix")
			}
			p, err := render(prefix, ctx)
			if err != nil {
				return "", err
			}
			s, err := render(suffix, ctx)
			return p + val + s, err
		}
		emit := func(val string, auto bool) error {
			out, err := affix(val)
			if err != nil {
				return bad(err)
			}
			set(out, auto)
			return nil
		}
		// source is the value a semver, pep440 or match rule reads: its
		// value=, else the pushed tag, else (beyond metadata-action) the
		// release tag this run decided.
		source := func() (string, bool, error) {
			if rule.attr("value") != "" {
				v, err := render(rule.attr("value"), ctx)
				return v, v != "", err
			}
			if r.tagName != "" {
				return r.tagName, true, nil
			}
			if r.res.Kind == KindRelease || r.res.Kind == KindPrerelease {
				return r.res.Tag, r.res.Tag != "", nil
			}
			return "", false, nil
		}
		switch rule.Type {
		case TypeSchedule:
			if r.ev.Name != "schedule" {
				continue
			}
			out, err := render(rule.attr("pattern"), ctx)
			if err != nil {
				return bad(err)
			}
			err = emit(out, false)
			if err != nil {
				return err
			}
		case TypeSemver:
			raw, ok, err := source()
			if err != nil {
				return bad(err)
			}
			if !ok {
				continue
			}
			sv, ok := ParseVersion(raw, r.o.TagPrefix)
			if !ok {
				r.notice("tag rule %q skipped: %s is not a semantic version", rule.Line, raw)
				continue
			}
			core := fmt.Sprintf("%d.%d.%d", sv.Major(), sv.Minor(), sv.Patch())
			if sv.Prerelease() != "" {
				core += "-" + sv.Prerelease()
			}
			ctx.vars = map[string]string{"raw": raw, "version": core, "major": strconv.FormatUint(sv.Major(), 10),
				"minor": strconv.FormatUint(sv.Minor(), 10), "patch": strconv.FormatUint(sv.Patch(), 10)}
			marked := r.ev.MarkedPrerelease && raw == r.tagName
			if err := r.versionRule(rule, sv.Prerelease() != "" || marked, sv, emit, ctx); err != nil {
				return err
			}
		case TypePEP440:
			raw, ok, err := source()
			if err != nil {
				return bad(err)
			}
			if !ok {
				continue
			}
			pv, ok := parsePEP440(raw)
			if !ok {
				r.notice("tag rule %q skipped: %s does not conform to PEP 440", rule.Line, raw)
				continue
			}
			ctx.vars = map[string]string{"raw": raw, "version": pv.String(), "major": strconv.Itoa(pv.part(0)),
				"minor": strconv.Itoa(pv.part(1)), "patch": strconv.Itoa(pv.part(2))}
			sv := semver.New(uint64(pv.part(0)), uint64(pv.part(1)), uint64(pv.part(2)), "", "")
			if err := r.versionRule(rule, pv.unstable(), sv, emit, ctx); err != nil {
				return err
			}
		case TypeMatch:
			raw, ok, err := source()
			if err != nil {
				return bad(err)
			}
			if !ok {
				continue
			}
			m := rule.match.FindStringSubmatch(raw)
			g, _ := strconv.Atoi(rule.attr("group"))
			if m == nil || g >= len(m) {
				r.notice("tag rule %q skipped: pattern does not match %s (or has no group %d)", rule.Line, raw, g)
				continue
			}
			if err := emit(m[g], true); err != nil {
				return err
			}
		case TypeEdge:
			if r.branch == "" {
				continue
			}
			b, err := render(rule.attr("branch"), ctx)
			if err != nil {
				return bad(err)
			}
			if b == "" {
				b = r.ev.DefaultBranch
			}
			if b != r.branch {
				continue
			}
			if err := emit("edge", false); err != nil {
				return err
			}
		case TypeRef:
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
				continue
			}
			if err := emit(val, auto); err != nil {
				return err
			}
		case TypeRaw:
			val, err := render(rule.attr("value"), ctx)
			if err != nil {
				return bad(err)
			}
			if val == "" {
				continue
			}
			if err := emit(val, false); err != nil {
				return err
			}
		case TypeSha:
			val := r.ev.SHA
			if rule.attr("format") == "short" {
				val = shortSHA(val)
			}
			if err := emit(val, false); err != nil {
				return err
			}
		}
	}
	isLatest := latest != nil && *latest
	if isLatest && f.Latest == "auto" && r.ev.MarkedPrerelease {
		isLatest = false // a GitHub pre-release never takes latest
	}
	if v := r.version(); isLatest && f.Latest == "auto" && v != nil &&
		(r.res.Kind == KindRelease || r.res.Kind == KindPrerelease) && !r.highestIn(v, func(*semver.Version) bool { return true }) {
		isLatest = false
		if v.Prerelease() != "" || len(r.stable) == 0 {
			r.notice("no latest tag: %s is a pre-release", v)
		} else {
			r.notice("latest stays on %s: %s is not the highest release", r.stable[0].Tag, v)
		}
	}
	if isLatest {
		tags = append(tags, r.latestName("latest"))
	}
	r.res.Latest = isLatest
	r.res.TagNames = sanitizeAll(tags)
	for _, t := range r.res.TagNames {
		r.res.Stable = r.res.Stable || t == "stable"
	}
	return nil
}

// versionRule emits a semver or pep440 rule: unstable versions only ever
// give their full version (or {{raw}}), as in metadata-action; a pattern
// that leaves out the patch number is skipped when it would move a floating
// tag (1.2, 1) back from a higher release.
func (r *resolver) versionRule(rule Rule, unstable bool, sv *semver.Version, emit func(string, bool) error, ctx *exprContext) error {
	pattern := rule.attr("pattern")
	bad := func(err error) error {
		return &InputError{Input: "tags", Err: fmt.Errorf("tag rule %q: %w", rule.Line, err)}
	}
	if unstable {
		if strings.ReplaceAll(pattern, " ", "") != "{{raw}}" {
			pattern = "{{version}}"
		}
		out, err := render(pattern, ctx)
		if err != nil {
			return bad(err)
		}
		return emit(out, false)
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
	if same != nil && !r.highestIn(sv, same) {
		r.notice("tag rule %q skipped: a release higher than %s owns that tag", rule.Line, sv)
		return nil
	}
	out, err := render(pattern, ctx)
	if err != nil {
		return bad(err)
	}
	return emit(out, true)
}

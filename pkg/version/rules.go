package version

import (
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// RuleType is the type= of a tag rule, as docker/metadata-action names them.
type RuleType string

const (
	TypeSchedule RuleType = "schedule"
	TypeSemver   RuleType = "semver"
	TypePEP440   RuleType = "pep440"
	TypeMatch    RuleType = "match"
	TypeEdge     RuleType = "edge"
	TypeRef      RuleType = "ref"
	TypeRaw      RuleType = "raw"
	TypeSha      RuleType = "sha"
	// TypeTimetracker is timetracker-ci's own scheme as one rule line:
	// develop, dev-YYYYMMDD-HHMMSS and dev-<sha> for development builds,
	// 1.2.3, 1.2, 1, latest and stable for releases (the floating ones only
	// for the highest release), pr-<n> for pull requests. It stands alone.
	TypeTimetracker RuleType = "timetracker"
)

// TimetrackerRule is the tags line that selects timetracker-ci's own scheme.
const TimetrackerRule = "type=timetracker"

// MetadataActionDefaultRules are the tags an empty tags input gives, as in
// docker/metadata-action.
var MetadataActionDefaultRules = []string{"type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr"}

// metadataActionDefaults is MetadataActionDefaultRules parsed once.
var metadataActionDefaults = func() []Rule {
	rules, err := ParseRules(MetadataActionDefaultRules)
	if err != nil {
		panic(err) // a constant: covered by every test
	}
	return rules
}()

// TimetrackerRules is the parsed rule list of TimetrackerRule.
func TimetrackerRules() []Rule {
	return []Rule{{Type: TypeTimetracker, Attrs: map[string]string{}, Line: TimetrackerRule}}
}

// isTimetracker: the rules select timetracker-ci's own scheme.
func isTimetracker(rules []Rule) bool {
	return len(rules) == 1 && rules[0].Type == TypeTimetracker
}

var defaultPriority = map[RuleType]int{
	TypeSchedule: 1000, TypeSemver: 900, TypePEP440: 900, TypeMatch: 800,
	TypeEdge: 700, TypeRef: 600, TypeRaw: 200, TypeSha: 100, TypeTimetracker: 0,
}

// attributes each type accepts besides type, enable, priority, prefix, suffix.
var typeAttributes = map[RuleType][]string{
	TypeSchedule: {"pattern"},
	TypeSemver:   {"pattern", "value", "match"},
	TypePEP440:   {"pattern", "value", "match"},
	TypeMatch:    {"pattern", "group", "value"},
	TypeEdge:     {"branch"},
	TypeRef:      {"event"},
	TypeRaw:      {"value"},
	TypeSha:      {"format"},
}

// Rule is one line of the tags input.
type Rule struct {
	Type     RuleType
	Priority int
	// Attrs holds every attribute after defaults; a key is present when the
	// line (or a default) set it, which matters for prefix and suffix: a
	// rule's own prefix replaces the flavor's, even when empty.
	Attrs map[string]string
	Line  string
	// match is type=match's pattern, or the match= of semver and pep440
	// (whose group 1, else the whole match, is the version).
	match *regexp.Regexp
	// matchAll: a /pattern/g regular expression, where group= counts
	// matches rather than groups (JavaScript's String.match).
	matchAll bool
}

func (r Rule) attr(k string) string { return r.Attrs[k] }

func (r Rule) has(k string) bool { _, ok := r.Attrs[k]; return ok }

// ParseRules reads the tags input, one rule per line, and orders the rules by
// priority, highest first (ties keep their order).
func ParseRules(lines []string) ([]Rule, error) {
	rules := make([]Rule, 0, len(lines))
	for _, line := range lines {
		r, err := ParseRule(line)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	for _, r := range rules {
		if r.Type == TypeTimetracker && len(rules) > 1 {
			return nil, fmt.Errorf("tag rule %q stands alone (it is the whole built-in scheme): remove the other tags lines, or drop it and write the rules you want", r.Line)
		}
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].Priority > rules[j].Priority })
	return rules, nil
}

// ParseRule reads one rule: comma-separated key=value attributes (CSV, so a
// value holding a comma is written in double quotes). A field without `=` is
// the value, and a line without type= is type=raw, as in metadata-action.
func ParseRule(line string) (Rule, error) {
	fields, err := splitCSV(line)
	if err != nil {
		return Rule{}, fmt.Errorf("tag rule %q: %w", line, err)
	}
	r := Rule{Type: TypeRaw, Attrs: map[string]string{}, Line: line}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			r.Attrs["value"] = strings.TrimSpace(f)
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if k == "type" {
			t := RuleType(strings.ToLower(v))
			if _, known := defaultPriority[t]; !known {
				return Rule{}, fmt.Errorf("tag rule %q: unknown type=%s: use schedule, semver, pep440, match, edge, ref, raw, sha or timetracker", line, v)
			}
			r.Type = t
			continue
		}
		r.Attrs[k] = v
	}
	if r.Type == TypeTimetracker {
		if len(r.Attrs) > 0 {
			return Rule{}, fmt.Errorf("tag rule %q: type=timetracker takes no attributes (set prefix and suffix with the flavor input)", line)
		}
		return r, nil
	}
	allowed := map[string]bool{"enable": true, "priority": true, "prefix": true, "suffix": true}
	for _, a := range typeAttributes[r.Type] {
		allowed[a] = true
	}
	for k := range r.Attrs {
		if !allowed[k] {
			return Rule{}, fmt.Errorf("tag rule %q: type=%s has no attribute %q (it takes %s)", line, r.Type, k, strings.Join(append([]string{"enable", "priority", "prefix", "suffix"}, typeAttributes[r.Type]...), ", "))
		}
	}
	need := func(a, example string) error {
		if !r.has(a) || r.attr(a) == "" {
			return fmt.Errorf("tag rule %q: type=%s needs %s= (e.g. %s)", line, r.Type, a, example)
		}
		return nil
	}
	setDefault := func(k, v string) {
		if !r.has(k) {
			r.Attrs[k] = v
		}
	}
	switch r.Type {
	case TypeSchedule:
		setDefault("pattern", "nightly")
	case TypeSemver, TypePEP440:
		if err := need("pattern", "type="+string(r.Type)+",pattern={{version}}"); err != nil {
			return Rule{}, err
		}
		if m := r.attr("match"); m != "" {
			re, err := regexp.Compile(m)
			if err != nil {
				return Rule{}, fmt.Errorf("tag rule %q: match is not a regular expression (Go's RE2 syntax: no look-around or back-references): %w", line, err)
			}
			r.match = re
		}
	case TypeMatch:
		if err := need("pattern", `type=match,pattern=v(\d+\.\d+),group=1`); err != nil {
			return Rule{}, err
		}
		setDefault("group", "0")
		if g, err := strconv.Atoi(r.attr("group")); err != nil || g < 0 {
			return Rule{}, fmt.Errorf("tag rule %q: group=%s is not a group number (0 is the whole match)", line, r.attr("group"))
		}
		p := r.attr("pattern")
		if m := slashedRegexp.FindStringSubmatch(p); m != nil {
			p = m[1]
			if strings.Contains(m[2], "i") {
				p = "(?i)" + p
			}
			if strings.Contains(m[2], "s") {
				p = "(?s)" + p
			}
			if strings.Contains(m[2], "m") {
				p = "(?m)" + p
			}
			r.matchAll = strings.Contains(m[2], "g")
		}
		re, err := regexp.Compile(p)
		if err != nil {
			return Rule{}, fmt.Errorf("tag rule %q: pattern is not a regular expression (Go's RE2 syntax: no look-around or back-references): %w", line, err)
		}
		r.match = re
	case TypeRef:
		switch r.attr("event") {
		case "branch", "tag":
		case "pr":
			setDefault("prefix", "pr-")
		case "":
			return Rule{}, fmt.Errorf("tag rule %q: type=ref needs event=branch, event=tag or event=pr", line)
		default:
			return Rule{}, fmt.Errorf("tag rule %q: event=%s is not branch, tag or pr", line, r.attr("event"))
		}
	case TypeRaw:
		if err := need("value", "type=raw,value=latest"); err != nil {
			return Rule{}, err
		}
	case TypeSha:
		setDefault("prefix", "sha-")
		setDefault("format", "short")
		if f := r.attr("format"); f != "short" && f != "long" {
			return Rule{}, fmt.Errorf("tag rule %q: format=%s is not short or long", line, f)
		}
	}
	setDefault("enable", "true")
	r.Priority = defaultPriority[r.Type]
	if p, ok := r.Attrs["priority"]; ok {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Rule{}, fmt.Errorf("tag rule %q: priority=%s is not an integer", line, p)
		}
		r.Priority = n
	}
	if e := r.attr("enable"); !strings.Contains(e, "{{") && !isBool(e) {
		return Rule{}, fmt.Errorf("tag rule %q: enable=%s is neither true nor false", line, e)
	}
	for _, k := range []string{"enable", "prefix", "suffix", "value", "pattern", "branch"} {
		if k == "pattern" && r.Type == TypeMatch {
			continue // a regular expression, not a template
		}
		if err := checkTemplate(r.attr(k)); err != nil {
			return Rule{}, fmt.Errorf("tag rule %q: %s: %w", line, k, err)
		}
	}
	return r, nil
}

// slashedRegexp is a /pattern/flags regular expression, as JavaScript writes one.
var slashedRegexp = lazyre.New(`^/(.+)/([a-z]*)$`)

func isBool(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// splitCSV splits one CSV record: commas separate fields, double quotes
// protect commas, "" inside quotes is a quote.
func splitCSV(line string) ([]string, error) {
	var fields []string
	var b strings.Builder
	inQuotes, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuotes && c == '"' && i+1 < len(line) && line[i+1] == '"':
			b.WriteByte('"')
			i++
		case c == '"' && (inQuotes || strings.TrimSpace(b.String()) == "" || strings.HasSuffix(b.String(), "=")):
			inQuotes = !inQuotes
			quoted = true
		case c == ',' && !inQuotes:
			fields = append(fields, b.String())
			b.Reset()
			quoted = false
		default:
			b.WriteByte(c)
		}
	}
	if inQuotes {
		return nil, fmt.Errorf("unterminated double quote")
	}
	if b.Len() > 0 || quoted || len(fields) > 0 {
		fields = append(fields, b.String())
	}
	var out []string
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty rule")
	}
	return out, nil
}

// Flavor is the flavor input: defaults for every generated tag.
type Flavor struct {
	Latest       string // auto, true or false
	Prefix       string
	Suffix       string
	PrefixLatest bool // apply Prefix to latest (and stable) too
	SuffixLatest bool
}

// ParseFlavor reads `latest=auto|true|false`, `prefix=<s>[,onlatest=true]`
// and `suffix=<s>[,onlatest=true]` lines.
func ParseFlavor(lines []string) (Flavor, error) {
	f := Flavor{Latest: "auto"}
	for _, line := range lines {
		fields, err := splitCSV(line)
		if err != nil {
			return Flavor{}, fmt.Errorf("flavor line %q: %w", line, err)
		}
		var target *string
		var onLatest *bool
		for _, field := range fields {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				return Flavor{}, fmt.Errorf("flavor line %q: %q is not key=value", line, field)
			}
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			switch k {
			case "latest":
				switch strings.ToLower(v) {
				case "auto", "true", "false":
					f.Latest = strings.ToLower(v)
				default:
					return Flavor{}, fmt.Errorf("flavor line %q: latest=%s is not auto, true or false", line, v)
				}
			case "prefix":
				f.Prefix, target, onLatest = v, &f.Prefix, &f.PrefixLatest
			case "suffix":
				f.Suffix, target, onLatest = v, &f.Suffix, &f.SuffixLatest
			case "onlatest":
				if target == nil {
					return Flavor{}, fmt.Errorf("flavor line %q: onlatest= follows prefix= or suffix= on the same line", line)
				}
				if !isBool(v) {
					return Flavor{}, fmt.Errorf("flavor line %q: onlatest=%s is neither true nor false", line, v)
				}
				*onLatest = strings.EqualFold(v, "true")
			default:
				return Flavor{}, fmt.Errorf("flavor line %q: unknown key %q: use latest, prefix, suffix (with onlatest)", line, k)
			}
		}
		for _, s := range []string{f.Prefix, f.Suffix} {
			if err := checkTemplate(s); err != nil {
				return Flavor{}, fmt.Errorf("flavor line %q: %w", line, err)
			}
		}
	}
	return f, nil
}

package version

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // tz='Asia/Tokyo' must work in a FROM scratch image
)

// exprContext holds what {{...}} expressions expand to.
type exprContext struct {
	branch, tag, baseRef string
	sha                  string // already shortened
	isDefaultBranch      bool
	now, commitTime      time.Time
	// vars are the per-rule values: raw, version, major, minor, patch.
	vars map[string]string
}

var globalExprs = []string{"branch", "tag", "sha", "base_ref", "is_default_branch", "is_not_default_branch", "date", "commit_date"}

var ruleExprs = []string{"raw", "version", "major", "minor", "patch"}

type expr struct {
	name string
	args []string          // positional, quotes removed
	opts map[string]string // key='value'
}

// parseTemplate splits a template into literal text and expressions.
func parseTemplate(s string) (parts []any, err error) {
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return nil, fmt.Errorf("%q has }} without {{", s)
			}
			if s != "" {
				parts = append(parts, s)
			}
			return parts, nil
		}
		if i > 0 {
			parts = append(parts, s[:i])
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unterminated {{ in %q", s)
		}
		e, err := parseExpr(s[i+2 : i+j])
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
		s = s[i+j+2:]
	}
}

func parseExpr(body string) (expr, error) {
	e := expr{opts: map[string]string{}}
	body = strings.TrimSpace(body)
	name, rest, _ := strings.Cut(body, " ")
	e.name = name
	known := false
	for _, n := range append(globalExprs, ruleExprs...) {
		known = known || n == name
	}
	if !known {
		return e, fmt.Errorf("unknown expression {{%s}}: use %s", body, strings.Join(append(ruleExprs, globalExprs...), ", "))
	}
	rest = strings.TrimSpace(rest)
	for rest != "" {
		key := ""
		if k, _, ok := strings.Cut(rest, "="); ok && !strings.ContainsAny(k, `'" `) {
			key = k
			rest = rest[len(k)+1:]
		}
		if rest == "" {
			return e, fmt.Errorf("{{%s}}: %s= needs a quoted value, e.g. tz='Asia/Tokyo'", body, key)
		}
		if rest[0] != '\'' && rest[0] != '"' {
			// An unquoted word is a variable to Handlebars, which
			// metadata-action's date helpers receive as undefined, and
			// moment then formats as ISO 8601: kept, for parity.
			word, after, _ := strings.Cut(rest, " ")
			if key != "" || strings.ContainsAny(word, `'"`) {
				return e, fmt.Errorf("{{%s}}: arguments are quoted, e.g. {{date 'YYYYMMDD'}}", body)
			}
			e.args = append(e.args, isoFormat)
			rest = strings.TrimSpace(after)
			continue
		}
		end := strings.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return e, fmt.Errorf("{{%s}}: unterminated quote", body)
		}
		val := rest[1 : end+1]
		rest = strings.TrimSpace(rest[end+2:])
		if key != "" {
			if key != "tz" {
				return e, fmt.Errorf("{{%s}}: unknown option %s= (only tz= is known)", body, key)
			}
			e.opts[key] = val
		} else {
			e.args = append(e.args, val)
		}
	}
	if e.name == "date" || e.name == "commit_date" {
		if len(e.args) != 1 {
			return e, fmt.Errorf("{{%s}} needs one format, e.g. {{%s 'YYYYMMDD-HHmmss'}}", body, e.name)
		}
		if tz, ok := e.opts["tz"]; ok {
			if _, err := time.LoadLocation(tz); err != nil {
				return e, fmt.Errorf("{{%s}}: unknown time zone %q (use an IANA name such as Europe/Berlin)", body, tz)
			}
		}
	} else if len(e.args) > 0 || len(e.opts) > 0 {
		return e, fmt.Errorf("{{%s}} takes no arguments", e.name)
	}
	return e, nil
}

// checkTemplate validates a template without expanding it.
func checkTemplate(s string) error {
	_, err := parseTemplate(s)
	return err
}

// render expands a template.
func render(s string, c *exprContext) (string, error) {
	parts, err := parseTemplate(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			b.WriteString(p)
		case expr:
			b.WriteString(c.expand(p))
		}
	}
	return b.String(), nil
}

func (c *exprContext) expand(e expr) string {
	switch e.name {
	case "branch":
		return c.branch
	case "tag":
		return c.tag
	case "sha":
		return c.sha
	case "base_ref":
		return c.baseRef
	case "is_default_branch":
		return strconv.FormatBool(c.isDefaultBranch)
	case "is_not_default_branch":
		return strconv.FormatBool(!c.isDefaultBranch)
	case "date", "commit_date":
		t := c.now
		if e.name == "commit_date" && !c.commitTime.IsZero() {
			t = c.commitTime
		}
		loc := time.UTC
		if tz, ok := e.opts["tz"]; ok {
			loc, _ = time.LoadLocation(tz) // validated by parseExpr
		}
		t = t.In(loc)
		if f := e.args[0]; f != isoFormat {
			return formatMoment(t, f)
		}
		if _, off := t.Zone(); off == 0 {
			return formatMoment(t, "YYYY-MM-DDTHH:mm:ss[Z]")
		}
		return formatMoment(t, "YYYY-MM-DDTHH:mm:ssZ")
	}
	return c.vars[e.name]
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// isoFormat stands for moment's default format, for a date helper given no
// format: ISO 8601 with the offset, or Z at offset zero.
const isoFormat = "\x00iso"

// momentTokens are the moment.js format tokens we support, longest first
// so that YYYY wins over YY.
var momentTokens = []string{
	"YYYY", "YY", "MMMM", "MMM", "MM", "M", "DDDD", "Do", "DD", "D", "dddd", "ddd",
	"HH", "H", "hh", "h", "mm", "m", "ss", "s", "SSS", "SS", "S", "A", "a", "ZZ", "Z", "X", "x",
}

// formatMoment renders t with a moment.js format string ([...] is literal).
func formatMoment(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); {
		if f[i] == '[' {
			if j := strings.IndexByte(f[i:], ']'); j > 0 {
				b.WriteString(f[i+1 : i+j])
				i += j + 1
				continue
			}
		}
		tok := ""
		for _, k := range momentTokens {
			if strings.HasPrefix(f[i:], k) {
				tok = k
				break
			}
		}
		if tok == "" {
			b.WriteByte(f[i])
			i++
			continue
		}
		b.WriteString(momentToken(t, tok))
		i += len(tok)
	}
	return b.String()
}

func momentToken(t time.Time, tok string) string {
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	switch tok {
	case "YYYY":
		return fmt.Sprintf("%04d", t.Year())
	case "YY":
		return fmt.Sprintf("%02d", t.Year()%100)
	case "MMMM":
		return t.Month().String()
	case "MMM":
		return t.Month().String()[:3]
	case "MM":
		return fmt.Sprintf("%02d", int(t.Month()))
	case "M":
		return strconv.Itoa(int(t.Month()))
	case "DDDD":
		return fmt.Sprintf("%03d", t.YearDay())
	case "Do":
		return ordinal(t.Day())
	case "DD":
		return fmt.Sprintf("%02d", t.Day())
	case "D":
		return strconv.Itoa(t.Day())
	case "dddd":
		return t.Weekday().String()
	case "ddd":
		return t.Weekday().String()[:3]
	case "HH":
		return fmt.Sprintf("%02d", t.Hour())
	case "H":
		return strconv.Itoa(t.Hour())
	case "hh":
		return fmt.Sprintf("%02d", h12)
	case "h":
		return strconv.Itoa(h12)
	case "mm":
		return fmt.Sprintf("%02d", t.Minute())
	case "m":
		return strconv.Itoa(t.Minute())
	case "ss":
		return fmt.Sprintf("%02d", t.Second())
	case "s":
		return strconv.Itoa(t.Second())
	case "SSS":
		return fmt.Sprintf("%03d", t.Nanosecond()/1e6)
	case "SS":
		return fmt.Sprintf("%02d", t.Nanosecond()/1e7)
	case "S":
		return strconv.Itoa(t.Nanosecond() / 1e8)
	case "A":
		if t.Hour() < 12 {
			return "AM"
		}
		return "PM"
	case "a":
		if t.Hour() < 12 {
			return "am"
		}
		return "pm"
	case "ZZ":
		return t.Format("-0700")
	case "Z":
		return t.Format("-07:00")
	case "X":
		return strconv.FormatInt(t.Unix(), 10)
	case "x":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return tok
}

func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

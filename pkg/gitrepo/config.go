package gitrepo

import (
	"strings"
)

// configEntry is one `key = value` of a git config file.
type configEntry struct {
	section    string // lower-cased
	subsection string // as written (case-sensitive), "" when none
	key        string // lower-cased
	value      string
}

// parseConfig reads git config syntax: `[section]` and `[section
// "subsection"]` headers (and the old `[section.subsection]`), `key = value`
// lines, a key alone meaning true, comments after ; or #, values with double
// quotes, the escapes \" \\ \n \t \b, and a backslash at the end of a line
// continuing the value. Malformed lines are skipped rather than refused:
// only a remote's URL is read from it, and git has validated the file when
// it wrote it. include directives are not followed.
func parseConfig(text string) []configEntry {
	var out []configEntry
	var section, subsection string
	s := text
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		switch c := s[0]; {
		case c == ';' || c == '#':
			s = skipLine(s)
		case c == '[':
			var ok bool
			section, subsection, s, ok = parseSectionHeader(s[1:])
			if !ok {
				section, subsection = "", ""
				s = skipLine(s)
			}
		case isKeyChar(c):
			i := 0
			for i < len(s) && (isKeyChar(s[i]) || s[i] == '-') {
				i++
			}
			key := strings.ToLower(s[:i])
			s = strings.TrimLeft(s[i:], " \t")
			if s == "" || s[0] == '\n' || s[0] == '\r' || s[0] == ';' || s[0] == '#' {
				if section != "" {
					out = append(out, configEntry{section: section, subsection: subsection, key: key, value: "true"})
				}
				s = skipLine(s)
				continue
			}
			if s[0] != '=' {
				s = skipLine(s)
				continue
			}
			var value string
			value, s = parseValue(s[1:])
			if section != "" {
				out = append(out, configEntry{section: section, subsection: subsection, key: key, value: value})
			}
		default:
			s = skipLine(s)
		}
	}
	return out
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// parseSectionHeader reads after `[` up to `]`.
func parseSectionHeader(s string) (section, subsection, rest string, ok bool) {
	i := 0
	for i < len(s) && (isKeyChar(s[i]) || s[i] == '-' || s[i] == '.') {
		i++
	}
	section = strings.ToLower(s[:i])
	s = s[i:]
	if section == "" {
		return "", "", s, false
	}
	if s != "" && s[0] == ']' {
		// [section.subsection], the old syntax: the subsection is lower-cased.
		if name, sub, found := strings.Cut(section, "."); found {
			return name, sub, s[1:], name != ""
		}
		return section, "", s[1:], true
	}
	s = strings.TrimLeft(s, " \t")
	if s == "" || s[0] != '"' || strings.Contains(section, ".") {
		return "", "", s, false
	}
	s = s[1:]
	var b strings.Builder
	for {
		if s == "" || s[0] == '\n' {
			return "", "", s, false
		}
		c := s[0]
		s = s[1:]
		switch c {
		case '\\':
			if s == "" || s[0] == '\n' {
				return "", "", s, false
			}
			b.WriteByte(s[0])
			s = s[1:]
			continue
		case '"':
		default:
			b.WriteByte(c)
			continue
		}
		break
	}
	if s == "" || s[0] != ']' {
		return "", "", s, false
	}
	return section, b.String(), s[1:], true
}

// parseValue reads a value after `=` to the end of its line (or of its
// continued lines), returning it and what follows.
func parseValue(s string) (string, string) {
	var b strings.Builder
	quoted := false
	pending := "" // unquoted whitespace, kept only when more text follows
	for s != "" {
		c := s[0]
		switch {
		case c == '\n':
			return b.String(), s[1:]
		case c == '\r' && (len(s) == 1 || s[1] == '\n'):
			s = s[1:]
			continue
		case !quoted && (c == ';' || c == '#'):
			return b.String(), skipLine(s)
		case !quoted && (c == ' ' || c == '\t'):
			if b.Len() > 0 {
				pending += string(c)
			}
			s = s[1:]
			continue
		case c == '"':
			b.WriteString(pending)
			pending = ""
			quoted = !quoted
			s = s[1:]
			continue
		case c == '\\':
			if len(s) < 2 {
				return b.String(), ""
			}
			e := s[1]
			s = s[2:]
			switch e {
			case '\n':
				continue // the value goes on on the next line
			case '\r':
				s = strings.TrimPrefix(s, "\n")
				continue
			case 'n':
				e = '\n'
			case 't':
				e = '\t'
			case 'b':
				e = '\b'
			case '"', '\\':
			default:
				return b.String(), skipLine(s) // an invalid escape: git refuses the line
			}
			b.WriteString(pending)
			pending = ""
			b.WriteByte(e)
			continue
		}
		b.WriteString(pending)
		pending = ""
		b.WriteByte(c)
		s = s[1:]
	}
	return b.String(), s
}

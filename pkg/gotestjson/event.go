package gotestjson

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeEvent reads one test2json line. test2json writes flat objects of
// strings and one number, so a small decoder reads them without
// reflection; anything it is not sure about (an unknown or differently
// cased key, a nested value, a surrogate escape, invalid UTF-8) goes to
// encoding/json, whose result is authoritative. FuzzDecodeEvent checks
// that both agree.
func decodeEvent(line []byte, e *event) error {
	if fastDecode(line, e) {
		return nil
	}
	*e = event{}
	return json.Unmarshal(line, e)
}

func fastDecode(b []byte, e *event) bool {
	*e = event{}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		key, n, ok := fastString(b, i)
		if !ok {
			return false
		}
		i = skipWS(b, n)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return false
		}
		var dst *string
		switch key {
		case "Action":
			dst = &e.Action
		case "Package":
			dst = &e.Package
		case "Test":
			dst = &e.Test
		case "Output":
			dst = &e.Output
		case "ImportPath":
			dst = &e.ImportPath
		case "FailedBuild":
			dst = &e.FailedBuild
		case "Time":
			var discard string
			dst = &discard
		case "Elapsed":
			j := numberEnd(b, i)
			if j < 0 {
				return false
			}
			f, err := strconv.ParseFloat(string(b[i:j]), 64)
			if err != nil {
				return false
			}
			e.Elapsed = f
			i = j
		default:
			return false // encoding/json matches keys without case
		}
		if dst != nil {
			if b[i] != '"' {
				return false // null, numbers into strings: encoding/json decides
			}
			s, j, ok := fastString(b, i)
			if !ok {
				return false
			}
			*dst = s
			i = j
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return skipWS(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// fastString decodes the JSON string starting at b[i] == '"', returning
// the value and the index after the closing quote.
func fastString(b []byte, i int) (string, int, bool) {
	j := i + 1
	// Fast path: no escapes, ASCII.
	for j < len(b) {
		c := b[j]
		if c == '"' {
			return string(b[i+1 : j]), j + 1, true
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		j++
	}
	out := make([]byte, 0, j-i+16)
	out = append(out, b[i+1:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return string(out), j + 1, true
		case c < 0x20:
			return "", 0, false
		case c >= 0x80:
			r, size := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && size == 1 {
				return "", 0, false // encoding/json replaces invalid bytes
			}
			out = append(out, b[j:j+size]...)
			j += size
		case c == '\\':
			if j+1 >= len(b) {
				return "", 0, false
			}
			switch b[j+1] {
			case '"', '\\', '/':
				out = append(out, b[j+1])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if j+6 > len(b) {
					return "", 0, false
				}
				v, err := strconv.ParseUint(string(b[j+2:j+6]), 16, 32)
				if err != nil || (v >= 0xD800 && v < 0xE000) {
					return "", 0, false // surrogates: leave them to encoding/json
				}
				out = utf8.AppendRune(out, rune(v))
				j += 6
				continue
			default:
				return "", 0, false
			}
			j += 2
		default:
			out = append(out, c)
			j++
		}
	}
	return "", 0, false
}

// numberEnd returns the end of the JSON number at b[i], or -1 when it is
// not one by the JSON grammar.
func numberEnd(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return -1
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return -1
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return -1
		}
	}
	return j
}

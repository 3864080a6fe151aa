package tiers

import (
	"bufio"
	"bytes"
	"strings"
)

// ScanTestFunctions lists the test functions a pytest file defines, as
// node-id suffixes ("test_a", "TestUser::test_b"). It is a line scanner,
// not a Python parser: it sees `def test*` at module level and inside
// `class Test*` blocks, which is what pytest collects by default. Tests
// it cannot see (generated, inherited) still run, because a split file's
// remainder always runs whole.
func ScanTestFunctions(src []byte) []string {
	type frame struct {
		indent int
		name   string // "" for a non-test class: its methods are not collected
	}
	var stack []frame
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	inString := ""
	for sc.Scan() {
		line := sc.Text()
		// Skip the bodies of triple-quoted strings (docstrings with "def test" examples).
		if inString != "" {
			if strings.Count(line, inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		indent := len(line) - len(trimmed)
		for len(stack) > 0 && indent <= stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(trimmed, q)%2 == 1 {
				inString = q
			}
		}
		word := trimmed
		if strings.HasPrefix(word, "async ") {
			word = strings.TrimLeft(word[len("async "):], " ")
		}
		switch {
		case strings.HasPrefix(word, "class "):
			name := ident(word[len("class "):])
			parentTest := len(stack) == 0 || stack[len(stack)-1].name != ""
			if strings.HasPrefix(name, "Test") && parentTest {
				prefix := ""
				if len(stack) > 0 {
					prefix = stack[len(stack)-1].name + "::"
				}
				stack = append(stack, frame{indent, prefix + name})
			} else {
				stack = append(stack, frame{indent, ""})
			}
		case strings.HasPrefix(word, "def "):
			name := ident(word[len("def "):])
			if strings.HasPrefix(name, "test") {
				if len(stack) == 0 {
					out = append(out, name)
				} else if cls := stack[len(stack)-1].name; cls != "" {
					out = append(out, cls+"::"+name)
				}
			}
			// A function body is not a class scope: nested defs are not tests.
			stack = append(stack, frame{indent, ""})
		}
	}
	return out
}

func ident(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80) {
			return s[:i]
		}
	}
	return s
}

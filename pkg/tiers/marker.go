package tiers

import (
	"fmt"
	"strings"
)

// Marker is a parsed pytest marker expression (the argument of pytest -m).
//
// The grammar is pytest's:
//
//	expr     := and_expr ("or" and_expr)*
//	and_expr := not_expr ("and" not_expr)*
//	not_expr := "not" not_expr | "(" expr ")" | ident kwargs?
//	ident    := (letter | digit | _ : + - . [ ] \ /)+
//	kwargs   := "(" name "=" value ("," name "=" value)* ")"   (pytest 8)
//
// The empty expression matches every test.
type Marker struct {
	src  string
	root *node
}

type node struct {
	op          string // "or", "and", "not", "ident"
	ident       string
	args        string // keyword arguments of an ident, canonical ("(a=1, b='x')"), or ""
	left, right *node
}

// MaxMarkerLength bounds an expression, so a hostile input cannot recurse deeply.
const MaxMarkerLength = 4096

// ParseMarker parses a pytest marker expression.
func ParseMarker(expr string) (*Marker, error) {
	if len(expr) > MaxMarkerLength {
		return nil, fmt.Errorf("marker expression is %d bytes; pytest expressions this long are a mistake (limit %d)", len(expr), MaxMarkerLength)
	}
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, src: expr}
	m := &Marker{src: strings.TrimSpace(expr)}
	if len(toks) == 0 {
		return m, nil
	}
	m.root, err = p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("marker expression %q: unexpected %q at column %d; combine markers with and, or, not and parentheses", expr, p.toks[p.pos].text, p.toks[p.pos].col)
	}
	return m, nil
}

// String is the expression as written (trimmed).
func (m *Marker) String() string { return m.src }

// Canonical is the expression re-printed with minimal parentheses, for
// comparing expressions written differently.
func (m *Marker) Canonical() string {
	if m.root == nil {
		return ""
	}
	return m.root.format(0)
}

// Idents are the marker names the expression mentions, in order of appearance.
func (m *Marker) Idents() []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if n.op == "ident" {
			out = append(out, n.ident)
		}
		walk(n.left)
		walk(n.right)
	}
	walk(m.root)
	return out
}

// Match evaluates the expression for a test carrying the markers for which has returns true.
func (m *Marker) Match(has func(name string) bool) bool {
	if m.root == nil {
		return true
	}
	return m.root.eval(has)
}

func (n *node) eval(has func(string) bool) bool {
	switch n.op {
	case "or":
		return n.left.eval(has) || n.right.eval(has)
	case "and":
		return n.left.eval(has) && n.right.eval(has)
	case "not":
		return !n.left.eval(has)
	}
	return has(n.ident)
}

// precedence: or 1, and 2, not 3, ident 4.
func (n *node) prec() int {
	switch n.op {
	case "or":
		return 1
	case "and":
		return 2
	case "not":
		return 3
	}
	return 4
}

func (n *node) format(parent int) string {
	var s string
	switch n.op {
	case "or", "and":
		// Left-associative: the right operand needs parentheses at equal precedence.
		s = n.left.format(n.prec()) + " " + n.op + " " + n.right.format(n.prec()+1)
	case "not":
		s = "not " + n.left.format(n.prec())
	default:
		return n.ident + n.args
	}
	if n.prec() < parent {
		return "(" + s + ")"
	}
	return s
}

type token struct {
	kind string // "(", ")", "or", "and", "not", "ident"
	text string
	col  int
}

func isIdentByte(c byte) bool {
	return c == '_' || c == ':' || c == '+' || c == '-' || c == '.' || c == '[' || c == ']' || c == '\\' || c == '/' ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '=' || c == ',':
			toks = append(toks, token{string(c), string(c), i + 1})
			i++
		case c == '"' || c == '\'':
			// Quoted values appear only in keyword arguments: mark(name="x").
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("marker expression %q: expected %s at column %d, found %q", s, "a closing "+string(c), i+1, s[i:])
			}
			toks = append(toks, token{"string", s[i : i+j+2], i + 1})
			i += j + 2
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			w := s[i:j]
			kind := "ident"
			if w == "or" || w == "and" || w == "not" {
				kind = w
			}
			toks = append(toks, token{kind, w, i + 1})
			i = j
		default:
			return nil, fmt.Errorf("marker expression %q: character %q at column %d is not allowed; marker names use letters, digits and _ : + - . [ ] \\ /", s, c, i+1)
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	pos  int
	src  string
}

// kwargs parses "(name=value, ...)" after a marker name; values are
// quoted strings, numbers or the names True, False and None.
func (p *parser) kwargs() (string, error) {
	p.pos++ // (
	var parts []string
	for {
		if p.peek() != "ident" {
			return "", p.expected("a keyword argument name")
		}
		name := p.toks[p.pos].text
		p.pos++
		if p.peek() != "=" {
			return "", p.expected(`"="`)
		}
		p.pos++
		if k := p.peek(); k != "string" && k != "ident" {
			return "", p.expected("a value (a quoted string, a number, True, False or None)")
		}
		parts = append(parts, name+"="+p.toks[p.pos].text)
		p.pos++
		switch p.peek() {
		case ",":
			p.pos++
		case ")":
			p.pos++
			return "(" + strings.Join(parts, ", ") + ")", nil
		default:
			return "", p.expected(`"," or ")"`)
		}
	}
}

// maxDepth bounds nesting ("not not not …", "((((…"): no stack exhaustion.
const maxDepth = 200

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

func (p *parser) expected(what string) error {
	if p.pos >= len(p.toks) {
		return fmt.Errorf("marker expression %q: expected %s at the end", p.src, what)
	}
	t := p.toks[p.pos]
	return fmt.Errorf("marker expression %q: expected %s at column %d, found %q", p.src, what, t.col, t.text)
}

func (p *parser) expr(depth int) (*node, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peek() == "or" {
		p.pos++
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		left = &node{op: "or", left: left, right: right}
	}
	return left, nil
}

func (p *parser) and(depth int) (*node, error) {
	left, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for p.peek() == "and" {
		p.pos++
		right, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		left = &node{op: "and", left: left, right: right}
	}
	return left, nil
}

func (p *parser) not(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("marker expression %q nests deeper than %d levels", p.src, maxDepth)
	}
	switch p.peek() {
	case "not":
		p.pos++
		inner, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return &node{op: "not", left: inner}, nil
	case "(":
		p.pos++
		inner, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, p.expected(`")"`)
		}
		p.pos++
		return inner, nil
	case "ident":
		t := p.toks[p.pos]
		p.pos++
		n := &node{op: "ident", ident: t.text}
		if p.peek() == "(" {
			// pytest 8 keyword matching: mark(name=value, ...). The
			// arguments are checked and kept, not evaluated by Match.
			args, err := p.kwargs()
			if err != nil {
				return nil, err
			}
			n.args = args
		}
		return n, nil
	}
	return nil, p.expected("a marker name, not or (")
}

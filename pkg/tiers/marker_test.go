package tiers

import (
	"strings"
	"testing"
)

func TestParseMarker(t *testing.T) {
	has := func(ms ...string) func(string) bool {
		return func(n string) bool {
			for _, m := range ms {
				if m == n {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		expr      string
		canonical string
		markers   []string
		match     bool
		errSub    string
	}{
		{expr: "", canonical: "", match: true},
		{expr: "unit", canonical: "unit", markers: []string{"unit"}, match: true},
		{expr: "unit and not slow", canonical: "unit and not slow", markers: []string{"unit", "slow"}, match: false},
		{expr: "unit and not slow", canonical: "unit and not slow", markers: []string{"unit"}, match: true},
		{expr: "smoke or unit and integration", canonical: "smoke or unit and integration", markers: []string{"unit"}, match: false},
		{expr: "(smoke or unit) and integration", canonical: "(smoke or unit) and integration", markers: []string{"unit", "integration"}, match: true},
		{expr: "not not  smoke", canonical: "not not smoke", markers: []string{"smoke"}, match: true},
		{expr: "a or (b or c)", canonical: "a or (b or c)", markers: []string{"c"}, match: true},
		{expr: "((unit))", canonical: "unit", markers: []string{"unit"}, match: true},
		{expr: "db:postgres and py3.12", canonical: "db:postgres and py3.12", markers: []string{"db:postgres", "py3.12"}, match: true},
		{expr: `device(serial="123", n=2) and not slow`, canonical: `device(serial="123", n=2) and not slow`, markers: []string{"device"}, match: true},
		{expr: "device(serial='x y')", canonical: "device(serial='x y')", markers: []string{"device"}, match: true},
		{expr: "device(serial)", errSub: `expected "=" at column 14`},
		{expr: "device(serial=)", errSub: "expected a value"},
		{expr: `device(a="x"`, errSub: `expected "," or ")" at the end`},
		{expr: `device(a="x)`, errSub: `expected a closing " at column 10, found "\"x)"`},
		{expr: "unit and", errSub: "expected a marker name, not or ( at the end"},
		{expr: "(unit", errSub: `expected ")" at the end`},
		{expr: "unit)", errSub: `unexpected ")" at column 5`},
		{expr: "unit smoke", errSub: `unexpected "smoke" at column 6`},
		{expr: "unit && smoke", errSub: `character '&' at column 6`},
		{expr: "'unit'", errSub: `expected a marker name, not or ( at column 1, found "'unit'"`},
		{expr: strings.Repeat("not ", 300) + "x", errSub: "nests deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			m, err := ParseMarker(tt.expr)
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Canonical(); got != tt.canonical {
				t.Errorf("canonical = %q, want %q", got, tt.canonical)
			}
			if got := m.Match(has(tt.markers...)); got != tt.match {
				t.Errorf("match(%v) = %v, want %v", tt.markers, got, tt.match)
			}
		})
	}
}

func FuzzParseMarker(f *testing.F) {
	for _, s := range []string{"unit", "unit and not slow", "(a or b) and not (c or d)", "not", "((", "a b", "x[1]", `m(a="1", b=2) or n`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		m, err := ParseMarker(expr)
		if err != nil {
			return
		}
		// The canonical form parses to itself and means the same thing.
		c := m.Canonical()
		m2, err := ParseMarker(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, expr, err)
		}
		if c2 := m2.Canonical(); c2 != c {
			t.Fatalf("canonical form is not stable: %q then %q", c, c2)
		}
		idents := m.Idents()
		for mask := 0; mask < 1<<min(len(idents), 6); mask++ {
			has := func(n string) bool {
				for i, id := range idents[:min(len(idents), 6)] {
					if id == n {
						return mask&(1<<i) != 0
					}
				}
				return false
			}
			if m.Match(has) != m2.Match(has) {
				t.Fatalf("%q and its canonical form %q disagree", expr, c)
			}
		}
	})
}

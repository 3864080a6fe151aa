package tiers

import (
	"strings"
	"testing"
)

func FuzzScanTestFunctions(f *testing.F) {
	f.Add("def test_a():\n    pass\n")
	f.Add("class TestX:\n    def test_b(self):\n        '''doc\n        def test_no(): pass\n        '''\n\n    async def test_c(self):\n        pass\n")
	f.Add("class TestA:\n  class TestB:\n    def test_c(self): pass\ndef test_d(): pass\n")
	f.Fuzz(func(t *testing.T, src string) {
		for _, id := range ScanTestFunctions([]byte(src)) {
			parts := strings.Split(id, "::")
			if !strings.HasPrefix(parts[len(parts)-1], "test") {
				t.Fatalf("%q is not a test function", id)
			}
			for _, c := range parts[:len(parts)-1] {
				if !strings.HasPrefix(c, "Test") {
					t.Fatalf("%q: %q is not a test class", id, c)
				}
			}
			if !strings.Contains(src, parts[len(parts)-1]) {
				t.Fatalf("%q is not in the source", id)
			}
		}
	})
}

func FuzzMatchGlob(f *testing.F) {
	f.Add("tests/**/test_*.py", "tests/a/b/test_x.py")
	f.Add("**", "x")
	f.Add("[a-", "a")
	f.Add("**/**/**/*.xml", "a/b.xml")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 200 || len(name) > 200 {
			return // ** backtracking is polynomial in the segments: keep inputs realistic
		}
		got := MatchGlob(pattern, name)
		if pattern == name && checkPattern(pattern) == nil && !strings.ContainsAny(pattern, `*?[\`) && got != true {
			t.Fatalf("a literal pattern %q does not match itself", pattern)
		}
		if MatchGlob("**", name) != true {
			t.Fatalf("** does not match %q", name)
		}
	})
}

func FuzzResultOf(f *testing.F) {
	f.Add("junit-unit-1.xml")
	f.Add("dir/coverage-db_pg-12-a3.xml")
	f.Add("junit--1.xml")
	f.Add("junit-unit-1-a0.xml")
	f.Add("junit-unit-0.xml")
	f.Add("junit-unit-99999999999999999999.xml")
	f.Fuzz(func(t *testing.T, name string) {
		kind, tier, shard, attempt, ok := ResultOf(name)
		if !ok {
			return
		}
		if shard < 1 || attempt < 1 {
			t.Fatalf("%q: shard %d attempt %d", name, shard, attempt)
		}
		back := ResultName(kind, tier, shard, attempt)
		k2, t2, s2, a2, ok2 := ResultOf(back)
		if !ok2 || k2 != kind || t2 != tier || s2 != shard || a2 != attempt {
			t.Fatalf("%q → %q does not read back", name, back)
		}
	})
}

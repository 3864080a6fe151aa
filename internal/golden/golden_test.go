package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, c := range []struct {
		name, want, got, diff string
	}{
		{"same", "a\nb\n", "a\nb\n", ""},
		{"changed line", "a\nb\nc\n", "a\nB\nc\n", "@@ line 1 @@\n a\n-b\n+B\n c\n"},
		{"added at end", "a\n", "a\nb\n", "@@ line 1 @@\n a\n+b\n"},
		{"removed first", "a\nb\n", "b\n", "@@ line 1 @@\n-a\n b\n"},
		{"no final newline", "a\n", "a", "@@ line 1 @@\n-a\n+a⏎ (no newline at end)\n"},
		{"from nothing", "", "x\n", "@@ line 1 @@\n+x\n"},
		{
			"two hunks far apart",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			"1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\nELEVEN\n12\n",
			"@@ line 1 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n@@ line 8 @@\n 8\n 9\n 10\n-11\n+ELEVEN\n 12\n",
		},
	} {
		if got := Diff(c.want, c.got); got != c.diff {
			t.Errorf("%s: Diff =\n%s\nwant\n%s", c.name, got, c.diff)
		}
	}
}

func TestDiffIsBounded(t *testing.T) {
	want := strings.Repeat("x\n", 5000)
	got := strings.Repeat("y\n", 5000)
	d := Diff(want, got)
	if n := strings.Count(d, "\n"); n > maxDiffLines+2 || !strings.Contains(d, "more changed lines") {
		t.Errorf("diff of two 5000-line files has %d lines:\n%.300s", n, d)
	}
}

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Errorf(format string, a ...any) { f.errors = append(f.errors, format) }

func TestCheckReportsADiff(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(p, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{TB: t}
	Check(ft, p, []byte("a\nb\n"))
	if len(ft.errors) != 0 {
		t.Errorf("equal content failed: %v", ft.errors)
	}
	Check(ft, p, []byte("a\nc\n"))
	if len(ft.errors) != 1 {
		t.Errorf("different content: %d failures, want 1", len(ft.errors))
	}
}

// Package golden compares what a test produces with a file checked in
// beside it (under testdata/), and rewrites those files when the tests run
// with -update. It is the only place that declares the -update flag, so
// every package's golden files behave alike: -update writes, then compares,
// and a difference is shown as a line diff rather than the whole output.
//
//	got := render(...)
//	golden.Check(t, filepath.Join("testdata", "summary.md"), []byte(got))
//
// Rewrite with `go test ./pkg/foo -update` and review the change with git diff.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with what the tests produce (review with git diff)")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the file at path. Under -update it first writes
// got there, creating the directory.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the test produced (go test -update rewrites it; review with git diff):\n%s", path, Diff(string(want), string(got)))
	}
}

// CheckString is Check for text.
func CheckString(t testing.TB, path, got string) {
	t.Helper()
	Check(t, path, []byte(got))
}

// CheckDir compares a whole directory with files (name to content): every
// file must match and the directory must hold no other file. Under -update
// the directory is replaced.
func CheckDir(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		Check(t, filepath.Join(dir, name), data)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok {
			t.Errorf("%s is not produced any more (go test -update removes it)", filepath.Join(dir, e.Name()))
		}
	}
}

// maxDiffLines bounds a shown diff; the rest is counted.
const maxDiffLines = 200

// Diff is a line diff from want to got: lines only in want start with
// "-", lines only in got with "+", and up to three unchanged lines around
// each change with " ". A missing final newline is marked.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := splitLines(want), splitLines(got)
	// Common head and tail first: most golden diffs are a few lines in a
	// long file, and the table below is quadratic in what remains.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := editScript(a[pre:len(a)-suf], b[pre:len(b)-suf])
	var all []op
	for _, l := range a[:pre] {
		all = append(all, op{' ', l, 0})
	}
	all = append(all, ops...)
	for _, l := range a[len(a)-suf:] {
		all = append(all, op{' ', l, 0})
	}
	// Number the lines of want, for the hunk headers.
	n := 1
	for i := range all {
		all[i].line = n
		if all[i].kind != '+' {
			n++
		}
	}
	const context = 3
	keep := make([]bool, len(all))
	for i, o := range all {
		if o.kind != ' ' {
			for j := max(0, i-context); j <= min(len(all)-1, i+context); j++ {
				keep[j] = true
			}
		}
	}
	var sb strings.Builder
	shown, last := 0, -2
	for i, o := range all {
		if !keep[i] {
			continue
		}
		if shown == maxDiffLines {
			rest := 0
			for _, o := range all[i:] {
				if o.kind != ' ' {
					rest++
				}
			}
			fmt.Fprintf(&sb, "… %d more changed lines\n", rest)
			break
		}
		if i != last+1 {
			fmt.Fprintf(&sb, "@@ line %d @@\n", o.line)
		}
		sb.WriteByte(o.kind)
		sb.WriteString(o.text)
		sb.WriteByte('\n')
		shown++
		last = i
	}
	return sb.String()
}

type op struct {
	kind byte // ' ', '-' or '+'
	text string
	line int // line of want (the next one, for '+')
}

// splitLines keeps a missing final newline visible.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		return lines[:len(lines)-1]
	}
	lines[len(lines)-1] += "⏎ (no newline at end)"
	return lines
}

// maxTable bounds the longest-common-subsequence table; beyond it the
// changed region is shown as all removed, then all added.
const maxTable = 4 << 20

func editScript(a, b []string) []op {
	var out []op
	if len(a)*len(b) > maxTable {
		for _, l := range a {
			out = append(out, op{'-', l, 0})
		}
		for _, l := range b {
			out = append(out, op{'+', l, 0})
		}
		return out
	}
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:].
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, op{' ', a[i], 0})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, op{'-', a[i], 0})
			i++
		default:
			out = append(out, op{'+', b[j], 0})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, op{'-', a[i], 0})
	}
	for ; j < len(b); j++ {
		out = append(out, op{'+', b[j], 0})
	}
	return out
}

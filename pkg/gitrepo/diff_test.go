package gitrepo

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	fdiff "github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/org/timetracker-ci/pkg/gitrepo/gitrepotest"
)

// goGitChangedLines is ChangedLines as it was computed with go-git: a
// tree diff with go-git's rename detection, then its patch.
func goGitChangedLines(t *testing.T, dir, base, head string) map[string][]int {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	tree := func(rev string) *object.Tree {
		h, err := repo.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			t.Fatal(err)
		}
		c, err := repo.CommitObject(*h)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := c.Tree()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	changes, err := object.DiffTreeWithOptions(context.Background(), tree(base), tree(head), object.DefaultDiffTreeOptions)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := changes.Patch()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int{}
	for _, fp := range patch.FilePatches() {
		_, to := fp.Files()
		if to == nil || fp.IsBinary() {
			continue
		}
		var lines []int
		line := 0
		for _, c := range fp.Chunks() {
			n := strings.Count(c.Content(), "\n")
			if c.Content() != "" && !strings.HasSuffix(c.Content(), "\n") {
				n++
			}
			switch c.Type() {
			case fdiff.Equal:
				line += n
			case fdiff.Add:
				for i := 1; i <= n; i++ {
					lines = append(lines, line+i)
				}
				line += n
			}
		}
		if len(lines) > 0 {
			out[to.Path()] = lines
		}
	}
	return out
}

// uniqueLines makes n lines no other call repeats, so that every line diff
// is unambiguous and both implementations must agree on the added lines.
func uniqueLines(rng *rand.Rand, tag string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s line %d %x", tag, i, rng.Int63())
	}
	return out
}

func text(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// edit changes a file's lines: replaces, inserts and deletes a few.
func edit(rng *rand.Rand, lines []string, tag string) []string {
	out := append([]string(nil), lines...)
	for k := 0; k < 1+rng.Intn(4); k++ {
		if len(out) == 0 {
			break
		}
		i := rng.Intn(len(out))
		switch rng.Intn(3) {
		case 0:
			out[i] = fmt.Sprintf("%s changed %d %x", tag, k, rng.Int63())
		case 1:
			out = append(out[:i], append(uniqueLines(rng, tag+"ins", 1+rng.Intn(3)), out[i:]...)...)
		case 2:
			out = append(out[:i], out[i+1:]...)
		}
	}
	return out
}

// Generated histories of edits, moves, moves with small edits, binary
// files, deletions and files in subfolders give the changed lines go-git
// gave. Moves with edits keep files over 80% similar: both
// implementations pair them (go-git from 60%, this package from 50% like
// git, and measuring similarity differently), so a pairing that
// legitimately differs between them is not generated here; that case is
// TestChangedLinesRenameThreshold's.
func TestChangedLinesMatchesGoGit(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			g := gitrepotest.New(t)
			files := map[string][]string{}
			for i := 0; i < 12; i++ {
				p := fmt.Sprintf("f%d.txt", i)
				if i%3 == 1 {
					p = fmt.Sprintf("src/pkg%d/f%d.go", i%2, i)
				}
				files[p] = uniqueLines(rng, p, 20+rng.Intn(30))
				g.Write(p, text(files[p]))
			}
			g.Write("bin/blob.dat", "\x00\x01binary\n")
			g.Write("bin/gone.dat", "\x00gone\n")
			g.Commit("base")
			g.Git("checkout", "-q", "-b", "feature")
			var paths []string
			for p := range files {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for n, p := range paths {
				lines := files[p]
				switch op := rng.Intn(6); op {
				case 0: // edit
					g.Write(p, text(edit(rng, lines, fmt.Sprint("e", n))))
				case 1: // move
					g.Git("rm", "-q", p)
					g.Write("moved/"+strings.ReplaceAll(p, "/", "_"), text(lines))
				case 2: // move with a small edit
					dst := "moved/edited_" + strings.ReplaceAll(p, "/", "_")
					g.Git("rm", "-q", p)
					ed := append([]string(nil), lines...)
					ed[rng.Intn(len(ed))] = fmt.Sprintf("moved edit %d", n)
					g.Write(dst, text(ed))
				case 3: // delete
					g.Git("rm", "-q", p)
				case 4: // into a new subfolder, unchanged name, plus a new file
					g.Write("new/"+p, text(uniqueLines(rng, "new"+p, 5)))
				default: // untouched
				}
			}
			g.Write("bin/blob.dat", "\x00\x02binary changed\nline\n")
			g.Git("rm", "-q", "bin/gone.dat")
			g.Write("bin/text-to-binary.txt", "now\x00binary")
			g.Commit("feature work")
			g.Git("checkout", "-q", "main")
			g.Write("main-only.txt", "main moves on\n")
			g.Commit("main moves")

			r, err := Open(g.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := r.ChangedLines(ctx, "main", "feature")
			if err != nil {
				t.Fatal(err)
			}
			mb := g.Git("merge-base", "main", "feature")
			t.Logf("changes:\n%s", g.Git("diff", "--name-status", "-M", mb, "feature"))
			want := goGitChangedLines(t, g.Dir, mb, "feature")
			if len(want) == 0 {
				t.Fatal("go-git found no changed lines: the history generates nothing")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ChangedLines:\n%v\ngo-git:\n%v", got, want)
			}
		})
	}
}

// A moved file about 55% similar to its source is a rename for git (50%)
// and this package, not for go-git (60%): go-git lists every line of it,
// this package only those that differ.
func TestChangedLinesRenameThreshold(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(7))
	g := gitrepotest.New(t)
	lines := uniqueLines(rng, "src", 20)
	g.Write("a.txt", text(lines))
	g.Commit("base")
	moved := append(append([]string(nil), lines[:11]...), uniqueLines(rng, "new", 9)...)
	g.Git("rm", "-q", "a.txt")
	g.Write("b.txt", text(moved))
	g.Commit("move with a large edit")
	if out := g.Git("diff", "--name-status", "-M", "HEAD~1", "HEAD"); !strings.HasPrefix(out, "R") {
		t.Fatalf("git does not see a rename: %s", out)
	}
	r, err := Open(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.ChangedLines(ctx, "HEAD~1", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"b.txt": {12, 13, 14, 15, 16, 17, 18, 19, 20}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangedLines = %v, want %v", got, want)
	}
	if gg := goGitChangedLines(t, g.Dir, "HEAD~1", "HEAD"); len(gg["b.txt"]) != 20 {
		t.Errorf("go-git now pairs the rename too (%v): update this test's comment", gg)
	}
}

func TestAddedLines(t *testing.T) {
	for _, c := range []struct {
		old, cur string
		want     []int
	}{
		{"", "a\nb\n", []int{1, 2}},
		{"a\nb\n", "", nil},
		{"a\nb\nc\n", "a\nB\nc\n", []int{2}},
		{"a\nb\nc\n", "x\na\nb\nc\ny\n", []int{1, 5}},
		{"a\nb", "a\nb\n", []int{2}}, // the last line gains its newline
		{"a\n", "b\n", []int{1}},
		{"a\nb\nc\nd\n", "d\nc\nb\na\n", []int{2, 3, 4}},
		{"x\n", "a\nx\nb\n", []int{1, 3}},
		{"a\nx\nb\n", "x\n", nil},
		// Runs slide down as git's do (git diff --no-index gives +3,2 for both).
		{"a\n}\nz\n", "a\n}\nb\n}\nz\n", []int{3, 4}},
		{"x\n\ny\n", "x\n\nnew\n\ny\n", []int{3, 4}},
		// A line only the new file has is added before any search.
		{"p\nq\nr\n", "p\nonly\nq\nr\n", []int{2}},
	} {
		got := addedLines([]byte(c.old), []byte(c.cur))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("addedLines(%q, %q) = %v, want %v", c.old, c.cur, got, c.want)
		}
	}
}

// FuzzAddedLines: the lines not added, in order, are a common subsequence
// of both files, and no line is added twice.
func FuzzAddedLines(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nx\nc\nd")
	f.Add("", "x")
	f.Add("a\na\na\n", "a\nb\na\n")
	f.Fuzz(func(t *testing.T, old, cur string) {
		added := addedLines([]byte(old), []byte(cur))
		curLines := splitLines([]byte(cur))
		isAdded := map[int]bool{}
		for i, n := range added {
			if n < 1 || n > len(curLines) || isAdded[n] || i > 0 && added[i-1] >= n {
				t.Fatalf("added %v for %d lines", added, len(curLines))
			}
			isAdded[n] = true
		}
		oldLines := splitLines([]byte(old))
		j := 0
		for i, l := range curLines {
			if isAdded[i+1] {
				continue
			}
			for j < len(oldLines) && string(oldLines[j]) != string(l) {
				j++
			}
			if j == len(oldLines) {
				t.Fatalf("kept line %d %q is not in the old file in order", i+1, l)
			}
			j++
		}
	})
}

// FuzzParseTree: corrupt tree objects are refused or parsed, never panic,
// and every entry parsed has a name and a mode.
func FuzzParseTree(f *testing.F) {
	f.Add([]byte("100644 a.txt\x00" + strings.Repeat("\x01", 20) + "40000 dir\x00" + strings.Repeat("\x02", 20)))
	f.Add([]byte("100644 \x00"))
	f.Add([]byte("999 x\x00short"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseTree(data)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.name == "" {
				t.Fatalf("entry without a name in %q", data)
			}
		}
	})
}

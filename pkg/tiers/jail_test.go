package tiers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/org/timetracker-ci/pkg/workspace"
)

func mustJail(t testing.TB, root string) *workspace.Workspace {
	t.Helper()
	w, err := workspace.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// secretOutside is a file outside the workspace holding a canary, as
// /proc/self/environ holds the token.
func secretOutside(t *testing.T) (path, canary string) {
	t.Helper()
	canary = "CANARY-tiers-9f2c"
	path = filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("tiers:\n  "+canary+": {marker: x}\n@pytest.mark."+canary+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, canary
}

// Every file the tiers package reads for an input (plan, tiers, test
// sources, conftest.py) is refused when it is a symlink out of the
// working directory, a FIFO or /proc, naming the input; nothing of its
// content reaches the error.
func TestTiersFilesGoThroughTheJail(t *testing.T) {
	secret, canary := secretOutside(t)
	for _, target := range []string{secret, "/proc/self/environ", "fifo"} {
		t.Run(filepath.Base(target), func(t *testing.T) {
			dir := t.TempDir()
			link := func(name string) {
				t.Helper()
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if target == "fifo" {
					if err := syscall.Mkfifo(p, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				if err := os.Symlink(target, p); err != nil {
					t.Fatal(err)
				}
			}
			link("plan.json")
			link("tiers.yml")
			link("tests/unit/test_a.py")
			ctx := context.Background()
			check := func(what, input string, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: read through a %s", what, target)
				}
				var pe *workspace.PathError
				if !errors.As(err, &pe) || pe.Input != input {
					t.Errorf("%s: %v does not name input %q", what, err, input)
				}
				if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "PATH=") {
					t.Errorf("%s: content in the error: %v", what, err)
				}
			}
			_, err := ReadPlan(dir, "plan.json")
			check("ReadPlan", "plan", err)
			_, err = Load(ctx, dir, "tiers.yml")
			check("Load", "tiers", err)
			ts, _ := Parse([]byte("unit:\n  marker: unit\n"))
			_, err = Make(ctx, ts, Options{Root: dir})
			check("Make", "paths", err)
		})
	}
}

func TestWritePlanNeverThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "plan.json")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := os.Symlink(filepath.Dir(out), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	p := &Plan{Version: PlanVersion, Tiers: []TierPlan{{}}}
	for _, f := range []string{"plan.json", "link/plan.json", "../plan.json"} {
		if err := WritePlan(dir, f, p); err == nil {
			t.Errorf("WritePlan %s: written", f)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Error("wrote through a symlink")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(out), "plan.json")); err == nil {
		t.Error("wrote through a symlinked folder")
	}
}

// ClearResults removes a symlink named like a result file, never its
// target, and refuses a results folder leading out.
func TestClearResultsThroughTheJail(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	victim := filepath.Join(outside, "junit-unit-1.xml")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "test-results"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "test-results", "junit-unit-1.xml")); err != nil {
		t.Fatal(err)
	}
	p := &Plan{Version: PlanVersion, ResultsDir: "test-results", Tiers: []TierPlan{{Tier: Tier{Name: "unit"}}}}
	if err := p.ClearResults(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "test-results", "junit-unit-1.xml")); err == nil {
		t.Error("the old result link stayed")
	}
	if _, err := os.Stat(victim); err != nil {
		t.Error("removed the symlink's target outside")
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	p.ResultsDir = "out"
	if err := p.ClearResults(dir); err == nil {
		t.Error("cleared a results folder outside")
	}
	if _, err := os.Stat(victim); err != nil {
		t.Error("removed a file outside")
	}
}

// GlobIn never descends into a symlinked folder, inside or out.
func TestGlobDoesNotFollowSymlinkedFolders(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(outside, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "tests", "test_x.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "tests"), filepath.Join(dir, "tests")); err != nil {
		t.Fatal(err)
	}
	got, err := Glob(context.Background(), dir, DefaultPaths())
	if err != nil || len(got) != 0 {
		t.Fatalf("Glob = %v, %v; want nothing", got, err)
	}
}

func FuzzWorkDir(f *testing.F) {
	for _, s := range []string{".", "sub", "../x", "/etc", "sub/../..", "link", "link/x", "a\x00b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dir string) {
		ws := t.TempDir()
		if err := os.Mkdir(filepath.Join(ws, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/", filepath.Join(ws, "link")); err != nil {
			t.Fatal(err)
		}
		got, err := WorkDir(ws, dir)
		if err != nil {
			return
		}
		real, _ := filepath.EvalSymlinks(got)
		wsReal, _ := filepath.EvalSymlinks(ws)
		if rel, err := filepath.Rel(wsReal, real); err != nil || !(rel == "." || filepath.IsLocal(rel)) {
			t.Fatalf("WorkDir(%q) = %s, outside the workspace", dir, got)
		}
	})
}

// FuzzGlobIn: whatever the patterns, every match is a path inside the
// root reached without a symlinked folder (the link itself may match, as
// a file; reading it through the jail refuses it).
func FuzzGlobIn(f *testing.F) {
	for _, s := range []string{"**/*.py", "link/**", "../**", "/etc/*", "tests/**/test_*.py\n!tests/x.py", "**/**/**", "[", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, patterns string) {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, "tests", "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "tests", "sub", "test_a.py"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/etc", filepath.Join(root, "link")); err != nil {
			t.Fatal(err)
		}
		w := mustJail(t, root)
		got, err := GlobIn(context.Background(), w, strings.Split(patterns, "\n"))
		if err != nil {
			return
		}
		for _, m := range got {
			if m == "link" {
				if _, err := w.ReadFile("paths", m, workspace.KindConfig); err == nil {
					t.Fatal("the symlinked folder was read")
				}
				continue
			}
			if !filepath.IsLocal(filepath.FromSlash(m)) || strings.HasPrefix(m, "link/") {
				t.Fatalf("%q matched %q", patterns, m)
			}
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(m))); err != nil {
				t.Fatalf("%q matched %q, which is not there: %v", patterns, m, err)
			}
		}
	})
}

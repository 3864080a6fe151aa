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

// GlobLinks walks a symlinked folder whose target is inside the
// workspace, as pytest collects through it, once and never in a loop; a
// symlinked folder leading out, to nothing or in a loop is not walked and
// is reported when the patterns reach below it. Real links in a temporary
// workspace.
func TestGlobSymlinkedFolders(t *testing.T) {
	type link struct{ at, to string } // to: relative to the link's folder; "OUT/…" is outside
	tests := []struct {
		name    string
		files   []string // created in the workspace
		links   []link
		want    []string // matches
		skipped []string // "path: reason fragment"
	}{
		{"inside target is walked",
			[]string{"tests/test_real.py", "shared/unit/test_a.py", "shared/unit/deep/test_b.py"},
			[]link{{"tests/unit", "../shared/unit"}},
			[]string{"tests/test_real.py", "tests/unit/deep/test_b.py", "tests/unit/test_a.py"}, nil},
		{"inside target through a symlinked parent",
			[]string{"lib/tests/api/test_c.py"},
			[]link{{"tests", "lib/tests"}},
			[]string{"tests/api/test_c.py"}, nil},
		{"outside target is reported, not walked",
			[]string{"tests/test_real.py"},
			[]link{{"tests/vendor", "OUT/tests"}},
			[]string{"tests/test_real.py"}, []string{"tests/vendor: leads outside the workspace"}},
		{"outside target the patterns cannot reach is not reported",
			[]string{"tests/test_real.py"},
			[]link{{"docs/vendor", "OUT/tests"}},
			[]string{"tests/test_real.py"}, nil},
		{"loop to the folder itself",
			[]string{"tests/test_real.py"},
			[]link{{"tests/again", "."}},
			[]string{"tests/test_real.py"}, []string{"tests/again: a loop"}},
		{"loop to the workspace root",
			[]string{"tests/sub/test_real.py"},
			[]link{{"tests/sub/root", "../.."}},
			[]string{"tests/sub/test_real.py"}, []string{"tests/sub/root: a loop"}},
		{"dangling",
			[]string{"tests/test_real.py"},
			[]link{{"tests/generated", "../build/tests"}},
			[]string{"tests/test_real.py"}, []string{"tests/generated: leads to nothing"}},
		{"link to a link to itself",
			[]string{"tests/test_real.py"},
			[]link{{"tests/self", "self"}},
			[]string{"tests/test_real.py"}, []string{"tests/self: a symlink loop"}},
		{"two links to one folder: walked once",
			[]string{"lib/x/test_x.py"},
			[]link{{"tests/a", "../lib/x"}, {"tests/b", "../lib/x"}},
			[]string{"tests/a/test_x.py"}, []string{"tests/b: the same folder as tests/a"}},
		{"a link to a real folder the walk also lists",
			[]string{"tests/real/test_r.py"},
			[]link{{"tests/alias", "real"}},
			[]string{"tests/alias/test_r.py", "tests/real/test_r.py"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			if err := os.MkdirAll(filepath.Join(outside, "tests"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(outside, "tests", "test_out.py"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, l := range tt.links {
				at := filepath.Join(root, filepath.FromSlash(l.at))
				if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
					t.Fatal(err)
				}
				to := filepath.FromSlash(l.to)
				if rest, ok := strings.CutPrefix(l.to, "OUT/"); ok {
					to = filepath.Join(outside, filepath.FromSlash(rest))
				}
				if err := os.Symlink(to, at); err != nil {
					t.Fatal(err)
				}
			}
			got, skipped, err := GlobLinks(context.Background(), mustJail(t, root), DefaultPaths())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("matches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(skipped) != len(tt.skipped) {
				t.Fatalf("skipped %v, want %v", skipped, tt.skipped)
			}
			for i, s := range skipped {
				path, reason, _ := strings.Cut(tt.skipped[i], ": ")
				if s.Path != path || !strings.Contains(s.Reason, reason) || s.Fix == "" {
					t.Errorf("skipped %+v, want %s", s, tt.skipped[i])
				}
				if msg := s.String(); !strings.HasPrefix(msg, s.Path+" is a symlinked folder") || !strings.Contains(msg, "pytest may collect") || !strings.Contains(msg, s.Fix) {
					t.Errorf("report %q does not name the folder, say pytest would collect it and how to fix it", msg)
				}
			}
		})
	}
}

// The plan puts the tests of a symlinked folder inside the workspace in a
// shard, and carries the folders it did not search for the action to
// report.
func TestMakeReportsSymlinkedFolders(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	for _, f := range []string{filepath.Join(root, "tests", "test_real.py"), filepath.Join(root, "shared", "test_shared.py"), filepath.Join(outside, "test_out.py")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("def test_it():\n    pass\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for at, to := range map[string]string{"tests/shared": "../shared", "tests/vendor": outside} {
		if err := os.Symlink(to, filepath.Join(root, filepath.FromSlash(at))); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Make(context.Background(), []Tier{{Name: "all", Shards: 1, Timeout: 10}}, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Tiers[0].Jobs[0].Tests, " "); got != "tests/shared/test_shared.py tests/test_real.py" && got != "tests/test_real.py tests/shared/test_shared.py" {
		t.Errorf("shard runs %s, want both test files", got)
	}
	if len(p.Skipped) != 1 || p.Skipped[0].Path != "tests/vendor" {
		t.Fatalf("skipped %+v, want tests/vendor", p.Skipped)
	}
	if md := p.Markdown(); !strings.Contains(md, "tests/vendor") {
		t.Errorf("the summary does not name the folder not searched:\n%s", md)
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
// root reached without the symlinked folder that leads out (the link
// itself may match, as a file; reading it through the jail refuses it).
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

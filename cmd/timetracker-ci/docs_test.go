package main

// The console check: the commands the README and the guides show are run.
// ```console blocks run their `$ ` lines in a generated repository and
// their output must show the lines the block shows, in order (other lines
// may come between; "..." marks where the guide leaves some out; runs of six
// or more hex digits such as times and commit ids are wildcards); the
// `timetracker-ci ...` lines of ```sh blocks run
// on a copy of the example app and must succeed. Lines that need the
// network, a cluster or a push (curl, kubectl, git push, docker, an image on
// ghcr.io or docker.io) are not
// run: the e2e run covers those paths.

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type block struct {
	file string
	line int
	lang string
	text string
}

func docBlocks(t *testing.T, root string) []block {
	t.Helper()
	files := []string{filepath.Join(root, "README.md")}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, docs...)
	var out []block
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		var cur *block
		var b strings.Builder
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			l := sc.Text()
			switch {
			case cur == nil && strings.HasPrefix(l, "```") && len(l) > 3:
				cur = &block{file: filepath.ToSlash(rel), line: n, lang: strings.TrimSpace(l[3:])}
				b.Reset()
			case cur != nil && strings.HasPrefix(l, "```"):
				cur.text = b.String()
				out = append(out, *cur)
				cur = nil
			case cur != nil:
				b.WriteString(l + "\n")
			}
		}
	}
	return out
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bin", "timetracker-ci")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=docs", "-c", "user.email=docs@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// generatedRepo is the repository the README's console example describes:
// v1.2.0, then on develop three commits, one of them a feat:.
func generatedRepo(t *testing.T) string {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "feat: the app")
	git(t, dir, "tag", "-a", "v1.2.0", "-m", "v1.2.0")
	git(t, dir, "branch", "develop")
	git(t, dir, "switch", "-q", "develop")
	for _, m := range []string{"fix: a fix", "feat: reports per project", "docs: a note"} {
		git(t, dir, "commit", "-q", "--allow-empty", "-m", m)
	}
	git(t, dir, "switch", "-q", "main")
	return dir
}

var longRun = regexp.MustCompile(`[0-9a-f]{6,}`)

// linePattern matches an output line against a shown one: runs of six or
// more hex digits (times, commit ids, digests) stand for any such run.
func linePattern(shown string) *regexp.Regexp {
	var b strings.Builder
	last := 0
	for _, m := range longRun.FindAllStringIndex(shown, -1) {
		b.WriteString(regexp.QuoteMeta(shown[last:m[0]]))
		b.WriteString(`[0-9a-f]{6,}`)
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(shown[last:]))
	return regexp.MustCompile(`^` + b.String() + `$`)
}

// shell runs one command line with the built binary first on PATH.
func shell(bin, dir, line string) (string, error) {
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"), "GITHUB_ACTIONS=", "GITHUB_OUTPUT=", "GITHUB_STEP_SUMMARY=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var comment = regexp.MustCompile(`\s+#.*$`)

func TestDocsConsoleExamples(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	bin := buildBinary(t)
	ran := 0
	for _, b := range docBlocks(t, root) {
		if b.lang != "console" || !strings.Contains(b.text, "$ ") {
			continue
		}
		dir := generatedRepo(t)
		type step struct {
			cmd  string
			want []string
		}
		var steps []step
		for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
			if c, ok := strings.CutPrefix(l, "$ "); ok {
				steps = append(steps, step{cmd: comment.ReplaceAllString(c, "")})
			} else if len(steps) > 0 {
				steps[len(steps)-1].want = append(steps[len(steps)-1].want, l)
			}
		}
		for _, s := range steps {
			ran++
			out, err := shell(bin, dir, s.cmd)
			if err != nil {
				t.Errorf("%s:%d: $ %s: %v\n%s", b.file, b.line, s.cmd, err, out)
				continue
			}
			got := strings.Split(strings.TrimRight(out, "\n"), "\n")
			i := 0
			for _, w := range s.want {
				if w == "..." {
					continue // elided lines: the shown ones must still come in order
				}
				p := linePattern(w)
				for i < len(got) && !p.MatchString(got[i]) {
					i++
				}
				if i == len(got) {
					t.Errorf("%s:%d: $ %s: the output lacks %q (in order)\n%s", b.file, b.line, s.cmd, w, out)
					break
				}
				i++
			}
		}
	}
	if ran == 0 {
		t.Fatal("no console example found: the extraction is broken")
	}
}

// needsPython finds a python3 that can run the example app's tests and
// puts it on PATH as python beside the binary (what an activated virtual
// environment does); it skips, or fails under CI=true, when there is none.
func needsPython(t *testing.T, bin string) {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import pytest, pytest_cov, flask, flask_sqlalchemy, flask_migrate").Run() == nil {
			p, err := exec.LookPath(py)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(p, filepath.Join(filepath.Dir(bin), "python")); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no python3 with pytest, pytest-cov and Flask: bash scripts/install-deps.sh installs them")
	}
	t.Skip("no python3 with pytest, pytest-cov and Flask (bash scripts/install-deps.sh installs them)")
}

func TestDocsCommandExamples(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	bin := buildBinary(t)
	needsPython(t, bin)
	ran := 0
	for _, b := range docBlocks(t, root) {
		if b.lang != "sh" {
			continue
		}
		for _, l := range strings.Split(b.text, "\n") {
			l = strings.TrimSpace(comment.ReplaceAllString(l, ""))
			if !strings.HasPrefix(l, "timetracker-ci ") {
				continue
			}
			if strings.Contains(l, "ghcr.io/") || strings.Contains(l, "docker.io/") {
				continue // a public registry: the network (the e2e run covers these commands)
			}
			// The example app as an application repository of its own.
			dir := t.TempDir()
			if out, err := exec.Command("cp", "-r", filepath.Join(root, "examples", "timetracker")+"/.", dir).CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			git(t, dir, "init", "-q", "-b", "main")
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "feat: the app")
			ran++
			if out, err := shell(bin, dir, l); err != nil {
				t.Errorf("%s:%d: %s: %v\n%s", b.file, b.line, l, err, out)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no timetracker-ci command found in the guides: the extraction is broken")
	}
	t.Logf("%d commands run", ran)
}

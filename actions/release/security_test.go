package releaseaction

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// environMarker is a line of this process's environment as the kernel
// keeps it (/proc/self/environ), which must reach nothing the action writes.
func environMarker(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(data) == 0 {
		t.Skip("no /proc/self/environ on this system")
	}
	for _, kv := range strings.Split(string(data), "\x00") {
		if strings.HasPrefix(kv, "PATH=") && len(kv) > 10 {
			return kv
		}
	}
	return strings.Split(string(data), "\x00")[0]
}

func assertNoLeak(t *testing.T, f *githubfake.Server, res actiontest.Result, marker string) {
	t.Helper()
	for where, s := range map[string]string{"stdout": res.Stdout, "stderr": res.Stderr, "summary": res.Summary} {
		if strings.Contains(s, marker) {
			t.Errorf("the environment reached %s", where)
		}
	}
	for k, v := range res.Outputs {
		if strings.Contains(v, marker) {
			t.Errorf("the environment reached output %s", k)
		}
	}
	for _, r := range f.Releases() {
		if strings.Contains(r.Body, marker) {
			t.Error("the environment reached the release body")
		}
		if len(r.Assets) > 0 {
			t.Errorf("release published with assets %v", r.Assets)
		}
	}
}

// Finding 1: a committed symlink to /proc/self/environ (or out of the
// workspace, or an absolute or ../ path) is refused, naming the input and
// the path, and publishes nothing.
func TestReleaseSymlinkedFilesRefused(t *testing.T) {
	marker := environMarker(t)
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, dir string)
		inputs map[string]string
		input  string
	}{
		{"asset symlink to environ", func(t *testing.T, dir string) {
			must(t, os.Symlink("/proc/self/environ", filepath.Join(dir, "dist", "env.txt")))
		}, map[string]string{"assets": "dist/*"}, "assets"},
		{"body-file symlink to environ", func(t *testing.T, dir string) {
			must(t, os.Symlink("/proc/self/environ", filepath.Join(dir, "NOTES.md")))
		}, map[string]string{"body-file": "NOTES.md"}, "body-file"},
		{"body-file absolute", nil, map[string]string{"body-file": "/proc/self/environ"}, "body-file"},
		{"body-file ../", nil, map[string]string{"body-file": "../../../../../../../proc/self/environ"}, "body-file"},
		{"asset absolute", nil, map[string]string{"assets": "/proc/self/environ"}, "assets"},
		{"glob through a symlinked folder", func(t *testing.T, dir string) {
			must(t, os.Symlink("/proc/self", filepath.Join(dir, "proc")))
		}, map[string]string{"assets": "proc/environ"}, "assets"},
		{"FIFO body-file", func(t *testing.T, dir string) {
			must(t, syscall.Mkfifo(filepath.Join(dir, "fifo.md"), 0o644))
		}, map[string]string{"body-file": "fifo.md"}, "body-file"},
		{"body-file /dev/zero", nil, map[string]string{"body-file": "/dev/zero"}, "body-file"},
		{"output-dir outside", nil, map[string]string{"output-dir": "../rel"}, "output-dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
			dir := workspace(t)
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			done := make(chan actiontest.Result, 1)
			go func() { done <- actiontest.Run(t, Action(), caseFor(f, dir, tc.inputs)) }()
			var res actiontest.Result
			select {
			case res = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the action hung")
			}
			if res.ExitCode != 2 {
				t.Errorf("exit %d, want 2; annotations %v", res.ExitCode, res.Annotations)
			}
			if !strings.Contains(strings.Join(res.Annotations, "\n"), `input \"`+tc.input+`\"`) &&
				!strings.Contains(strings.Join(res.Annotations, "\n"), `input "`+tc.input+`"`) {
				t.Errorf("refusal does not name input %s: %v", tc.input, res.Annotations)
			}
			if len(f.Releases()) != 0 {
				t.Errorf("a release was published")
			}
			assertNoLeak(t, f, res, marker)
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "rel")); err == nil {
				t.Error("wrote outside the workspace")
			}
		})
	}
}

// Finding 3: files written in output-dir never go through a symlink.
func TestReleaseOutputDirSymlinkedFile(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	dir := workspace(t)
	outside := filepath.Join(t.TempDir(), "victim")
	must(t, os.WriteFile(outside, []byte("keep"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "rel"), 0o755))
	must(t, os.Symlink(outside, filepath.Join(dir, "rel", "release.md")))
	res := actiontest.Run(t, Action(), caseFor(f, dir, map[string]string{"output-dir": "rel"}))
	if b, _ := os.ReadFile(outside); string(b) != "keep" {
		t.Fatalf("wrote through a symlink in output-dir (exit %d)", res.ExitCode)
	}
	if res.ExitCode != 2 {
		t.Errorf("exit %d, want 2: %v", res.ExitCode, res.Annotations)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Finding 12: without a token under Actions, release refuses (exit 2) and
// never masks or uses the text of its default expression.
func TestReleaseWithoutTokenUnderActions(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{})
	c := caseFor(f, workspace(t), map[string]string{})
	delete(c.Inputs, "github-token")
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 2 || strings.Contains(res.Stdout, "::add-mask::${{") {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
	}
}

// Finding 12: a previous-tag that does not exist is bad input (exit 2).
func TestReleasePreviousTagMissingIsBadInput(t *testing.T) {
	f := githubfake.Start(t, githubfake.Options{Token: "t0ken"})
	res := actiontest.Run(t, Action(), caseFor(f, workspace(t), map[string]string{"previous-tag": "v0.0.9-nonexistent"}))
	if res.ExitCode != 2 || !strings.Contains(strings.Join(res.Annotations, "\n"), "previous-tag") {
		t.Fatalf("exit %d %v", res.ExitCode, res.Annotations)
	}
	if len(f.Releases()) != 0 {
		t.Error("a release was published")
	}
}

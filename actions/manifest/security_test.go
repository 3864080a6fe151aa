package manifestaction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

func offline(extra map[string]string) map[string]string {
	in := map[string]string{
		"image": "ghcr.io/org/timetracker@sha256:" + strings.Repeat("ab", 32), "platforms": "",
		"revision": "abc", "version": "1.2.3", "build-time": "2026-01-02T15:04:05Z",
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// Finding 9: a value that reaches a template cannot add YAML: a line
// break, a comment start or flow syntax in version, revision or
// build-time is bad input, and no file is written.
func TestManifestValuesCannotInjectYAML(t *testing.T) {
	for _, tc := range []struct{ input, value string }{
		{"revision", "abc\nx-injected: {privileged: true}\n#"},
		{"revision", "abc\rx-injected: true"},
		{"version", "1.2.3\nx-injected: true"},
		{"version", "1.2.3 # x"},
		{"revision", "abc\" , privileged: \"true"},
		{"values", "app=web\rx: 1"},
	} {
		dir := t.TempDir()
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: offline(map[string]string{tc.input: tc.value}),
			Env: map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}})
		if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, tc.input) {
			t.Errorf("%s=%q: exit %d, want 2 naming the input\n%s", tc.input, tc.value, res.ExitCode, res.Stdout)
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				if strings.Contains(string(b), "x-injected") || strings.Contains(string(b), "privileged") {
					t.Errorf("%s=%q: injected into %s", tc.input, tc.value, p)
				}
			}
			return nil
		})
	}
}

// Finding 3: output-dir and templates stay inside the workspace; nothing is
// written through a symlink.
func TestManifestPathsJailed(t *testing.T) {
	outside := t.TempDir()
	tplOutside := filepath.Join(outside, "tpl")
	os.MkdirAll(tplOutside, 0o755)
	os.WriteFile(filepath.Join(tplOutside, "x.yml.tmpl"), []byte("services: {}\n"), 0o644)
	for _, tc := range []struct {
		name, input string
		setup       func(dir string)
		inputs      map[string]string
	}{
		{"output-dir ../", "output-dir", nil, map[string]string{"output-dir": "../deploy"}},
		{"output-dir absolute", "output-dir", nil, map[string]string{"output-dir": outside}},
		{"output-dir symlinked folder", "output-dir", func(dir string) { os.Symlink(outside, filepath.Join(dir, "out")) }, map[string]string{"output-dir": "out"}},
		{"templates outside", "templates", nil, map[string]string{"templates": tplOutside}},
		{"templates symlinked", "templates", func(dir string) { os.Symlink(tplOutside, filepath.Join(dir, "tpl")) }, map[string]string{"templates": "tpl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.setup != nil {
				tc.setup(dir)
			}
			res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: offline(tc.inputs)})
			if res.ExitCode != 2 || !strings.Contains(res.Stdout, `input \"`+tc.input) && !strings.Contains(res.Stdout, `input "`+tc.input) {
				t.Errorf("exit %d, want 2 naming %s\n%s", res.ExitCode, tc.input, res.Stdout)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 1 {
				t.Errorf("wrote outside the workspace: %v", entries)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "deploy")); err == nil {
				t.Error("wrote ../deploy")
			}
		})
	}
	// A symlinked file inside output-dir is replaced, never written through.
	dir := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	os.MkdirAll(filepath.Join(dir, "dist", "deploy"), 0o755)
	os.Symlink(victim, filepath.Join(dir, "dist", "deploy", "k8s-deployment.yml"))
	actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: offline(map[string]string{"files": "k8s-deployment.yml"})})
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Error("wrote through a symlink in output-dir")
	}
}

// Finding 12: an unknown file and a build time out of range are bad input (exit 2).
func TestManifestBadInputsExit2(t *testing.T) {
	for _, in := range []map[string]string{
		{"files": "bogus.yml"},
		{"build-time": "-99999999999999"},
		{"build-time": "99999999999999"},
		{"build-time": "0001-01-01T00:00:00Z"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: t.TempDir(), Inputs: offline(in)})
		if res.ExitCode != 2 {
			t.Errorf("%v: exit %d, want 2\n%.1000s", in, res.ExitCode, res.Stdout)
		}
	}
}

package versionaction_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi"
)

// Finding 2 and 5: version-file and path are read inside the workspace
// only, regular files only, capped; nothing of a file outside reaches an
// annotation or the log.
func TestVersionFileJail(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		setup      func(t *testing.T, dir string)
		input      string
		inputs     map[string]string
	}{
		{name: "symlink to environ", file: "VERSION", setup: func(t *testing.T, dir string) {
			if err := os.Symlink("/proc/self/environ", filepath.Join(dir, "VERSION")); err != nil {
				t.Fatal(err)
			}
		}, input: "version-file"},
		{name: "absolute outside", file: "/etc/passwd", input: "version-file"},
		{name: "dev zero", file: "/dev/zero", input: "version-file"},
		{name: "FIFO", file: "fifo", setup: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, input: "version-file"},
		{name: "path outside", input: "path", inputs: map[string]string{"path": ".."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := history(t)
			if tc.setup != nil {
				tc.setup(t, g.Dir)
			}
			in := map[string]string{}
			if tc.file != "" {
				in["version-file"] = tc.file
			}
			for k, v := range tc.inputs {
				in[k] = v
			}
			done := make(chan actiontest.Result, 1)
			go func() { done <- resolve(t, g, run{ref: "refs/heads/main", inputs: in}) }()
			var res actiontest.Result
			select {
			case res = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the action hung")
			}
			log := res.Stdout + res.Stderr
			if res.ExitCode != 2 || !strings.Contains(log, `input "`+tc.input+`"`) {
				t.Errorf("exit %d, want 2 naming %s:\n%.2000s", res.ExitCode, tc.input, log)
			}
			if strings.Contains(log, "PATH=") || strings.Contains(log, "root:") {
				t.Errorf("file content reached the log:\n%.2000s", log)
			}
		})
	}
}

// Finding 12: a tag prefix that leaves refs/tags or makes an invalid ref is bad input.
func TestTagPrefixRefused(t *testing.T) {
	g := history(t)
	for _, p := range []string{"../", "a/../", "/v", "-v", "v..", "v//", "v@{", ".v", "v.lock/"} {
		res := resolve(t, g, run{ref: "refs/heads/main", inputs: map[string]string{"tag-prefix": p}})
		if res.ExitCode != 2 {
			t.Errorf("tag-prefix %q: exit %d, outputs %v", p, res.ExitCode, res.Outputs["tag"])
		}
	}
}

// Finding 12: the API client's error for an API URL it cannot derive the
// uploads URL from names no input (version has no upload-url).
func TestUploadsURLErrorNamesNoInput(t *testing.T) {
	_, err := githubapi.UploadsURL("http://127.0.0.1:9/proxy")
	if err == nil || strings.Contains(err.Error(), "set the upload-url input") {
		t.Fatalf("%v", err)
	}
	if _, _, err := githubapi.New(githubapi.Options{APIURL: "http://127.0.0.1:9/proxy", Token: "x"}); err != nil {
		t.Fatalf("a client that never uploads needs no uploads URL: %v", err)
	}
}

package rollbackaction

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

// released pushes 1.0.0 and then 1.1.0 with its moving tags, and returns
// the repository and the two digests.
func released(t *testing.T) (repo, d1, d2 string) {
	t.Helper()
	host := registrytest.New(t, nil)
	repo = host + "/org/app"
	c := registry.New(registry.WithInsecure(host))
	var ds []string
	for _, v := range []string{"1.0.0", "1.1.0"} {
		src := registrytest.PushIndex(t, repo, types.OCIImageIndex)
		if _, err := c.Publish(context.Background(), registry.Request{Sources: []string{src}, Images: []string{repo},
			Tags: []string{v, "1", "latest", "stable"}}); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, src[strings.Index(src, "@")+1:])
	}
	return repo, ds[0], ds[1]
}

func TestRollbackImageTagsOnly(t *testing.T) {
	repo, d1, _ := released(t)
	host := strings.SplitN(repo, "/", 2)[0]
	c := actiontest.Case{Inputs: map[string]string{"images": repo, "insecure-registries": host, "github-token": "", "password": "s3cret-pass", "username": "ci"}}
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["version"] != "1.0.0" || res.Outputs["digest"] != d1 {
		t.Errorf("outputs %v", res.Outputs)
	}
	if want := repo + ":latest\n" + repo + ":stable\n" + repo + ":1"; res.Outputs["moved"] != want {
		t.Errorf("moved = %q, want %q", res.Outputs["moved"], want)
	}
	for _, tag := range []string{"latest", "stable", "1"} {
		if got := registrytest.Head(t, repo+":"+tag); got != d1 {
			t.Errorf("%s = %s, want %s", tag, got, d1)
		}
	}
	var js struct{ NoChange bool }
	if err := json.Unmarshal([]byte(res.Outputs["json"]), &js); err != nil || js.NoChange {
		t.Errorf("json %s (%v)", res.Outputs["json"], err)
	}
	if !strings.Contains(res.Summary, "Rolled back to **1.0.0**") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	if !strings.Contains(res.Stdout, "::add-mask::s3cret-pass") {
		t.Errorf("the registry password was not masked")
	}

	again := actiontest.Run(t, Action(), c)
	if again.ExitCode != 0 || again.Outputs["moved"] != "" || !strings.Contains(again.Summary, "Already on **1.0.0**") {
		t.Errorf("re-run: exit %d moved %q summary %s", again.ExitCode, again.Outputs["moved"], again.Summary)
	}
}

func TestBadInputsExitTwoAndChangeNothing(t *testing.T) {
	repo, _, d2 := released(t)
	host := strings.SplitN(repo, "/", 2)[0]
	ws := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		inputs map[string]string
		input  string
	}{
		{"never released", map[string]string{"to": "0.9.0"}, "to"},
		{"not a version", map[string]string{"to": "yesterday"}, "to"},
		{"version tag", map[string]string{"tags": "latest,1.1.0"}, "tags"},
		{"deploy-dir outside", map[string]string{"deploy-dir": "../deploy"}, "deploy-dir"},
		{"deploy-dir through a symlink", map[string]string{"deploy-dir": "link/deploy"}, "deploy-dir"},
		{"absolute deploy-dir", map[string]string{"deploy-dir": "/tmp/deploy"}, "deploy-dir"},
		{"password alone", map[string]string{"password": "x"}, "password"},
		{"bad platform", map[string]string{"platforms": "linux"}, "platforms"},
		{"prefix", map[string]string{"release-tag-prefix": "../"}, "release-tag-prefix"},
		{"no images", map[string]string{"images": ""}, "images"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]string{"images": repo, "insecure-registries": host, "github-token": ""}
			for k, v := range tc.inputs {
				in[k] = v
			}
			res := actiontest.Run(t, Action(), actiontest.Case{Inputs: in, Dir: ws})
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
			}
			if !strings.Contains(res.Stdout+res.Stderr, tc.input) {
				t.Errorf("the error does not name %s:\n%s\n%s", tc.input, res.Stdout, res.Stderr)
			}
			if got := registrytest.Head(t, repo+":latest"); got != d2 {
				t.Errorf("latest moved to %s", got)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("wrote outside the workspace: %v", entries)
			}
		})
	}
}

package imageaction

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

func TestMergeAndTag(t *testing.T) {
	a, b := registrytest.New(t, nil), registrytest.New(t, nil)
	amd := registrytest.PushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	arm := registrytest.PushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "arm64", "")
	c := actiontest.Case{Inputs: map[string]string{
		"sources": amd + "\n" + strings.TrimPrefix(arm, a+"/org/app@"),
		"images":  a + "/org/app",
		// The version action's tags output: full references, here naming a second registry too.
		"tags":                a + "/org/app:1.2.3\n" + a + "/org/app:latest\n" + b + "/mirror/app:1.2.3\n" + b + "/mirror/app:latest",
		"insecure-registries": a + "," + b,
		"registry-auth":       b + "=ci:not-needed-but-masked",
	}}
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	digest := res.Outputs["digest"]
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("digest output %q", digest)
	}
	if got, want := res.Outputs["refs"], a+"/org/app@"+digest+"\n"+b+"/mirror/app@"+digest; got != want {
		t.Errorf("refs = %q, want %q", got, want)
	}
	if res.Outputs["platforms"] != "linux/amd64,linux/arm64" || res.Outputs["media-type"] != string(types.DockerManifestList) {
		t.Errorf("platforms %q media type %q", res.Outputs["platforms"], res.Outputs["media-type"])
	}
	for _, ref := range []string{a + "/org/app:1.2.3", a + "/org/app:latest", b + "/mirror/app:1.2.3", b + "/mirror/app:latest"} {
		if got := registrytest.Head(t, ref); got != digest {
			t.Errorf("%s = %q, want %s", ref, got, digest)
		}
	}
	var js struct {
		Tags []struct{ Ref, Change string }
	}
	if err := json.Unmarshal([]byte(res.Outputs["json"]), &js); err != nil || len(js.Tags) != 4 || js.Tags[0].Change != "created" {
		t.Errorf("json output %s (%v)", res.Outputs["json"], err)
	}
	if !strings.Contains(res.Summary, "4 created") || !strings.Contains(res.Summary, "`"+a+"/org/app:1.2.3` | created") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	if !strings.Contains(res.Stdout, "::add-mask::not-needed-but-masked") {
		t.Errorf("the registry-auth password was not masked:\n%s", res.Stdout)
	}

	// Same inputs again: success, nothing moves.
	again := actiontest.Run(t, Action(), c)
	if again.ExitCode != 0 || again.Outputs["digest"] != digest || !strings.Contains(again.Summary, "0 created, 0 moved, 0 forced, 4 unchanged") {
		t.Errorf("re-run: exit %d digest %s summary:\n%s", again.ExitCode, again.Outputs["digest"], again.Summary)
	}
}

func TestVersionTagConflictFails(t *testing.T) {
	a := registrytest.New(t, nil)
	first := registrytest.PushIndex(t, a+"/org/app", types.OCIImageIndex)
	second := registrytest.PushIndex(t, a+"/org/app", types.OCIImageIndex)
	in := map[string]string{"sources": first, "images": a + "/org/app", "tags": "2.0.0,latest", "insecure-registries": a}
	if res := actiontest.Run(t, Action(), actiontest.Case{Inputs: in}); res.ExitCode != 0 {
		t.Fatalf("first publish: exit %d\n%s", res.ExitCode, res.Stdout)
	}
	in["sources"] = second
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: in})
	if res.ExitCode != 1 {
		t.Fatalf("moving 2.0.0: exit %d, want 1\n%s", res.ExitCode, res.Stdout)
	}
	if !strings.Contains(strings.Join(res.Annotations, "\n"), "Version tag is immutable") {
		t.Errorf("annotations %q", res.Annotations)
	}
	if got := registrytest.Head(t, a+"/org/app:latest"); !strings.HasSuffix(first, "@"+got) {
		t.Errorf("latest moved to %s although the run failed", got)
	}
	in["force"] = "true"
	if res := actiontest.Run(t, Action(), actiontest.Case{Inputs: in}); res.ExitCode != 0 || !strings.HasSuffix(second, "@"+registrytest.Head(t, a+"/org/app:2.0.0")) {
		t.Errorf("force: exit %d\n%s", res.ExitCode, res.Stdout)
	}
}

func TestBadInputs(t *testing.T) {
	a := registrytest.New(t, nil)
	amd := registrytest.PushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		input  string // the input the error names
		code   int
	}{
		{"upper-case image", map[string]string{"sources": amd, "images": "ghcr.io/Org/App"}, "images", 2},
		{"no images", map[string]string{"sources": amd}, "images", 2},
		{"bad bare digest", map[string]string{"sources": "sha256:abc", "images": a + "/org/app"}, "sources", 2},
		{"upper-case source", map[string]string{"sources": "ghcr.io/Org/app:1", "images": a + "/org/app"}, "sources", 2},
		{"bad tag", map[string]string{"sources": amd, "images": a + "/org/app", "tags": "-x"}, "tags", 2},
		{"reference without tag in tags", map[string]string{"sources": amd, "images": a + "/org/app", "tags": "ghcr.io/org/app"}, "tags", 2},
		{"bad platform", map[string]string{"sources": amd, "images": a + "/org/app", "platforms": "linux"}, "platforms", 2},
		{"bad auth line", map[string]string{"sources": amd, "images": a + "/org/app", "registry-auth": "ghcr.io"}, "registry-auth", 2},
		{"username without password", map[string]string{"sources": amd, "images": a + "/org/app", "username": "ci"}, "password", 2},
		{"bad retries", map[string]string{"sources": amd, "images": a + "/org/app", "retries": "0"}, "retries", 2},
		{"zero timeout", map[string]string{"sources": amd, "images": a + "/org/app", "timeout": "0s"}, "timeout", 2},
		{"bad timeout", map[string]string{"sources": amd, "images": a + "/org/app", "timeout": "soon"}, "timeout", 2},
		{"missing platform", map[string]string{"sources": amd, "images": a + "/org/app", "tags": "latest", "insecure-registries": a}, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := actiontest.Run(t, Action(), actiontest.Case{Inputs: tc.inputs})
			if res.ExitCode != tc.code {
				t.Fatalf("exit %d, want %d\n%s", res.ExitCode, tc.code, res.Stdout)
			}
			ann := strings.Join(res.Annotations, "\n")
			if tc.input != "" && !strings.Contains(ann, "Input "+tc.input) {
				t.Errorf("annotations %q do not name input %s", ann, tc.input)
			}
			if tc.code == 2 && len(res.Outputs) != 0 {
				t.Errorf("bad input wrote outputs %v", res.Outputs)
			}
		})
	}
	if got := registrytest.Head(t, a+"/org/app:latest"); got != "" {
		t.Errorf("latest exists after failed runs: %s", got)
	}
}

func TestTimeout(t *testing.T) {
	a := registrytest.New(t, nil)
	amd := registrytest.PushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	// A mirror that accepts connections and never answers.
	hung := registrytest.New(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	})
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: map[string]string{
		"sources": amd, "images": a + "/org/app\n" + hung + "/org/app", "tags": "latest", "platforms": "linux/amd64",
		"insecure-registries": a + "," + hung, "timeout": "500ms",
	}})
	if res.ExitCode != 1 || !strings.Contains(strings.Join(res.Annotations, "\n"), "longer than the timeout input") {
		t.Fatalf("exit %d, annotations %q", res.ExitCode, res.Annotations)
	}
	if got := registrytest.Head(t, a+"/org/app:latest"); got != "" {
		t.Errorf("latest moved to %s although the mirror never answered", got)
	}
}

func TestDryRun(t *testing.T) {
	a := registrytest.New(t, nil)
	idx := registrytest.PushIndex(t, a+"/org/app", types.OCIImageIndex)
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: map[string]string{
		"sources": idx, "images": a + "/mirror/app", "tags": "1.0.0", "insecure-registries": a, "dry-run": "true",
	}})
	if res.ExitCode != 0 || !strings.Contains(res.Summary, "Dry run") || !strings.Contains(res.Outputs["json"], `"change":"created"`) {
		t.Fatalf("exit %d, summary:\n%s\njson %s", res.ExitCode, res.Summary, res.Outputs["json"])
	}
	if got := registrytest.Head(t, a+"/mirror/app:1.0.0"); got != "" {
		t.Errorf("dry run created the tag (%s)", got)
	}
}

package versionaction_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	versionaction "github.com/org/timetracker-ci/actions/version"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// docker/metadata-action's inputs and settings, through the glue.
func TestMetadataActionInputs(t *testing.T) {
	g := history(t)
	tmp := t.TempDir()
	res := resolve(t, g, run{
		ref: "refs/tags/v1.2.3",
		inputs: map[string]string{
			"images":          "name=ghcr.io/Org/App\nname=docker.io/org/app,enable=false",
			"tags":            "type=ref,event=tag\ntype=sha\ntype=raw,value=x-{{sha}}",
			"labels":          "org.opencontainers.image.title=Mine\nmaintainer={{tag}}\ninvalid",
			"annotations":     "org.opencontainers.image.vendor=Us",
			"sep-tags":        " ",
			"sep-labels":      ";",
			"sep-annotations": "|",
			"bake-target":     "meta",
		},
		env: map[string]string{"RUNNER_TEMP": tmp, "DOCKER_METADATA_SHORT_SHA_LENGTH": "10",
			"DOCKER_METADATA_ANNOTATIONS_LEVELS": "manifest,index"},
	})
	out := ok(t, res)
	sha := g.Head()
	if want := "ghcr.io/org/app:v1.2.3 ghcr.io/org/app:x-" + sha[:10] + " ghcr.io/org/app:sha-" + sha[:10] + " ghcr.io/org/app:latest"; out["tags"] != want {
		t.Errorf("tags %q, want %q (disabled image left out, sep-tags a space, 10-character SHAs)", out["tags"], want)
	}
	labels := strings.Split(out["labels"], ";")
	for _, want := range []string{"org.opencontainers.image.title=Mine", "maintainer=v1.2.3", "org.opencontainers.image.version=v1.2.3"} {
		if !contains(labels, want) {
			t.Errorf("labels %q lack %q", labels, want)
		}
	}
	if contains(labels, "invalid") || contains(labels, "org.opencontainers.image.title=TimeTracker") {
		t.Errorf("labels %q: a line without = is dropped and ours is overridden", labels)
	}
	ann := strings.Split(out["annotations"], "|")
	for _, want := range []string{"manifest:org.opencontainers.image.vendor=Us", "index:org.opencontainers.image.vendor=Us", "index:org.opencontainers.image.title=TimeTracker"} {
		if !contains(ann, want) {
			t.Errorf("annotations %q lack %q", ann, want)
		}
	}
	data, err := os.ReadFile(out["bake-file-tags"])
	if err != nil || !strings.HasPrefix(out["bake-file-tags"], tmp) {
		t.Fatalf("bake-file-tags %q: %v", out["bake-file-tags"], err)
	}
	var bake struct {
		Target map[string]struct {
			Tags []string
			Args map[string]string
		}
	}
	if err := json.Unmarshal(data, &bake); err != nil || len(bake.Target["meta"].Tags) != 4 || bake.Target["meta"].Args["DOCKER_META_VERSION"] != "v1.2.3" {
		t.Errorf("bake-file-tags: %s (%v)", data, err)
	}
	if res.Env["DOCKER_METADATA_OUTPUT_TAGS"] != out["tags"] || res.Env["DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS"] != out["bake-file-tags"] {
		t.Errorf("outputs not exported as DOCKER_METADATA_OUTPUT_*: %v", keys(res.Env))
	}

	// DOCKER_METADATA_SET_OUTPUT_ENV=false exports nothing.
	res = resolve(t, g, run{ref: "refs/tags/v1.2.3", env: map[string]string{"RUNNER_TEMP": tmp, "DOCKER_METADATA_SET_OUTPUT_ENV": "false"}})
	ok(t, res)
	if len(res.Env) != 0 {
		t.Errorf("exported %v with DOCKER_METADATA_SET_OUTPUT_ENV=false", keys(res.Env))
	}
}

// A bad setting or line is an input error (exit 2) naming it.
func TestMetadataActionBadInputs(t *testing.T) {
	g := history(t)
	for _, tc := range []struct {
		inputs map[string]string
		env    map[string]string
		want   string
	}{
		{env: map[string]string{"DOCKER_METADATA_SHORT_SHA_LENGTH": "long"}, want: "DOCKER_METADATA_SHORT_SHA_LENGTH"},
		{env: map[string]string{"DOCKER_METADATA_ANNOTATIONS_LEVELS": "manifest,everywhere"}, want: "DOCKER_METADATA_ANNOTATIONS_LEVELS"},
		{env: map[string]string{"DOCKER_METADATA_SET_OUTPUT_ENV": "maybe"}, want: "DOCKER_METADATA_SET_OUTPUT_ENV"},
		{inputs: map[string]string{"images": "name=org/app,enable=perhaps"}, want: "images"},
		{inputs: map[string]string{"labels": "a={{nope}}"}, want: "labels"},
		{inputs: map[string]string{"tags": "type=raw,value=x,enable={{branch}}"}, want: `tag rule "type=raw,value=x,enable={{branch}}"`},
		{inputs: map[string]string{"tags": `type=semver,pattern={{version}},match=(?<=v)\d`}, want: "match is not a regular expression"},
	} {
		res := resolve(t, g, run{ref: "refs/tags/v1.2.3", inputs: tc.inputs, env: tc.env})
		if res.ExitCode != 2 || !strings.Contains(res.Stderr+res.Stdout, tc.want) {
			t.Errorf("inputs %v env %v: exit %d, want 2 naming %q\n%s%s", tc.inputs, tc.env, res.ExitCode, tc.want, res.Stdout, res.Stderr)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A local run without GITHUB_REPOSITORY names the image from the origin
// remote, as GitHub would: ghcr.io/<owner>/<repo>, lower-cased.
func TestLocalImageFromRemote(t *testing.T) {
	g := history(t)
	g.Git("remote", "add", "origin", "git@github.com:DRYTRIX/TimeTracker.git")
	res := actiontest.Run(t, versionaction.Action(), actiontest.Case{Dir: g.Dir, Local: true, Inputs: map[string]string{"tags": "type=timetracker"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "ghcr.io/drytrix/timetracker:1.2.3") {
		t.Errorf("local run: no ghcr.io/drytrix/timetracker image\n%s", res.Stdout)
	}
}

// Without RUNNER_TEMP (a local run) no bake file is written: a run leaves
// nothing behind, and the bake-file outputs are empty.
func TestNoBakeFilesWithoutRunnerTemp(t *testing.T) {
	g := history(t)
	out := ok(t, resolve(t, g, run{ref: "refs/tags/v1.2.3", env: map[string]string{"RUNNER_TEMP": ""}}))
	for _, k := range []string{"bake-file-tags", "bake-file-labels", "bake-file-annotations", "bake-file"} {
		if v, set := out[k]; !set || v != "" {
			t.Errorf("output %s = %q (set %v), want empty", k, v, set)
		}
	}
}

// A RUNNER_TEMP that cannot be written leaves the bake-file outputs empty
// with a warning; the version and tags are still given.
func TestBakeFilesUnwritable(t *testing.T) {
	g := history(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := resolve(t, g, run{ref: "refs/tags/v1.2.3", env: map[string]string{"RUNNER_TEMP": filepath.Join(blocker, "temp")}})
	out := ok(t, res)
	if out["bake-file-tags"] != "" || out["version"] != "1.2.3" || !strings.Contains(strings.Join(res.Annotations, "\n"), "bake-file outputs are empty") {
		t.Errorf("outputs %v, annotations %q", out, res.Annotations)
	}
}

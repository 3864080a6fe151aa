package actions

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
)

// TestContainerContract builds the image from the Dockerfile and runs an
// action the way the GitHub runner runs a container action: workspace and
// file-command folders mounted, INPUT_* and GITHUB_* variables, args from
// action.yml. It checks what comes back through GITHUB_OUTPUT and the summary.
func TestContainerContract(t *testing.T) {
	if testing.Short() {
		t.Skip("container contract test skipped in -short mode")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("container contract test needs a Docker engine: docker is not installed")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		t.Skipf("container contract test needs a Docker engine: docker info failed: %s", strings.TrimSpace(string(out)))
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("container contract test needs git to build its fixture repository")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	image := "timetracker-ci:contract-test"
	build := exec.CommandContext(ctx, "bash", "../scripts/build-image.sh")
	build.Env = append(os.Environ(), "IMAGE="+image, "PLATFORMS=linux/"+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the image: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", image, image+"-"+runtime.GOARCH).Run() })

	// The workspace: a repository whose HEAD carries the tag v1.2.3.
	root := t.TempDir()
	ws := filepath.Join(root, "workspace")
	fc := filepath.Join(root, "file_commands")
	home := filepath.Join(root, "home")
	for _, d := range []string{ws, fc, home} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = ws
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=CI", "GIT_AUTHOR_EMAIL=ci@example.com", "GIT_COMMITTER_NAME=CI",
			"GIT_COMMITTER_EMAIL=ci@example.com", "GIT_AUTHOR_DATE=2024-01-09T14:30:22Z", "GIT_COMMITTER_DATE=2024-01-09T14:30:22Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("commit", "-q", "--allow-empty", "-m", "feat: first")
	git("tag", "v1.2.2")
	git("commit", "-q", "--allow-empty", "-m", "fix: second")
	git("tag", "-a", "v1.2.3", "-m", "release 1.2.3")
	sha := strings.TrimSpace(run(t, ws, "git", "rev-parse", "HEAD"))
	event := `{"ref":"refs/tags/v1.2.3","after":"` + sha + `","repository":{"name":"TimeTracker","full_name":"DRYTRIX/TimeTracker","default_branch":"main","owner":{"login":"DRYTRIX"}}}`
	if err := os.WriteFile(filepath.Join(home, "event.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"set_output_1", "step_summary_1", "set_env_1"} {
		if err := os.WriteFile(filepath.Join(fc, f), nil, 0o666); err != nil {
			t.Fatal(err)
		}
	}

	var versionAction *action.Action
	for _, a := range All() {
		if a.Name == "version" {
			versionAction = a
		}
	}
	if versionAction == nil {
		t.Fatal("the version action is not registered")
	}
	meta, err := action.ParseMetadata(versionAction.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--rm", "--workdir", "/github/workspace",
		"-v", ws + ":/github/workspace", "-v", fc + ":/github/file_commands", "-v", home + ":/github/home",
		"-e", "HOME=/github/home", "-e", "GITHUB_ACTIONS=true", "-e", "CI=true",
		"-e", "GITHUB_OUTPUT=/github/file_commands/set_output_1",
		"-e", "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_1",
		"-e", "GITHUB_ENV=/github/file_commands/set_env_1",
		"-e", "GITHUB_WORKSPACE=/github/workspace",
		"-e", "GITHUB_EVENT_PATH=/github/home/event.json",
		"-e", "GITHUB_EVENT_NAME=push", "-e", "GITHUB_REF=refs/tags/v1.2.3", "-e", "GITHUB_REF_NAME=v1.2.3", "-e", "GITHUB_REF_TYPE=tag",
		"-e", "GITHUB_SHA=" + sha, "-e", "GITHUB_REPOSITORY=DRYTRIX/TimeTracker", "-e", "GITHUB_REPOSITORY_OWNER=DRYTRIX",
		"-e", "GITHUB_SERVER_URL=https://github.com", "-e", "GITHUB_API_URL=https://api.github.com",
		"-e", "GITHUB_RUN_ID=1", "-e", "GITHUB_RUN_ATTEMPT=1",
		// As act does: a RUNNER_TEMP the FROM scratch image lacks.
		"-e", "RUNNER_TEMP=/tmp",
	}
	// The runner sets every declared input, defaults included, hyphens kept;
	// tags as the reusable workflows give it (our scheme).
	for _, in := range meta.Inputs {
		v := in.Default
		if in.Name == "tags" {
			v = "type=timetracker"
		}
		args = append(args, "-e", action.InputEnvName(in.Name)+"="+v)
	}
	args = append(args, image)
	args = append(args, meta.Runs.Args...)
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(fc, "set_output_1"))
	if err != nil {
		t.Fatal(err)
	}
	outputs, err := action.ParseFileCommands(string(data))
	if err != nil {
		t.Fatalf("outputs as the runner reads them: %v\n%s", err, data)
	}
	want := map[string]string{"version": "1.2.3", "tag": "v1.2.3", "previous-tag": "v1.2.2", "major": "1", "minor": "2", "patch": "3",
		"prerelease": "false", "kind": "release", "latest": "true", "stable": "true",
		"tag-names": "1.2.3\n1.2\n1\nlatest\nstable", "bake-file-tags": "/tmp/docker-metadata-action-bake-file-tags.json"}
	for k, v := range want {
		if outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, outputs[k], v)
		}
	}
	for _, tag := range strings.Split(outputs["tags"], "\n") {
		if !strings.HasPrefix(tag, "ghcr.io/drytrix/timetracker:") {
			t.Errorf("image reference %q is not the lower-cased ghcr.io name", tag)
		}
	}
	summary, err := os.ReadFile(filepath.Join(fc, "step_summary_1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "1.2.3") {
		t.Errorf("step summary does not mention the version:\n%s", summary)
	}
	t.Logf("container output:\n%s", out)
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

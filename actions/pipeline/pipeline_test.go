package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/actions/pipeline"
	"github.com/org/timetracker-ci/pkg/action"
)

// acts are the binary's actions, which the pipeline composes by name.
var acts = action.Actions(actions.All())

func TestParseArgs(t *testing.T) {
	o, err := pipeline.ParseArgs(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Dir != "examples/timetracker" || o.Out != "dist" || o.Registry != "" || strings.Join(o.Platforms, ",") != "linux/amd64,linux/arm64" || len(o.Tiers) != 0 {
		t.Errorf("defaults = %+v", o)
	}
	o, err = pipeline.ParseArgs([]string{"--dir", "app", "--out=x", "--tier", "unit, smoke", "--platforms", "linux/arm64"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Dir != "app" || o.Out != "x" || strings.Join(o.Tiers, ",") != "unit,smoke" || strings.Join(o.Platforms, ",") != "linux/arm64" {
		t.Errorf("parsed = %+v", o)
	}
	for _, bad := range [][]string{{"--nope"}, {"extra"}, {"--platforms", " , "}} {
		if _, err := pipeline.ParseArgs(bad, io.Discard); !action.IsInputError(err) {
			t.Errorf("pipeline.ParseArgs(%q) = %v, want a usage error", bad, err)
		}
	}
	if _, err := pipeline.ParseArgs([]string{"--help"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help = %v, want flag.ErrHelp", err)
	}
}

func TestMissingPytestSaysHowToInstall(t *testing.T) {
	root := fixtureRepo(t)
	var stdout, stderr bytes.Buffer
	env := testEnv(root, &stdout, &stderr)
	res, err := pipeline.Execute(context.Background(), env, acts, pipeline.Options{Dir: "app", Out: "dist", Platforms: []string{"linux/amd64"}, Python: filepath.Join(root, "no-such-python")})
	if err == nil || !strings.Contains(err.Error(), "apt-get install -y python3-pytest") {
		t.Fatalf("err = %v, want the install hint", err)
	}
	if res == nil || len(res.Steps) != 2 || res.Steps[0].Err != nil || res.Steps[1].Name != "tests" || res.Steps[1].Err == nil {
		t.Errorf("steps = %+v, want version ok and tests failed", res)
	}
}

func TestPipelineOnAnApp(t *testing.T) {
	py := pythonWithPytest(t)
	root := fixtureRepo(t)
	var stdout, stderr bytes.Buffer
	env := testEnv(root, &stdout, &stderr)
	err := pipeline.Run(context.Background(), env, acts, []string{"--dir", "app", "--out", "dist", "--python", py})
	if err != nil {
		t.Fatalf("pipeline: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	sum := stdout.String()
	for _, want := range []string{"version   0.1.0 (release), git tag v0.1.0", "tags      0.1.0, 0.1, latest, stable", "digest    sha256:", "(linux/amd64, linux/arm64)", "dist/release/release.md", "dist/deploy/k8s-deployment.yml"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	// One test per tier, two unit tests; every tier passes.
	wantTiers := map[string]string{"smoke": "1       1", "unit": "2       2", "integration": "1       1", "security": "1       1", "database": "1       1", "all": "6       6"}
	for tier, counts := range wantTiers {
		found := false
		for _, l := range strings.Split(sum, "\n") {
			f := strings.Fields(l)
			if len(f) > 2 && f[0] == tier && strings.Join(f[1:3], "       ") == counts {
				found = true
			}
		}
		if !found {
			t.Errorf("summary has no %s row with %s tests passed:\n%s", tier, counts, sum)
		}
	}
	digest := ""
	for _, l := range strings.Split(sum, "\n") {
		if strings.HasPrefix(l, "digest    ") {
			digest = strings.Fields(l)[1]
		}
	}
	k8s, err := os.ReadFile(filepath.Join(root, "dist", "deploy", "k8s-deployment.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if digest == "" || !strings.Contains(string(k8s), "@"+digest) {
		t.Errorf("k8s-deployment.yml does not pin %q:\n%s", digest, k8s)
	}
	rel, err := os.ReadFile(filepath.Join(root, "dist", "release", "plan.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rel), "k8s-deployment.yml") || !strings.Contains(string(rel), "v0.1.0") {
		t.Errorf("release plan:\n%s", rel)
	}
	if !strings.Contains(stderr.String(), "[5/5] release") {
		t.Errorf("progress lines missing:\n%s", stderr.String())
	}
}

func TestPipelineToAGivenRegistry(t *testing.T) {
	py := pythonWithPytest(t)
	root := fixtureRepo(t)
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	var stdout, stderr bytes.Buffer
	res, err := pipeline.Execute(context.Background(), testEnv(root, &stdout, &stderr), acts, pipeline.Options{Dir: "app", Out: "dist", Registry: host, Image: "Team/Calc", Platforms: []string{"linux/amd64"}, Tiers: []string{"smoke"}, Python: py})
	if err != nil {
		t.Fatalf("pipeline: %v\n%s", err, stderr.String())
	}
	if res.Repository != host+"/team/calc" || len(res.Tiers) != 1 || res.Tiers[0].Name != "smoke" || res.Tiers[0].Passed != 1 {
		t.Errorf("result = %+v", res)
	}
	repo, err := name.NewRepository(host+"/team/calc", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tags, ",") != "0.1,0.1.0,latest,stable" {
		t.Errorf("tags in the registry = %v", tags)
	}
	d, err := remote.Head(repo.Tag("0.1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Digest.String() != res.Digest {
		t.Errorf("0.1.0 is %s, the summary says %s", d.Digest, res.Digest)
	}
}

func TestFailingTestStopsThePipeline(t *testing.T) {
	py := pythonWithPytest(t)
	root := fixtureRepo(t)
	broken := "import pytest\n\n\n@pytest.mark.unit\ndef test_broken():\n    assert 1 + 1 == 3\n"
	if err := os.WriteFile(filepath.Join(root, "app", "tests", "test_broken.py"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := testEnv(root, &stdout, &stderr)
	res, err := pipeline.Execute(context.Background(), env, acts, pipeline.Options{Dir: "app", Out: "dist", Platforms: []string{"linux/amd64"}, Python: py})
	if err == nil || !strings.Contains(err.Error(), "tests failed") {
		t.Fatalf("err = %v, want the tests to fail", err)
	}
	if !strings.Contains(stderr.String(), "test_broken") {
		t.Errorf("the failing test is not named:\n%s", stderr.String())
	}
	if res.Digest != "" || len(res.Files) != 0 {
		t.Errorf("something was published after failing tests: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(root, "dist", "release")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dist/release exists after failing tests (%v)", err)
	}
}

// fixtureRepo copies testdata/app into a new git repository (the version
// action reads git) and returns its root.
func fixtureRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install -y git)")
	}
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "app"), os.DirFS("testdata/app")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "feat: calc"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return root
}

func pythonWithPytest(t *testing.T) string {
	t.Helper()
	for _, py := range []string{os.Getenv("PYTHON"), "python3", "/usr/bin/python3"} {
		if py != "" && exec.Command(py, "-c", "import pytest, pytest_cov").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with pytest and pytest-cov (apt-get install -y python3-pytest python3-pytest-cov)")
	return ""
}

func testEnv(dir string, stdout, stderr io.Writer) action.Env {
	vars := map[string]string{"HOME": os.Getenv("HOME"), "PATH": os.Getenv("PATH")}
	return action.Env{Getenv: func(k string) string { return vars[k] }, Stdout: stdout, Stderr: stderr, Dir: dir}
}

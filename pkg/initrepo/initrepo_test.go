package initrepo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/workflowcheck"
	workflowstemplates "github.com/org/timetracker-ci/workflows-templates"
)

const repoRoot = "../.."

// exampleCopy is examples/timetracker without .github, in a git
// repository whose origin is on github.com with upper case in its name.
func exampleCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(repoRoot, "examples", "timetracker")+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the example app: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(dir, ".github"))
	for _, args := range [][]string{{"init", "-q", "-b", "trunk"}, {"remote", "add", "origin", "git@github.com:Example-Org/Time.Tracker.git"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

func TestDetectExampleApp(t *testing.T) {
	f, err := Detect(context.Background(), exampleCopy(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{PythonVersion: "3.12", PythonFrom: "Dockerfile", Requirements: "requirements.txt", TestRequirements: "requirements-dev.txt",
		Markers: []string{"critical", "database", "integration", "security", "smoke", "unit"}, MarkersFrom: "pytest.ini", Dockerfile: true,
		HealthPath: "/_health", HealthFrom: "Dockerfile HEALTHCHECK", ContainerPort: 8080, Migrations: true, DefaultBranch: "trunk",
		Image: "ghcr.io/example-org/time.tracker", ImageFrom: "git remote origin"}
	if strings.Join(f.Markers, ",") != strings.Join(want.Markers, ",") {
		t.Errorf("markers %v, want %v", f.Markers, want.Markers)
	}
	f.Markers = want.Markers
	if f.PythonVersion != want.PythonVersion || f.PythonFrom != want.PythonFrom || f.Requirements != want.Requirements ||
		f.TestRequirements != want.TestRequirements || f.MarkersFrom != want.MarkersFrom || f.Dockerfile != want.Dockerfile ||
		f.HealthPath != want.HealthPath || f.HealthFrom != want.HealthFrom || f.ContainerPort != want.ContainerPort ||
		f.Migrations != want.Migrations || f.DefaultBranch != want.DefaultBranch || f.Image != want.Image || f.ImageFrom != want.ImageFrom {
		t.Errorf("facts\n%+v\nwant\n%+v", f, want)
	}
}

// What init writes for the example app passes workflowcheck (our actions'
// and reusable workflows' contracts, pins, permissions) and actionlint;
// a second run changes nothing.
func TestInitExampleAppIsValidAndIdempotent(t *testing.T) {
	ctx := context.Background()
	dir := exampleCopy(t)
	facts, err := Detect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(facts, workflowstemplates.FS, "v1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Apply(ctx, dir, files, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var workflows []string
	for _, c := range changes {
		if c.Action != Created {
			t.Errorf("%s: %s, want create", c.Path, c.Action)
		}
		if strings.HasPrefix(c.Path, ".github/workflows/") {
			workflows = append(workflows, filepath.Join(dir, c.Path))
		}
	}
	if len(workflows) != 6 {
		t.Fatalf("workflows %v, want ci, ci-report, cd-development, cd-release, migration-check, static-analysis", workflows)
	}
	// ci.yml leaves pull requests from forks to ci-report.yml: init writes it too.
	report, _ := os.ReadFile(filepath.Join(dir, ".github", "workflows", "ci-report.yml"))
	if !strings.Contains(string(report), "uses: "+Repo+"/.github/workflows/ci-report.yml@v1.4.0") || strings.Contains(string(report), "with:") {
		t.Errorf("ci-report.yml does not call ci-report.yml@v1.4.0 with the defaults:\n%s", report)
	}
	ci, _ := os.ReadFile(filepath.Join(dir, ".github", "workflows", "ci.yml"))
	for _, want := range []string{"ci-comprehensive.yml@v1.4.0", `python-version: "3.12"`, "image: ghcr.io/example-org/time.tracker", "branches: [trunk, develop]", "test-requirements: -r requirements-dev.txt"} {
		if !strings.Contains(string(ci), want) {
			t.Errorf("ci.yml lacks %q:\n%s", want, ci)
		}
	}
	if strings.Contains(string(ci), "@main") {
		t.Errorf("ci.yml still calls @main:\n%s", ci)
	}

	cs, err := workflowcheck.LoadContracts(ctx, repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := workflowcheck.CheckFiles(ctx, workflows, workflowcheck.Options{Repo: Repo, Contracts: cs})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Error(f)
	}
	if lint := actionlint(t); lint != "" {
		cmd := exec.Command(lint, append([]string{"-no-color"}, workflows...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("actionlint: %v\n%s", err, out)
		}
	}

	again, err := Apply(ctx, dir, files, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again {
		if c.Action != Unchanged {
			t.Errorf("second run: %s %s, want unchanged", c.Action, c.Path)
		}
	}
}

func TestUserChangesAreKeptUnlessForced(t *testing.T) {
	ctx := context.Background()
	dir := exampleCopy(t)
	facts, err := Detect(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := Render(facts, workflowstemplates.FS, "v1.0.0")
	v2, _ := Render(facts, workflowstemplates.FS, "v1.1.0")
	if _, err := Apply(ctx, dir, v1, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ciPath := filepath.Join(dir, ".github", "workflows", "ci.yml")
	mine, _ := os.ReadFile(ciPath)
	mine = append(mine, []byte("# my change\n")...)
	if err := os.WriteFile(ciPath, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	// A dry run writes nothing and shows the diff.
	dry, err := Apply(ctx, dir, v2, ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(ciPath)
	if string(after) != string(mine) {
		t.Error("the dry run wrote ci.yml")
	}
	byPath := map[string]Change{}
	for _, c := range dry {
		byPath[c.Path] = c
	}
	if c := byPath[".github/workflows/ci.yml"]; c.Action != Kept || c.Why != KeptChanged || !strings.Contains(c.Diff, "-# my change") {
		t.Errorf("ci.yml: %s, diff:\n%s\nwant kept with the user's line removed in the diff", c.Action, c.Diff)
	}
	if c := byPath[".github/workflows/cd-release.yml"]; c.Action != Updated || !strings.Contains(c.Diff, "+    uses: org/timetracker-ci/.github/workflows/cd-release.yml@v1.1.0") {
		t.Errorf("cd-release.yml: %s, diff:\n%s\nwant an update to v1.1.0", c.Action, c.Diff)
	}
	// Without --force the changed file stays; the others move to v1.1.0.
	if _, err := Apply(ctx, dir, v2, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	after, _ = os.ReadFile(ciPath)
	if string(after) != string(mine) {
		t.Error("init overwrote a file the user changed")
	}
	rel, _ := os.ReadFile(filepath.Join(dir, ".github", "workflows", "cd-release.yml"))
	if !strings.Contains(string(rel), "@v1.1.0") {
		t.Error("an untouched file was not updated")
	}
	// A file the user wrote before init is theirs too.
	dep := filepath.Join(dir, ".github", "dependabot.yml")
	if err := os.WriteFile(dep, []byte("version: 2\nupdates: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, _ := Apply(ctx, dir, v2, ApplyOptions{})
	for _, c := range cs {
		// Not "you changed it": init never wrote it.
		if c.Path == ".github/dependabot.yml" && (c.Action != Kept || c.Why != KeptOwn) {
			t.Errorf("user's dependabot.yml: %s (%s), want kept as %q", c.Action, c.Why, KeptOwn)
		}
	}
	// --force replaces them.
	if _, err := Apply(ctx, dir, v2, ApplyOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	after, _ = os.ReadFile(ciPath)
	if strings.Contains(string(after), "# my change") || !strings.Contains(string(after), "@v1.1.0") {
		t.Errorf("--force did not replace ci.yml:\n%s", after)
	}
}

func TestBadRef(t *testing.T) {
	for _, ref := range []string{"", "v1 .0", "main@x"} {
		if _, err := Render(Facts{DefaultBranch: "main"}, workflowstemplates.FS, ref); err == nil {
			t.Errorf("ref %q accepted", ref)
		}
	}
}

// actionlint finds the binary: on PATH or in the repository's .tools/bin
// (scripts/install-deps.sh). Missing under CI=true is a failure.
func actionlint(t *testing.T) string {
	if p, err := exec.LookPath("actionlint"); err == nil {
		return p
	}
	if p, _ := filepath.Abs(filepath.Join(repoRoot, ".tools", "bin", "actionlint")); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("actionlint is missing: bash scripts/install-deps.sh installs it")
	}
	t.Log("actionlint not found: skipping the actionlint half (bash scripts/install-deps.sh installs it)")
	return ""
}

// Found on a real repository: without a HEALTHCHECK, the compose file's
// healthcheck wins; among routes, /_health beats a versioned API's /health.
func TestHealthPathSources(t *testing.T) {
	write := func(dir, name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	routes := t.TempDir()
	write(routes, "app/routes/api_v1.py", "@api_v1_bp.route(\"/health\", methods=[\"GET\"])\ndef h(): pass\n")
	write(routes, "app/routes/main.py", "@main_bp.route(\"/_health\")\ndef h(): pass\n")
	compose := t.TempDir()
	write(compose, "app/routes/api_v1.py", "@api_v1_bp.route(\"/health\")\ndef h(): pass\n")
	write(compose, "docker-compose.yml", "services:\n  app:\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/_live\"]\n")
	for _, c := range []struct{ dir, path, from string }{
		{routes, "/_health", "app/routes/main.py"},
		{compose, "/_live", "docker-compose.yml healthcheck"},
	} {
		f, err := Detect(context.Background(), c.dir)
		if err != nil {
			t.Fatal(err)
		}
		if f.HealthPath != c.path || f.HealthFrom != c.from {
			t.Errorf("health %q from %q, want %q from %q", f.HealthPath, f.HealthFrom, c.path, c.from)
		}
	}
}

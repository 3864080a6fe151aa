package workflowcheck

// Wiring the offline end-to-end run cannot exercise (the Actions cache
// backend, build secrets, registries other than the test one, triggers other
// than push): checked here on the workflow files themselves.

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type ymap = map[string]any

func loadYAML(t *testing.T, rel string) ymap {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	var m ymap
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

func get(m any, path ...string) any {
	for _, k := range path {
		mm, ok := m.(ymap)
		if !ok {
			return nil
		}
		m = mm[k]
	}
	return m
}

func str(m any, path ...string) string {
	s, _ := get(m, path...).(string)
	return s
}

// steps returns the job's steps that use an action whose reference starts with prefix.
func steps(t *testing.T, wf ymap, job, prefix string) []ymap {
	t.Helper()
	var out []ymap
	list, _ := get(wf, "jobs", job, "steps").([]any)
	for _, s := range list {
		if sm, ok := s.(ymap); ok && strings.HasPrefix(str(sm, "uses"), prefix) {
			out = append(out, sm)
		}
	}
	if len(out) == 0 {
		t.Fatalf("job %s has no step using %s", job, prefix)
	}
	return out
}

func stepByID(t *testing.T, wf ymap, job, id string) ymap {
	t.Helper()
	list, _ := get(wf, "jobs", job, "steps").([]any)
	for _, s := range list {
		if sm, ok := s.(ymap); ok && str(sm, "id") == id {
			return sm
		}
	}
	t.Fatalf("job %s has no step with id %s", job, id)
	return nil
}

// The image build gets what the issue promises through both delivery
// workflows: build arguments from the version, the caller's build-args,
// target and secrets, a layer cache per platform, and tags, flavor, images.
func TestImageBuildWiring(t *testing.T) {
	for _, file := range []string{".github/workflows/cd-development.yml", ".github/workflows/cd-release.yml"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			wf := loadYAML(t, file)
			for _, in := range []string{"build-args", "target", "cache", "tags", "flavor", "images"} {
				if get(wf, "on", "workflow_call", "inputs", in) == nil {
					t.Errorf("no input %s", in)
				}
			}
			for _, sec := range []string{"BUILD_SECRETS", "REGISTRY_AUTH"} {
				if get(wf, "on", "workflow_call", "secrets", sec) == nil {
					t.Errorf("no secret %s", sec)
				}
			}
			build := steps(t, wf, "build", "docker/build-push-action@")[0]
			w := get(build, "with")
			args := str(w, "build-args")
			for _, want := range []string{"APP_VERSION=${{ needs.version.outputs.version }}", "BUILD_DATE=${{ needs.version.outputs.commit-date }}",
				"VCS_REF=${{ github.sha }}", "${{ inputs.build-args }}"} {
				if !strings.Contains(args, want) {
					t.Errorf("build-args lack %s:\n%s", want, args)
				}
			}
			// The caller's arguments come last: a later --build-arg of the same name wins.
			if strings.Index(args, "inputs.build-args") < strings.Index(args, "VCS_REF") {
				t.Errorf("the caller's build-args must follow the built-in ones")
			}
			for k, want := range map[string]string{"target": "${{ inputs.target }}", "secrets": "${{ secrets.BUILD_SECRETS }}",
				"cache-from": "${{ steps.cache.outputs.from }}", "cache-to": "${{ steps.cache.outputs.to }}"} {
				if got := str(w, k); got != want {
					t.Errorf("build step %s = %q, want %q", k, got, want)
				}
			}
			if out := str(wf, "jobs", "version", "outputs", "commit-date"); out != "${{ steps.version.outputs.commit-date }}" {
				t.Errorf("the version job does not pass commit-date on: %q", out)
			}
			// One cache scope per platform (the matrix's arch), max mode, export errors ignored.
			cache := str(stepByID(t, wf, "build", "cache"), "run")
			for _, want := range []string{`type=gha,scope=$scope"`, `type=gha,scope=$scope,mode=max,ignore-error=true`, `-$ARCH"`, `type=registry,ref=$IMAGE:buildcache-$ARCH`} {
				if !strings.Contains(cache, want) {
					t.Errorf("cache step lacks %s:\n%s", want, cache)
				}
			}
			if got := str(stepByID(t, wf, "build", "cache"), "env", "ARCH"); got != "${{ matrix.arch }}" {
				t.Errorf("cache scope is not per platform: ARCH=%q", got)
			}
			// type=gha needs a BuildKit builder: the docker driver refuses it.
			steps(t, wf, "build", "docker/setup-buildx-action@")
			ver := steps(t, wf, "version", "org/timetracker-ci/actions/version@")[0]
			// The version action's empty tags are docker/metadata-action's
			// default rules: ours pass type=timetracker, also for an empty input.
			if str(ver, "with", "tags") != "${{ inputs.tags || 'type=timetracker' }}" || str(ver, "with", "flavor") != "${{ inputs.flavor }}" {
				t.Errorf("tags (type=timetracker unless given) and flavor do not reach the version action: %v", get(ver, "with"))
			}
			if d := str(get(wf, "on", "workflow_call", "inputs", "tags"), "default"); d != "type=timetracker" {
				t.Errorf("tags input default %q, want type=timetracker", d)
			}
			// Further images get the same index and tags from a job of their
			// own: REGISTRY_AUTH is a secret, and a job that reads one loses
			// every output holding it.
			if str(stepByID(t, wf, "images", "names"), "env", "EXTRA_IMAGES") != "${{ inputs.images }}" {
				t.Errorf("the images input does not reach the further images job")
			}
			img := steps(t, wf, "images", "org/timetracker-ci/actions/image@")[0]
			if str(img, "with", "registry-auth") != "${{ secrets.REGISTRY_AUTH }}" || str(img, "with", "tags") != "${{ needs.version.outputs.tag-names }}" {
				t.Errorf("REGISTRY_AUTH or the tags do not reach the further images: %v", get(img, "with"))
			}
			if get(wf, "jobs", "images", "outputs") != nil {
				t.Errorf("the job reading REGISTRY_AUTH must declare no outputs")
			}
		})
	}
	// The example image says what it is.
	df, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "timetracker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARG APP_VERSION", "ARG BUILD_DATE", "ARG VCS_REF", "APP_VERSION=${APP_VERSION}"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("examples/timetracker/Dockerfile lacks %s", want)
		}
	}
	// After the dependencies: a new version must not invalidate the pip layer.
	if strings.Index(string(df), "ARG APP_VERSION") < strings.Index(string(df), "pip install") {
		t.Errorf("ARG APP_VERSION comes before pip install: every version would rebuild the dependency layer")
	}
}

// actions/cache finds an entry only with the paths it was saved with (the
// paths are part of the cache version): every restore of the timings cache
// lists exactly the paths the save lists.
func TestTimingsCachePathsMatch(t *testing.T) {
	for _, file := range []string{".github/workflows/ci-comprehensive.yml", ".github/workflows/ci-report.yml"} {
		wf := loadYAML(t, file)
		var save []string
		var restores [][]string
		for id := range get(wf, "jobs").(ymap) {
			list, _ := get(wf, "jobs", id, "steps").([]any)
			for _, s := range list {
				sm, _ := s.(ymap)
				u := str(sm, "uses")
				if !strings.HasPrefix(u, "actions/cache/") || !strings.Contains(str(sm, "with", "key")+str(sm, "with", "restore-keys"), "timetracker-ci-timings-") {
					continue
				}
				paths := strings.Fields(str(sm, "with", "path"))
				if strings.HasPrefix(u, "actions/cache/save@") {
					save = paths
				} else {
					restores = append(restores, paths)
				}
			}
		}
		if file == ".github/workflows/ci-comprehensive.yml" && len(save) == 0 {
			t.Fatalf("%s saves no timings cache", file)
		}
		if save == nil {
			// The fork reporter reads what ci-comprehensive saved.
			save = cachePaths(t)
		}
		if len(restores) == 0 {
			t.Fatalf("%s restores no timings cache", file)
		}
		for _, r := range restores {
			if !reflect.DeepEqual(r, save) {
				t.Errorf("%s: a restore lists %v, the save %v: it would never find the entry", file, r, save)
			}
		}
	}
}

func cachePaths(t *testing.T) []string {
	t.Helper()
	wf := loadYAML(t, ".github/workflows/ci-comprehensive.yml")
	for _, s := range steps(t, wf, "report", "actions/cache/save@") {
		return strings.Fields(str(s, "with", "path"))
	}
	return nil
}

// The report posts where reviewers look, and compares with the base branch.
func TestReportWiring(t *testing.T) {
	wf := loadYAML(t, ".github/workflows/ci-comprehensive.yml")
	perms := get(wf, "jobs", "report", "permissions")
	if str(perms, "checks") != "write" || str(perms, "pull-requests") != "write" {
		t.Errorf("the report job needs checks: write and pull-requests: write, has %v", perms)
	}
	rep := stepByID(t, wf, "report", "report")
	w := get(rep, "with")
	for _, k := range []string{"github-token", "pr-comment", "check-run", "failures-file", "base-failures", "report-name"} {
		if str(w, k) == "" {
			t.Errorf("test-report gets no %s", k)
		}
	}
	// A fork's read-only token cannot comment: only same-repository pull requests.
	if !strings.Contains(str(w, "pr-comment"), "github.event.pull_request.head.repo.full_name == github.repository") {
		t.Errorf("pr-comment is not limited to pull requests from the repository: %s", str(w, "pr-comment"))
	}
	if !strings.Contains(str(w, "base-failures"), "base/") {
		t.Errorf("base-failures does not point at the base branch's restored file")
	}
	fork := loadYAML(t, ".github/workflows/ci-report.yml")
	if str(get(fork, "jobs", "report", "permissions"), "actions") != "read" {
		t.Errorf("the fork reporter needs actions: read to download the tested run's artifacts")
	}
	for _, d := range steps(t, fork, "report", "actions/download-artifact@") {
		if str(d, "with", "run-id") != "${{ github.event.workflow_run.id }}" || str(d, "with", "github-token") == "" {
			t.Errorf("a download does not read the tested run's artifacts: %v", get(d, "with"))
		}
	}
	co := steps(t, fork, "report", "actions/checkout@")[0]
	if get(co, "with", "persist-credentials") != false {
		t.Errorf("the fork reporter's checkout must not keep credentials")
	}
	tpl := loadYAML(t, "workflows-templates/ci-report.yml")
	if wfs, _ := get(tpl, "on", "workflow_run", "workflows").([]any); len(wfs) != 1 || wfs[0] != "CI" {
		t.Errorf("the ci-report template must follow the CI template's workflow (named CI), follows %v", wfs)
	}
	ci := loadYAML(t, "workflows-templates/ci.yml")
	if str(ci, "name") != "CI" {
		t.Errorf("the CI template is named %q, the ci-report template follows CI", str(ci, "name"))
	}
}

// Every trigger the seed lists, in the templates.
func TestTemplateTriggers(t *testing.T) {
	dev := loadYAML(t, "workflows-templates/cd-development.yml")
	if b, _ := get(dev, "on", "push", "branches").([]any); !slices.Contains(b, any("develop")) {
		t.Errorf("cd-development: no push to develop: %v", get(dev, "on"))
	}
	if on := get(dev, "on").(ymap); !hasKey(on, "workflow_dispatch") {
		t.Errorf("cd-development: no manual dispatch")
	}
	rel := loadYAML(t, "workflows-templates/cd-release.yml")
	if tags, _ := get(rel, "on", "push", "tags").([]any); len(tags) == 0 || !regexp.MustCompile(`^v`).MatchString(tags[0].(string)) {
		t.Errorf("cd-release: no version tag trigger")
	}
	if b, _ := get(rel, "on", "push", "branches").([]any); !slices.Contains(b, any("$default-branch")) {
		t.Errorf("cd-release: no push to the default branch (main)")
	}
	if ty, _ := get(rel, "on", "release", "types").([]any); !slices.Contains(ty, any("published")) {
		t.Errorf("cd-release: no published GitHub release trigger")
	}
	if get(rel, "on", "workflow_dispatch", "inputs", "version") == nil {
		t.Errorf("cd-release: no manual dispatch with a version")
	}
}

func hasKey(m ymap, k string) bool { _, ok := m[k]; return ok }

// setup-python's pip cache keys on requirements files it finds from the
// repository root (**/requirements.txt by default) and fails when there are
// none: every Python job caches pip, keyed on the caller's own files.
func TestEveryPythonJobCachesPip(t *testing.T) {
	for _, file := range []string{".github/workflows/ci-comprehensive.yml", ".github/workflows/cd-development.yml"} {
		wf := loadYAML(t, file)
		n := 0
		for id := range get(wf, "jobs").(ymap) {
			list, _ := get(wf, "jobs", id, "steps").([]any)
			for _, s := range list {
				sm, _ := s.(ymap)
				if !strings.HasPrefix(str(sm, "uses"), "actions/setup-python@") {
					continue
				}
				n++
				if str(sm, "with", "cache") != "pip" || !strings.Contains(str(sm, "with", "cache-dependency-path"), "${{ inputs.working-directory }}/") {
					t.Errorf("%s job %s: setup-python without the pip cache on the caller's requirements: %v", file, id, get(sm, "with"))
				}
			}
		}
		if n == 0 {
			t.Errorf("%s has no Python job", file)
		}
	}
}

// The seed's database tier runs on PostgreSQL and on SQLite, both reported.
func TestDatabaseTierOnBothEngines(t *testing.T) {
	wf := loadYAML(t, ".github/workflows/ci-comprehensive.yml")
	if !strings.Contains(str(wf, "jobs", "tests", "services", "postgres", "image"), "matrix.needs-database") {
		t.Errorf("the tests job does not start PostgreSQL for the database tiers")
	}
	if get(wf, "jobs", "tests-sqlite", "services") != nil {
		t.Errorf("the SQLite run must have no database service")
	}
	if m := str(wf, "jobs", "tests-sqlite", "strategy", "matrix"); m != "${{ fromJSON(needs.plan.outputs.sqlite-matrix) }}" {
		t.Errorf("tests-sqlite matrix = %q", m)
	}
	if str(stepByID(t, wf, "plan", "sqlite-matrix"), "with", "select") != "${{ inputs.sqlite-tiers }}" {
		t.Errorf("the SQLite matrix is not the sqlite-tiers' plan")
	}
	if str(get(wf, "on", "workflow_call", "inputs", "sqlite-tiers"), "default") != "database" {
		t.Errorf("sqlite-tiers does not default to the database tier")
	}
	var renamed, uploaded bool
	list, _ := get(wf, "jobs", "tests-sqlite", "steps").([]any)
	for _, s := range list {
		sm, _ := s.(ymap)
		if strings.Contains(str(sm, "run"), `${TIER}_sqlite-`) {
			renamed = true
		}
		if strings.HasPrefix(str(sm, "uses"), "actions/upload-artifact@") && strings.HasPrefix(str(sm, "with", "name"), "results-${{ matrix.tier }}_sqlite-") {
			uploaded = true
		}
		if strings.Contains(fmtAny(get(sm, "env")), "TEST_DATABASE_URL") {
			t.Errorf("the SQLite run sets TEST_DATABASE_URL")
		}
	}
	if !renamed || !uploaded {
		t.Errorf("the SQLite results are not reported as their own tier (renamed %v, uploaded %v)", renamed, uploaded)
	}
	needs, _ := get(wf, "jobs", "report", "needs").([]any)
	if !slices.Contains(needs, any("tests-sqlite")) {
		t.Errorf("the report does not wait for the SQLite run: %v", needs)
	}
}

func fmtAny(v any) string {
	out, _ := yaml.Marshal(v)
	return string(out)
}

// Code-quality and security tools come at the project's versions, never
// the latest release.
func TestToolsAtProjectVersions(t *testing.T) {
	wf := loadYAML(t, ".github/workflows/ci-comprehensive.yml")
	for job, tools := range map[string]string{"quality": "black flake8 isort", "security": "bandit pip-audit"} {
		list, _ := get(wf, "jobs", job, "steps").([]any)
		found := false
		for _, s := range list {
			sm, _ := s.(ymap)
			run := str(sm, "run")
			if regexp.MustCompile(`pip install (black|flake8|isort|bandit|pip-audit)\b`).MatchString(run) {
				t.Errorf("job %s installs a tool at its latest release: %s", job, run)
			}
			if str(sm, "env", "TOOLS") == tools && str(sm, "env", "TOOL_REQUIREMENTS") == "${{ inputs.tool-requirements }}" {
				found = true
			}
		}
		if !found {
			t.Errorf("job %s does not install %s from tool-requirements", job, tools)
		}
	}
}

// A development image is never built from a commit whose quick tests
// failed unseen: smoke, unit and critical integration, through test-report.
func TestQuickTestsGateTheDevelopmentBuild(t *testing.T) {
	wf := loadYAML(t, ".github/workflows/cd-development.yml")
	if d := str(get(wf, "on", "workflow_call", "inputs", "quick-tests"), "default"); d != "smoke or unit or (integration and critical)" {
		t.Errorf("quick-tests default %q", d)
	}
	steps(t, wf, "quick-tests", "org/timetracker-ci/actions/test-report@")
	if !strings.Contains(str(wf, "jobs", "build", "if"), "needs.quick-tests.result == 'success'") {
		t.Errorf("the build does not wait for the quick tests to pass: %s", str(wf, "jobs", "build", "if"))
	}
	ini, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "timetracker", "pytest.ini"))
	if err != nil || !strings.Contains(string(ini), "critical:") {
		t.Errorf("the example app does not register the critical marker")
	}
}

package actions

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/sbom"
	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

// The adversarial test of issue 19's "Done when": for every action, a
// workspace whose every file or folder an input names is a symlink to
// /proc/self/environ, or to a file (or folder) outside the workspace
// holding a canary secret that is also the GitHub token, must let the
// canary reach no output, summary, annotation, log line, file written in
// the workspace, or request body sent to GitHub or a registry (release
// bodies and assets, comments, deployments, blobs); nothing outside the
// workspace may be written through such a link.

// canary is the secret: the github-token input of every action that has
// one, and the content of the files outside the workspace.
const canary = "CANARY-7b1e3f-token"

// secretFile is what a file outside the workspace holds: the canary in
// the shapes each reader understands (JSON, which is also YAML; a
// key=value line; a Python marker; a version line), so that a reader that
// follows the link carries it on.
var secretFile = `{"version": "9.9.9-` + canary + `", "image": "ghcr.io/org/` + strings.ToLower(canary) + `", "digest": "sha256:` + canary + `",` +
	` "unit": {"marker": "` + canary + `"}, "tiers": [{"tier": "` + canary + `"}], "body": "` + canary + `"}
INPUT_GITHUB-TOKEN=` + canary + `
@pytest.mark.` + strings.ReplaceAll(canary, "-", "_") + `
9.9.9
`

// canaryIdent is the canary where only an identifier fits (a pytest marker).
var canaryIdent = strings.ReplaceAll(canary, "-", "_")

// contentFor is what the file outside holds for a link named base: the
// secret in the shape a reader of such a file carries on (a registered
// marker becomes a finding, an OSV record's summary an annotation, an
// ignore entry's reason a warning, a compose file's image a gap).
func contentFor(base string) string {
	name := path.Base(base)
	switch {
	case name == "pytest.ini" || name == "tox.ini":
		return "[pytest]\nmarkers =\n    " + canaryIdent + ": " + canary + "\n"
	case name == "setup.cfg":
		return "[tool:pytest]\nmarkers =\n    " + canaryIdent + ": " + canary + "\n"
	case strings.HasSuffix(name, ".py"):
		return "import pytest\n\n\n@pytest.mark." + canaryIdent + "\ndef test_" + canaryIdent + "():\n    pass\n"
	case strings.Contains(name, "ignore"):
		return "ignore:\n  - id: FIXTURE-2026-0001\n    expires: 2000-01-01\n    reason: " + canary + "\n"
	case name == "HOSTILE.json":
		return `{"id": "HOSTILE-1", "summary": "` + canary + `", "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},` +
			` "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}`
	case strings.HasSuffix(name, ".yml") && !strings.Contains(base, "workflows"):
		return "services:\n  app:\n    image: ghcr.io/org/app:" + canary + "\n"
	case strings.HasSuffix(name, ".yml"):
		return "on: push\njobs:\n  " + canaryIdent + ":\n    runs-on: ubuntu-latest\n    steps:\n      - uses: " + canary + "/x@main\n"
	case name == "Dockerfile":
		return "FROM python:3.12\nUSER " + canaryIdent + "\nHEALTHCHECK CMD curl -f http://localhost/" + canary + "\n"
	}
	return secretFile
}

// probe is one hostile path: link (workspace-relative) is made a symlink,
// and the input is set to value.
type probe struct {
	input, value string
	link         string
	dir          []string // link is a folder: these files are in the folder outside it points at
}

// adversary is one action: a legitimate workspace and inputs, and its probes.
type adversary struct {
	action string
	setup  func(t *testing.T, h *harness) (inputs, env map[string]string)
	probes []probe
}

// sprinkled are files an action may read by convention, without an
// input naming them: each is a symlink in every workspace of the test.
var sprinkled = []string{
	"Dockerfile", "pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "conftest.py", "tests/conftest.py",
	"tests/test_hostile.py", ".github/workflows/hostile.yml", "migrations/versions/hostile.py", "go.mod",
	"VERSION", "package.json", "setup.py", "docker-compose.yml", ".github/vulnerability-ignore.yml",
	"test-results/junit-unit-9.xml", "test-results/coverage-unit-9.xml", "test-results/timings.json",
	"dist/hostile.tar.gz", "dist/deploy/deployment.json",
}

func TestNoActionLeaksThroughASymlink(t *testing.T) {
	environ := environMarker(t)
	byName := map[string]*action.Action{}
	for _, a := range All() {
		byName[a.Name] = a
	}
	covered := map[string]bool{}
	for _, adv := range adversaries() {
		a := byName[adv.action]
		if a == nil {
			t.Fatalf("no action %q in the registry", adv.action)
		}
		covered[adv.action] = true
		probes := append([]probe{{input: "", link: ""}}, adv.probes...) // the first: sprinkled links only
		for _, p := range probes {
			for _, target := range []string{"environ", "outside"} {
				name := fmt.Sprintf("%s/%s/%s", adv.action, orNone(p.input), target)
				t.Run(name, func(t *testing.T) {
					h := newHarness(t)
					inputs, env := adv.setup(t, h)
					if p.input == "" {
						h.sprinkle(t, target)
					} else {
						h.link(t, p, target)
						inputs[p.input] = p.value
					}
					res := h.run(t, a, inputs, env)
					h.assertNoLeak(t, res, environ)
					t.Logf("exit %d %s", res.ExitCode, firstLine(strings.Join(res.Annotations, "\n")))
				})
			}
		}
	}
	for _, a := range All() {
		if !covered[a.Name] {
			t.Errorf("action %s has no adversary in this test: add one with every path input it has", a.Name)
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "sprinkled"
	}
	return s
}

// environMarker is a line of this process's environment as the kernel
// keeps it (/proc/self/environ).
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

// harness is one run's world: the workspace, the folder outside it, and
// the servers, whose request bodies are recorded.
type harness struct {
	ws, outside string
	gh          *githubfake.Server
	registry    string // host of an in-process registry
	mu          sync.Mutex
	bodies      bytes.Buffer
	before      map[string]string // the outside folder's files before the run
}

func newHarness(t *testing.T) *harness {
	h := &harness{ws: t.TempDir(), outside: t.TempDir()}
	h.gh = githubfake.New(githubfake.Options{})
	srv := httptest.NewServer(h.record(h.gh.Handler()))
	t.Cleanup(srv.Close)
	h.gh.URL = srv.URL
	h.registry = registrytest.New(t, h.record)
	return h
}

// record keeps every request body a server receives: what an action publishes.
func (h *harness) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			data, _ := io.ReadAll(r.Body)
			r.Body.Close()
			h.mu.Lock()
			h.bodies.Write(data)
			h.bodies.WriteByte('\n')
			h.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(data))
		}
		next.ServeHTTP(w, r)
	})
}

// target is what a link points at: /proc/self/environ, or a file outside
// holding the secret (one per link, so a write through one shows).
func (h *harness) target(t *testing.T, target, base string) string {
	t.Helper()
	if target == "environ" {
		return "/proc/self/environ"
	}
	p := filepath.Join(h.outside, strings.ReplaceAll(base, "/", "_"))
	writeFile(t, p, contentFor(base))
	return p
}

func (h *harness) sprinkle(t *testing.T, target string) {
	t.Helper()
	for _, s := range sprinkled {
		p := filepath.Join(h.ws, filepath.FromSlash(s))
		if _, err := os.Lstat(p); err == nil {
			continue // the setup wrote a legitimate file here
		}
		mustOK(t, os.MkdirAll(filepath.Dir(p), 0o755))
		mustOK(t, os.Symlink(h.target(t, target, s), p))
	}
	h.snapshot(t)
}

// link makes the probe's path a symlink: to the target file, or to a
// folder outside whose files are the target.
func (h *harness) link(t *testing.T, p probe, target string) {
	t.Helper()
	at := filepath.Join(h.ws, filepath.FromSlash(p.link))
	mustOK(t, os.RemoveAll(at))
	mustOK(t, os.MkdirAll(filepath.Dir(at), 0o755))
	if p.dir == nil {
		mustOK(t, os.Symlink(h.target(t, target, p.link), at))
		h.snapshot(t)
		return
	}
	folder := filepath.Join(h.outside, "folder-"+strings.ReplaceAll(p.link, "/", "_"))
	for _, f := range p.dir {
		fp := filepath.Join(folder, filepath.FromSlash(f))
		mustOK(t, os.MkdirAll(filepath.Dir(fp), 0o755))
		if target == "environ" {
			mustOK(t, os.Symlink("/proc/self/environ", fp))
		} else {
			writeFile(t, fp, contentFor(f))
		}
	}
	mustOK(t, os.MkdirAll(folder, 0o755))
	mustOK(t, os.Symlink(folder, at))
	h.snapshot(t)
}

func (h *harness) snapshot(t *testing.T) {
	t.Helper()
	h.before = h.outsideFiles(t)
}

// outsideFiles is the outside folder: every path with its content (or link target).
func (h *harness) outsideFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(h.outside, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[p] = "-> " + l
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return nil
	})
	mustOK(t, err)
	return out
}

func (h *harness) run(t *testing.T, a *action.Action, inputs, env map[string]string) actiontest.Result {
	t.Helper()
	c := actiontest.Case{Dir: h.ws, Inputs: inputs, Env: map[string]string{
		"GITHUB_REPOSITORY": h.gh.Owner() + "/" + h.gh.Repo(), "GITHUB_API_URL": h.gh.APIURL(), "GITHUB_SERVER_URL": h.gh.URL,
		"GITHUB_SHA": h.gh.Head(), "GITHUB_RUN_ID": "42", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main",
		"GITHUB_REF_TYPE": "branch", "GITHUB_EVENT_NAME": "push",
		"GITHUB_WORKFLOW_REF": "org/timetracker/.github/workflows/cd.yml@refs/heads/main",
	}}
	for k, v := range env {
		c.Env[k] = v
	}
	meta, err := a.Meta()
	mustOK(t, err)
	for _, in := range meta.Inputs {
		if _, set := c.Inputs["github-token"]; in.Name == "github-token" && !set {
			c.Inputs["github-token"] = canary
		}
	}
	done := make(chan actiontest.Result, 1)
	go func() { done <- actiontest.Run(t, a, c) }()
	select {
	case res := <-done:
		return res
	case <-time.After(60 * time.Second):
		t.Fatal("the action hung")
	}
	return actiontest.Result{}
}

// assertNoLeak looks for the canary (and its base64) and the environment
// line everywhere the run could have put them.
func (h *harness) assertNoLeak(t *testing.T, res actiontest.Result, environ string) {
	t.Helper()
	needles := map[string]string{
		"the canary": canary, "the canary in base64": base64.StdEncoding.EncodeToString([]byte(canary)),
		"the environment": environ, "the secret file": "INPUT_GITHUB-TOKEN=", "the canary as an identifier": canaryIdent,
	}
	var stdout []string
	for _, l := range strings.Split(res.Stdout, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") { // the mask itself names the token, as it must
			stdout = append(stdout, l)
		}
	}
	places := map[string]string{"the log": strings.Join(stdout, "\n"), "stderr": res.Stderr, "the summary": res.Summary}
	for k, v := range res.Outputs {
		places["output "+k] = v
	}
	for k, v := range res.Env {
		places["exported variable "+k] = v
	}
	h.mu.Lock()
	places["a request body sent to GitHub or a registry"] = h.bodies.String()
	h.mu.Unlock()
	err := filepath.WalkDir(h.ws, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.Contains(p, string(filepath.Separator)+".git"+string(filepath.Separator)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil {
			rel, _ := filepath.Rel(h.ws, p)
			places["the written file "+filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	mustOK(t, err)
	var where []string
	for place, text := range places {
		for what, needle := range needles {
			if strings.Contains(text, needle) {
				where = append(where, what+" reached "+place)
			}
		}
	}
	after := h.outsideFiles(t)
	for p, v := range after {
		if h.before[p] != v {
			where = append(where, "wrote outside the workspace: "+p)
		}
	}
	sort.Strings(where)
	for _, w := range where {
		t.Error(w)
	}
	if len(where) > 0 {
		t.Logf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	mustOK(t, os.MkdirAll(filepath.Dir(p), 0o755))
	mustOK(t, os.WriteFile(p, []byte(content), 0o644))
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// gitRepo makes the workspace a repository with a tag v1.2.3 and one
// commit after it, and returns the environment naming its head.
func gitRepo(t *testing.T, dir string) map[string]string {
	t.Helper()
	repo, err := git.PlainInit(dir, false)
	mustOK(t, err)
	wt, err := repo.Worktree()
	mustOK(t, err)
	when := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	head := ""
	for i, msg := range []string{"feat: first", "fix: second (#2)"} {
		sig := &object.Signature{Name: "Ada", Email: "ada@users.noreply.github.com", When: when.Add(time.Duration(i) * time.Hour)}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
		mustOK(t, err)
		if i == 0 {
			_, err := repo.CreateTag("v1.2.3", h, nil)
			mustOK(t, err)
		}
		head = h.String()
	}
	return map[string]string{"GITHUB_SHA": head}
}

const junit = `<?xml version="1.0"?>
<testsuite name="unit" tests="1"><testcase classname="tests.test_a" name="test_ok" time="0.1"/></testsuite>
`

func adversaries() []adversary {
	return []adversary{
		{action: "version", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			return map[string]string{}, gitRepo(t, h.ws)
		}, probes: []probe{
			{input: "version-file", value: "VERSION.txt", link: "VERSION.txt"},
			{input: "version-file", value: "pyproject.toml", link: "pyproject.toml"},
			{input: "path", value: "app", link: "app", dir: []string{"VERSION"}},
		}},
		{action: "test-plan", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			writeFile(t, filepath.Join(h.ws, "tests", "test_a.py"), "import pytest\n\n@pytest.mark.unit\ndef test_ok():\n    pass\n")
			return map[string]string{"tiers": "unit:\n  marker: unit\n"}, nil
		}, probes: []probe{
			{input: "tiers", value: "tiers.yml", link: "tiers.yml"},
			{input: "paths", value: "tests/**/test_*.py", link: "tests/test_b.py"},
			{input: "paths", value: "suite/**/test_*.py", link: "suite", dir: []string{"test_c.py"}},
			{input: "timings", value: "timings/*.json", link: "timings/old.json"},
			{input: "plan", value: "plan.json", link: "plan.json"},
			{input: "plan-file", value: "out/plan.json", link: "out/plan.json"},
			{input: "plan-file", value: "out/plan.json", link: "out", dir: []string{"plan.json"}},
			{input: "working-directory", value: "app", link: "app", dir: []string{"tests/test_a.py", "pytest.ini"}},
		}},
		{action: "test-report", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			writeFile(t, filepath.Join(h.ws, "test-results", "junit-unit-1.xml"), junit)
			writeFile(t, filepath.Join(h.ws, "tests", "test_a.py"), "def test_ok():\n    pass\n")
			return map[string]string{"files": "test-results/*.xml", "min-tests": "0", "pr-comment": "false", "check-run": "false"}, nil
		}, probes: []probe{
			{input: "files", value: "test-results/*.xml", link: "test-results/junit-unit-2.xml"},
			{input: "files", value: "results/*.xml", link: "results", dir: []string{"junit-unit-1.xml"}},
			{input: "coverage", value: "cov/*.xml", link: "cov/coverage.xml"},
			{input: "timings", value: "old/timings.json", link: "old/timings.json"},
			{input: "timings-file", value: "out/timings.json", link: "out/timings.json"},
			{input: "timings-file", value: "out/timings.json", link: "out", dir: []string{"timings.json"}},
			{input: "plan", value: "plan.json", link: "plan.json"},
			{input: "working-directory", value: "app", link: "app", dir: []string{"test-results/junit-unit-1.xml"}},
			{input: "event-file", value: "event.json", link: "event.json"},
			{input: "failures-file", value: "failures.json", link: "failures.json"},
			{input: "base-failures", value: "base.json", link: "base.json"},
		}},
		{action: "image", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			amd := registrytest.PushImage(t, h.registry+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
			return map[string]string{"sources": amd, "images": h.registry + "/org/app", "tags": "1.0.0", "insecure-registries": h.registry, "platforms": "linux/amd64"}, nil
		}},
		{action: "manifest", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			return map[string]string{"image": "ghcr.io/org/timetracker@sha256:" + strings.Repeat("cd", 32), "platforms": "",
				"version": "1.2.3", "revision": strings.Repeat("ab", 20), "build-time": "2026-05-01T12:00:00Z"}, nil
		}, probes: []probe{
			{input: "templates", value: "tpl", link: "tpl", dir: []string{"docker-compose.yml.tmpl"}},
			{input: "templates", value: "tpl", link: "tpl/docker-compose.yml.tmpl"},
			{input: "output-dir", value: "out", link: "out", dir: []string{"docker-compose.yml"}},
			{input: "output-dir", value: "out", link: "out/docker-compose.yml"},
		}},
		{action: "release", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			env := gitRepo(t, h.ws)
			writeFile(t, filepath.Join(h.ws, "dist", "app-1.2.3.tar.gz"), "tarball")
			env["GITHUB_REF"], env["GITHUB_REF_NAME"], env["GITHUB_REF_TYPE"] = "refs/tags/v1.2.3", "v1.2.3", "tag"
			return map[string]string{"tag": "v1.2.3", "assets": "dist/*"}, env
		}, probes: []probe{
			{input: "body-file", value: "NOTES.md", link: "NOTES.md"},
			{input: "assets", value: "dist/*", link: "dist/env.txt"},
			{input: "assets", value: "proc/*", link: "proc", dir: []string{"environ"}},
			{input: "output-dir", value: "rel", link: "rel", dir: []string{"release.md"}},
			{input: "output-dir", value: "rel", link: "rel/release.md"},
		}},
		{action: "doctor", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			writeFile(t, filepath.Join(h.ws, "tests", "test_a.py"), "def test_ok():\n    pass\n")
			return map[string]string{}, nil
		}, probes: []probe{
			{input: "path", value: "app", link: "app", dir: []string{"Dockerfile", "pytest.ini", "tests/test_a.py", ".github/workflows/ci.yml"}},
			{input: "path", value: ".", link: "pytest.ini"},
			{input: "path", value: ".", link: "tests/test_b.py"},
			{input: "path", value: ".", link: "Dockerfile"},
			{input: "path", value: ".", link: ".github/workflows/ci.yml"},
			{input: "path", value: ".", link: "migrations/versions/a.py"},
			{input: "tiers", value: "tiers.yml", link: "tiers.yml"},
		}},
		{action: "attest", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			return map[string]string{"image": pushDebianIndex(t, h), "insecure-registries": h.registry}, nil
		}, probes: []probe{
			{input: "output-dir", value: "att", link: "att", dir: []string{"provenance.intoto.json"}},
			{input: "output-dir", value: "att", link: "att/provenance.intoto.json"},
			{input: "output-dir", value: "att", link: "att/sbom-linux-amd64.spdx.json"},
		}},
		{action: "scan", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			doc, err := sbom.SPDX(sbom.Subject{Name: "r/app", Digest: "sha256:" + strings.Repeat("b", 64)}, []sbom.Package{
				{Type: sbom.TypePython, Name: "requests", Version: "2.31.0", Location: "/site/requests-2.31.0.dist-info/METADATA"}})
			mustOK(t, err)
			writeFile(t, filepath.Join(h.ws, "dist", "sbom.json"), string(doc))
			rec, err := os.ReadFile("../pkg/vulnscan/testdata/osv/FIXTURE-2026-0001.json")
			mustOK(t, err)
			writeFile(t, filepath.Join(h.ws, "osv", "FIXTURE-2026-0001.json"), string(rec))
			return map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv", "severity-threshold": "none"}, nil
		}, probes: []probe{
			{input: "sboms", value: "dist/hostile.json", link: "dist/hostile.json"},
			{input: "image-archive", value: "image.tar", link: "image.tar"},
			{input: "sbom-file", value: "out/sbom.json", link: "out/sbom.json"},
			{input: "ignore-file", value: "ignore.yml", link: "ignore.yml"},
			{input: "osv-database", value: "osv", link: "osv/HOSTILE.json"},
			{input: "osv-database", value: "db", link: "db", dir: []string{"HOSTILE.json"}},
			{input: "sarif-file", value: "out/v.sarif", link: "out/v.sarif"},
			{input: "sarif-file", value: "out/v.sarif", link: "out", dir: []string{"v.sarif"}},
		}},
		{action: "verify", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			idx := registrytest.PushIndex(t, h.registry+"/org/app", types.OCIImageIndex)
			writeFile(t, filepath.Join(h.ws, "deploy", "docker-compose.yml"), "services:\n  app:\n    image: "+idx+"\n")
			return map[string]string{"image": idx, "insecure-registries": h.registry, "deployment-files": "deploy", "provenance": "false"}, nil
		}, probes: []probe{
			{input: "deployment-files", value: "deploy/k8s.yml", link: "deploy/k8s.yml"},
			{input: "deployment-files", value: "deploy", link: "deploy/compose.yml"},
			{input: "deployment-files", value: "other", link: "other", dir: []string{"docker-compose.yml"}},
		}},
		{action: "metrics", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			now := time.Now().UTC()
			h.gh.AddWorkflowRuns(githubfake.WorkflowRun{ID: 500, Name: "CI", Event: "push", Branch: "main", Status: "completed",
				Conclusion: "success", Created: now, Started: now, Updated: now.Add(time.Minute)})
			return map[string]string{"weeks": "2"}, nil
		}, probes: []probe{
			{input: "charts-dir", value: "charts", link: "charts", dir: []string{"metrics.json"}},
			{input: "charts-dir", value: "charts", link: "charts/metrics.json"},
			{input: "cache-file", value: "cache.json", link: "cache.json"},
		}},
		{action: "rollback", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			repo := h.registry + "/org/app"
			for _, tag := range []string{"1.0.0", "1.1.0"} {
				src := registrytest.PushIndex(t, repo, types.OCIImageIndex)
				ref, err := name.ParseReference(src, name.Insecure)
				mustOK(t, err)
				dst, err := name.NewTag(repo+":"+tag, name.Insecure)
				mustOK(t, err)
				desc, err := remote.Get(ref)
				mustOK(t, err)
				mustOK(t, remote.Tag(dst, desc))
			}
			return map[string]string{"images": repo, "insecure-registries": h.registry, "to": "1.0.0", "deploy-dir": "deploy"}, nil
		}, probes: []probe{
			{input: "deploy-dir", value: "deploy", link: "deploy", dir: []string{"docker-compose.yml"}},
		}},
		{action: "deployment", setup: func(t *testing.T, h *harness) (map[string]string, map[string]string) {
			writeFile(t, filepath.Join(h.ws, "dist", "deploy", "deployment.json"), `{"image":"ghcr.io/org/app","digest":"sha256:abc","version":"1.2.3"}`)
			return map[string]string{"step": "start", "environment": "production", "files": "dist/deploy"}, nil
		}, probes: []probe{
			{input: "files", value: "dist/deploy", link: "dist/deploy/deployment.json"},
			{input: "files", value: "d2", link: "d2", dir: []string{"deployment.json"}},
		}},
	}
}

// pushDebianIndex pushes the SBOM fixture index (Debian and Python
// packages, two platforms) and returns name@digest.
func pushDebianIndex(t *testing.T, h *harness) string {
	t.Helper()
	idx := sbomtest.DebianPythonIndex(t)
	d, err := idx.Digest()
	mustOK(t, err)
	ref, err := name.ParseReference(h.registry+"/org/app@"+d.String(), name.Insecure)
	mustOK(t, err)
	mustOK(t, remote.WriteIndex(ref, idx))
	return ref.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

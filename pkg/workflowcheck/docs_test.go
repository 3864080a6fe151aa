package workflowcheck_test

// The docs check: every fenced YAML example in README.md and docs/ is
// extracted and held to what a user's copy would meet: actionlint, this
// package's rules (every uses: path of ours, with: key, secret and output
// reference resolved against our action.yml files and reusable workflows),
// doctor's workflow rules, and the tier rules of our reusable workflows.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/doctor"
	"github.com/org/timetracker-ci/pkg/tiers"
	"github.com/org/timetracker-ci/pkg/workflowcheck"
)

const ourRepo = "org/timetracker-ci"

// fence is one fenced example.
type fence struct {
	file string // relative to the repository
	line int    // of the opening fence
	lang string
	text string
}

func docFences(t *testing.T, root string) []fence {
	t.Helper()
	files := []string{"README.md"}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, d := range docs {
		rel, _ := filepath.Rel(root, d)
		files = append(files, filepath.ToSlash(rel))
	}
	var out []fence
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		var cur *fence
		var body strings.Builder
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			l := sc.Text()
			switch {
			case cur == nil && strings.HasPrefix(l, "```") && len(l) > 3:
				cur = &fence{file: f, line: n, lang: strings.TrimSpace(l[3:])}
				body.Reset()
			case cur != nil && strings.HasPrefix(l, "```"):
				cur.text = body.String()
				out = append(out, *cur)
				cur = nil
			case cur != nil:
				body.WriteString(l + "\n")
			}
		}
	}
	return out
}

var (
	needsOutRe = regexp.MustCompile(`\bneeds\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)`)
	matrixRe   = regexp.MustCompile(`\bmatrix\.([A-Za-z_][\w-]*)`)
)

// example is a YAML fence made into a workflow a user could commit.
type example struct {
	fence
	kind     string // workflow, jobs, steps, tiers, other
	workflow []byte
}

// wrap turns a fence into a workflow: a whole workflow as it is (with an
// on: when the example leaves it out), a jobs map or a steps list inside
// one. Jobs a fragment reads outputs from are taken from the same page's
// examples when one defines them (so an example is held to the page's
// other examples), else stubbed with those outputs (the user's own jobs).
func wrap(f fence, pageJobs map[string]*yaml.Node) (example, error) {
	ex := example{fence: f}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(f.text), &doc); err != nil {
		return ex, fmt.Errorf("not YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		ex.kind = "other"
		return ex, nil
	}
	top := doc.Content[0]
	jobs := map[string]any{}
	var wf map[string]any
	switch {
	case top.Kind == yaml.MappingNode && mapHas(top, "jobs"):
		ex.kind = "workflow"
		if err := top.Decode(&wf); err != nil {
			return ex, err
		}
		if _, ok := wf["on"]; !ok {
			wf["on"] = "workflow_dispatch"
		}
	case top.Kind == yaml.MappingNode && isJobs(top):
		ex.kind = "jobs"
		if err := top.Decode(&jobs); err != nil {
			return ex, err
		}
	case top.Kind == yaml.SequenceNode && isSteps(top):
		ex.kind = "steps"
		var steps []any
		if err := top.Decode(&steps); err != nil {
			return ex, err
		}
		job := map[string]any{"runs-on": "ubuntu-latest", "permissions": map[string]any{"contents": "read"}, "steps": steps}
		var needs []string
		seen := map[string]map[string]bool{}
		for _, m := range needsOutRe.FindAllStringSubmatch(f.text, -1) {
			if seen[m[1]] == nil {
				seen[m[1]] = map[string]bool{}
				needs = append(needs, m[1])
			}
			seen[m[1]][m[2]] = true
		}
		sort.Strings(needs)
		// include adds job n: the page's own (with its needs, recursively),
		// else a stub with the outputs the examples read.
		var include func(n string) error
		include = func(n string) error {
			if _, done := jobs[n]; done {
				return nil
			}
			if j, ok := pageJobs[n]; ok {
				var v any
				if err := j.Decode(&v); err != nil {
					return err
				}
				jobs[n] = v
				var text strings.Builder
				if err := yaml.NewEncoder(&text).Encode(j); err != nil {
					return err
				}
				for _, m := range needsOutRe.FindAllStringSubmatch(text.String(), -1) {
					if seen[m[1]] == nil {
						seen[m[1]] = map[string]bool{}
					}
					seen[m[1]][m[2]] = true
				}
				if m, ok := v.(map[string]any); ok {
					var deps []string
					switch d := m["needs"].(type) {
					case string:
						deps = []string{d}
					case []any:
						for _, x := range d {
							deps = append(deps, fmt.Sprint(x))
						}
					}
					for _, d := range deps {
						if err := include(d); err != nil {
							return err
						}
					}
				}
				return nil
			}
			outs := map[string]any{}
			var lines []string
			for o := range seen[n] {
				outs[o] = "${{ steps.stub.outputs." + o + " }}"
				lines = append(lines, "echo '"+o+"=stub' >> \"$GITHUB_OUTPUT\"")
			}
			sort.Strings(lines)
			if len(lines) == 0 {
				lines = []string{"true"}
			}
			jobs[n] = map[string]any{"runs-on": "ubuntu-latest", "permissions": map[string]any{}, "outputs": outs,
				"steps": []any{map[string]any{"id": "stub", "run": strings.Join(lines, "\n")}}}
			return nil
		}
		// The page's jobs first, so stubs know every output read of them.
		for _, n := range needs {
			if _, ok := pageJobs[n]; ok {
				if err := include(n); err != nil {
					return ex, err
				}
			}
		}
		for _, n := range needs {
			if err := include(n); err != nil {
				return ex, err
			}
		}
		if len(needs) > 0 {
			job["needs"] = needs
		}
		// Steps written for a matrix job read matrix values: the user's job
		// has that matrix.
		if ms := matrixRe.FindAllStringSubmatch(f.text, -1); len(ms) > 0 {
			matrix := map[string]any{}
			for _, m := range ms {
				matrix[m[1]] = []any{"a"}
			}
			job["strategy"] = map[string]any{"matrix": matrix}
		}
		jobs["example"] = job
	case isTiers(top):
		ex.kind = "tiers"
		return ex, nil
	default:
		ex.kind = "other"
		return ex, nil
	}
	if wf == nil {
		wf = map[string]any{"on": "workflow_dispatch", "permissions": map[string]any{}, "jobs": jobs}
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		return ex, err
	}
	ex.workflow = out
	return ex, nil
}

func mapHas(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func isJobs(m *yaml.Node) bool {
	if len(m.Content) == 0 {
		return false
	}
	for i := 1; i < len(m.Content); i += 2 {
		v := m.Content[i]
		if v.Kind != yaml.MappingNode || !(mapHas(v, "runs-on") || mapHas(v, "uses") || mapHas(v, "steps")) {
			return false
		}
	}
	return true
}

func isSteps(s *yaml.Node) bool {
	for _, v := range s.Content {
		if v.Kind != yaml.MappingNode || !(mapHas(v, "uses") || mapHas(v, "run")) {
			return false
		}
	}
	return len(s.Content) > 0
}

func isTiers(n *yaml.Node) bool {
	if n.Kind == yaml.SequenceNode {
		for _, v := range n.Content {
			if v.Kind != yaml.MappingNode || !mapHas(v, "name") || !(mapHas(v, "marker") || mapHas(v, "paths")) {
				return false
			}
		}
		return len(n.Content) > 0
	}
	return false
}

// pageJobs are the jobs the page's whole-workflow examples define.
func pageJobs(fs []fence) map[string]map[string]*yaml.Node {
	out := map[string]map[string]*yaml.Node{}
	for _, f := range fs {
		var doc yaml.Node
		if yaml.Unmarshal([]byte(f.text), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		top := doc.Content[0]
		var jobs *yaml.Node
		if mapHas(top, "jobs") {
			for i := 0; i+1 < len(top.Content); i += 2 {
				if top.Content[i].Value == "jobs" {
					jobs = top.Content[i+1]
				}
			}
		} else if isJobs(top) {
			jobs = top
		}
		if jobs == nil || jobs.Kind != yaml.MappingNode {
			continue
		}
		if out[f.file] == nil {
			out[f.file] = map[string]*yaml.Node{}
		}
		for i := 0; i+1 < len(jobs.Content); i += 2 {
			out[f.file][jobs.Content[i].Value] = jobs.Content[i+1]
		}
	}
	return out
}

// Rules that do not apply to a documentation example: examples shorten
// pins and permissions to keep to the point (the templates, real files,
// carry both and are checked in TestRepositoryWorkflows).
var skipRules = map[string]bool{workflowcheck.RulePin: true, workflowcheck.RulePermissions: true}

func TestDocsExamples(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cs, err := workflowcheck.LoadContracts(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	fences := docFences(t, root)
	jobsByPage := pageJobs(fences)
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	where := map[string]fence{} // temp file → fence
	var files []string
	kinds := map[string]int{}
	for _, f := range fences {
		if f.lang != "yaml" && f.lang != "yml" {
			continue
		}
		ex, err := wrap(f, jobsByPage[f.file])
		if err != nil {
			t.Errorf("%s:%d: %v", f.file, f.line, err)
			continue
		}
		kinds[ex.kind]++
		t.Logf("%s:%d: %s", f.file, f.line, ex.kind)
		switch ex.kind {
		case "tiers":
			// A tier definition is copied into ci-comprehensive's
			// tier-definitions: it must work there with the defaults.
			for _, msg := range tierCallProblems(root, "ci-comprehensive.yml", "example", map[string]string{"tier-definitions": f.text}) {
				t.Errorf("%s:%d: passed as tier-definitions to ci-comprehensive.yml: %s", f.file, f.line, msg)
			}
			continue
		case "other":
			continue
		}
		name := fmt.Sprintf("%s-%d.yml", strings.NewReplacer("/", "-", ".md", "").Replace(f.file), f.line)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, ex.workflow, 0o644); err != nil {
			t.Fatal(err)
		}
		where[p] = f
		files = append(files, p)
		wf, err := workflowcheck.Parse(p, ex.workflow)
		if err != nil {
			t.Errorf("%s:%d: %v", f.file, f.line, err)
			continue
		}
		for _, fd := range workflowcheck.Check(wf, workflowcheck.Options{Repo: ourRepo, Contracts: cs}) {
			if !skipRules[fd.Rule] {
				t.Errorf("%s:%d: %s [%s]", f.file, f.line, fd.Message, fd.Rule)
			}
		}
		for _, fd := range doctor.CheckWorkflow(wf, doctor.Options{Repo: ourRepo}) {
			if fd.Rule != "permissions-missing" && fd.Rule != "unpinned-action" {
				t.Errorf("%s:%d: %s [doctor %s: %s]", f.file, f.line, fd.Message, fd.Rule, fd.Fix)
			}
		}
		for _, msg := range tierProblems(root, wf) {
			t.Errorf("%s:%d: %s", f.file, f.line, msg)
		}
	}
	t.Logf("YAML examples: %v", kinds)
	if kinds["workflow"]+kinds["jobs"]+kinds["steps"] == 0 {
		t.Fatal("no workflow examples found: the extraction is broken")
	}
	lint := actionlintBin(t, root)
	if lint == "" {
		return
	}
	out, _ := exec.Command(lint, append([]string{"-no-color", "-format", "{{range $err := .}}{{$err.Filepath}}\t{{$err.Message}} [{{$err.Kind}}]\n{{end}}"}, files...)...).CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, msg, ok := strings.Cut(l, "\t")
		if !ok {
			if strings.TrimSpace(l) != "" {
				t.Errorf("actionlint: %s", l)
			}
			continue
		}
		f := where[filepath.Join(dir, filepath.Base(path))]
		t.Errorf("%s:%d: actionlint: %s", f.file, f.line, msg)
	}
}

// tierProblems holds a call of our reusable workflows with tier-definitions
// to the workflow's rules: the tiers it selects (its tiers input, else the
// workflow's default) must be defined, and a tier's own shards count is
// replaced by the workflow's shards input (default unit=2) unless the
// caller sets shards.
func tierProblems(root string, wf *workflowcheck.Workflow) []string {
	var out []string
	for _, j := range wf.Jobs {
		if j.Uses == nil || j.With == nil {
			continue
		}
		m := regexp.MustCompile(`^` + regexp.QuoteMeta(ourRepo) + `/\.github/workflows/([^@]+)@`).FindStringSubmatch(j.Uses.Value)
		if m == nil {
			continue
		}
		with := map[string]string{}
		for i := 0; i+1 < len(j.With.Content); i += 2 {
			with[j.With.Content[i].Value] = j.With.Content[i+1].Value
		}
		out = append(out, tierCallProblems(root, m[1], j.ID, with)...)
	}
	return out
}

func tierCallProblems(root, file, job string, with map[string]string) []string {
	defText, ok := with["tier-definitions"]
	if !ok {
		return nil
	}
	defs, err := tiers.Parse([]byte(defText))
	if err != nil {
		return []string{fmt.Sprintf("tier-definitions: %v", err)}
	}
	var out []string
	defaults := workflowDefaults(root, file)
	sel, ok := with["tiers"]
	if !ok {
		sel = defaults["tiers"]
	}
	if _, err := tiers.Select(defs, splitList(sel)); err != nil {
		out = append(out, fmt.Sprintf("job %s: the tiers it runs (%q) are not all in its tier-definitions: %v", job, sel, err))
	}
	if _, ok := with["shards"]; !ok {
		for _, d := range defs {
			if d.Shards > 1 {
				out = append(out, fmt.Sprintf("job %s: tier %s sets shards: %d, but the workflow's shards input (default %q) replaces it: pass shards too", job, d.Name, d.Shards, defaults["shards"]))
			}
		}
	}
	return out
}

func workflowDefaults(root, file string) map[string]string {
	data, err := os.ReadFile(filepath.Join(root, ".github", "workflows", file))
	if err != nil {
		return nil
	}
	var wf struct {
		On struct {
			Call struct {
				Inputs map[string]struct {
					Default any `yaml:"default"`
				} `yaml:"inputs"`
			} `yaml:"workflow_call"`
		} `yaml:"on"`
	}
	if yaml.Unmarshal(data, &wf) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range wf.On.Call.Inputs {
		out[k] = fmt.Sprint(v.Default)
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func actionlintBin(t *testing.T, root string) string {
	if p, err := exec.LookPath("actionlint"); err == nil {
		return p
	}
	if p := filepath.Join(root, ".tools", "bin", "actionlint"); fileExists(p) {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("actionlint is missing: bash scripts/install-deps.sh installs it")
	}
	t.Log("actionlint not found: the actionlint half is skipped (bash scripts/install-deps.sh installs it)")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var includeRe = regexp.MustCompile(`^<!-- include (\S+) -->$`)

// Every template a guide shows is the real file: a fence after an
// <!-- include path --> line equals that file, and a whole workflow whose
// name is a template's carries the include.
func TestDocsIncludeTheRealTemplates(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{} // workflow name → template
	tmpls, _ := filepath.Glob(filepath.Join(root, "workflows-templates", "*.yml"))
	for _, p := range tmpls {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct{ Name string }
		if yaml.Unmarshal(data, &wf) == nil && wf.Name != "" {
			rel, _ := filepath.Rel(root, p)
			names[wf.Name] = filepath.ToSlash(rel)
		}
	}
	included := 0
	for _, f := range docFences(t, root) {
		data, err := os.ReadFile(filepath.Join(root, f.file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		var marker string
		if f.line >= 2 {
			if m := includeRe.FindStringSubmatch(strings.TrimSpace(lines[f.line-2])); m != nil {
				marker = m[1]
			}
		}
		if marker != "" {
			included++
			want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(marker)))
			if err != nil {
				t.Errorf("%s:%d: include %s: %v", f.file, f.line, marker, err)
				continue
			}
			if f.text != string(want) {
				t.Errorf("%s:%d: the block differs from %s: paste the file again", f.file, f.line, marker)
			}
			continue
		}
		if f.lang != "yaml" && f.lang != "yml" {
			continue
		}
		var wf struct {
			Name string
			Jobs map[string]any
		}
		if yaml.Unmarshal([]byte(f.text), &wf) == nil && wf.Jobs != nil {
			if tmpl, ok := names[wf.Name]; ok {
				t.Errorf("%s:%d: shows the template %s retyped: include it (<!-- include %s --> before the fence, the file's text inside)", f.file, f.line, tmpl, tmpl)
			}
		}
	}
	if included == 0 {
		t.Error("no guide includes a template: the include check found nothing to check")
	}
}

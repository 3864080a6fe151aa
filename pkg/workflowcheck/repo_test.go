package workflowcheck

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Repo is how this repository's workflows and templates name it in uses:.
const Repo = "org/timetracker-ci"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found above the package: %v", err)
	}
	return root
}

// repoWorkflows lists the files the repository's checks cover.
func repoWorkflows(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{filepath.Join(root, ".github", "workflows"), filepath.Join(root, "workflows-templates")} {
		fs, err := workflowFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	return files
}

// TestRepositoryWorkflows holds every workflow and template of this
// repository to the actions' action.yml files and to the reusable workflows'
// contracts, and to the pinning, permissions and injection rules.
func TestRepositoryWorkflows(t *testing.T) {
	root := repoRoot(t)
	ctx := context.Background()
	cs, err := LoadContracts(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ci-comprehensive.yml", "cd-development.yml", "cd-release.yml"} {
		if cs.Workflows[name] == nil {
			t.Errorf(".github/workflows/%s is missing or not on: workflow_call", name)
		}
	}
	files := repoWorkflows(t, root)
	for _, want := range []string{
		".github/workflows/ci.yml", ".github/workflows/release.yml",
		"workflows-templates/ci.yml", "workflows-templates/cd-development.yml", "workflows-templates/cd-release.yml",
		"workflows-templates/migration-check.yml", "workflows-templates/static-analysis.yml",
	} {
		if _, err := os.Stat(filepath.Join(root, want)); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	findings, err := CheckFiles(ctx, files, Options{Repo: Repo, Contracts: cs})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		rel, _ := filepath.Rel(root, f.File)
		f.File = filepath.ToSlash(rel)
		t.Error(f)
	}
}

// TestRepositoryUsesEveryAction: each action the pipeline promises is used
// by at least one reusable workflow, so a renamed input cannot go unnoticed.
func TestRepositoryUsesEveryAction(t *testing.T) {
	root := repoRoot(t)
	var all strings.Builder
	for _, f := range repoWorkflows(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	for _, a := range []string{"version", "test-plan", "test-report", "image", "manifest", "release"} {
		if !strings.Contains(all.String(), Repo+"/actions/"+a+"@") {
			t.Errorf("no workflow uses %s/actions/%s", Repo, a)
		}
	}
}

// TestTemplateProperties: every template has the .properties.json GitHub
// shows in the "new workflow" picker.
func TestTemplateProperties(t *testing.T) {
	root := repoRoot(t)
	dir := filepath.Join(root, "workflows-templates")
	tmpls, err := workflowFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	// dependabot/dependabot.yml is copied to .github/dependabot.yml: not a workflow template.
	if len(tmpls) < 5 {
		t.Fatalf("%d templates under workflows-templates/, want at least 5", len(tmpls))
	}
	for _, p := range tmpls {
		props := strings.TrimSuffix(p, filepath.Ext(p)) + ".properties.json"
		data, err := os.ReadFile(props)
		if err != nil {
			t.Errorf("%s has no properties file: %v", filepath.Base(p), err)
			continue
		}
		var v struct {
			Name        string   `json:"name"`
			Description string   `json:"description"`
			IconName    string   `json:"iconName"`
			Categories  []string `json:"categories"`
		}
		if err := json.Unmarshal(data, &v); err != nil || v.Name == "" || v.Description == "" || v.IconName == "" || len(v.Categories) == 0 {
			t.Errorf("%s: needs name, description, iconName and categories (err %v)", filepath.Base(props), err)
		}
	}
}

// TestConfigurationReference: every input, secret and output of the reusable
// workflows is in docs/configuration.md.
func TestConfigurationReference(t *testing.T) {
	root := repoRoot(t)
	cs, err := LoadContracts(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, file := range sortedKeys(cs.Workflows) {
		ct := cs.Workflows[file]
		if !strings.Contains(doc, "## "+file) {
			t.Errorf("docs/configuration.md has no section ## %s", file)
		}
		for _, names := range [][]string{ct.inputNames(), ct.secretNames(), sortedKeys(ct.Outputs)} {
			for _, n := range names {
				if !strings.Contains(doc, "`"+n+"`") {
					t.Errorf("docs/configuration.md does not describe %s's `%s`", file, n)
				}
			}
		}
	}
}

// TestDocsLinks: every relative link in docs/*.md points at a file of the
// repository, and the index links every guide.
func TestDocsLinks(t *testing.T) {
	root := repoRoot(t)
	guides, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) < 8 {
		t.Fatalf("%d guides under docs/, want at least 8", len(guides))
	}
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
	index, err := os.ReadFile(filepath.Join(root, "docs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range guides {
		base := filepath.Base(g)
		if base != "README.md" && !strings.Contains(string(index), "("+base+")") {
			t.Errorf("docs/README.md does not link %s", base)
		}
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(g), target)); err != nil {
				t.Errorf("%s links %s, which does not exist", base, target)
			}
		}
	}
}

// TestRepositoryRefsAgree: every reference to this repository in the
// workflows and templates names the same ref (@main while developing, the
// release tag in a release commit), so a release rewrite cannot miss one and
// a caller never mixes versions of the pipeline.
func TestRepositoryRefsAgree(t *testing.T) {
	root := repoRoot(t)
	ref := regexp.MustCompile(`(?i)(?:^|[^\w./-])` + regexp.QuoteMeta(Repo) + `/[^\s'"@]+@([^\s'"#@]+)`)
	refs := map[string][]string{}
	for _, f := range repoWorkflows(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for _, m := range ref.FindAllStringSubmatch(string(data), -1) {
			refs[m[1]] = append(refs[m[1]], filepath.ToSlash(rel))
		}
	}
	if len(refs) == 0 {
		t.Fatal("no reference to " + Repo + " in the workflows: the check found nothing to compare")
	}
	if len(refs) > 1 {
		for r, files := range refs {
			t.Errorf("@%s in %s", r, strings.Join(files, ", "))
		}
	}
}

// TestRepositoryPinsAgree: one third-party action is pinned to one commit,
// with one version comment, across every workflow and template, so an
// update (Dependabot's or by hand) cannot leave a stale copy behind.
func TestRepositoryPinsAgree(t *testing.T) {
	root := repoRoot(t)
	pin := regexp.MustCompile(`uses:\s*["']?([\w.-]+/[\w.-]+)(?:/[^@\s"']*)?@([0-9a-f]{40})["']?\s*#\s*(\S+)`)
	seen := map[string]map[string][]string{} // action → "sha # version" → files
	for _, f := range repoWorkflows(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for _, m := range pin.FindAllStringSubmatch(string(data), -1) {
			if seen[m[1]] == nil {
				seen[m[1]] = map[string][]string{}
			}
			key := m[2] + " # " + m[3]
			seen[m[1]][key] = append(seen[m[1]][key], filepath.ToSlash(rel))
		}
	}
	if len(seen) < 5 {
		t.Fatalf("only %d pinned actions found: the pattern no longer matches the workflows", len(seen))
	}
	for action, pins := range seen {
		if len(pins) > 1 {
			for k, files := range pins {
				t.Errorf("%s@%s in %s", action, k, strings.Join(files, ", "))
			}
		}
	}
}

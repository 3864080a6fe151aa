package workflowcheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// categories GitHub's picker groups templates under (actions/starter-workflows'
// README and its properties files); a template also names languages
// (Linguist) and tech stacks, which only rank it.
var pickerCategories = map[string]bool{
	"continuous-integration": true, "continuous integration": true, "deployment": true, "testing": true,
	"code-quality": true, "code-review": true, "dependency-management": true, "monitoring": true,
	"automation": true, "utilities": true, "pages": true, "code scanning": true,
}

// languagesAndStacks are the Linguist languages and starter-workflows tech
// stacks our templates may name (the full lists are GitHub's; extend this one
// from them when a template needs another).
var languagesAndStacks = map[string]bool{
	"python": true, "dockerfile": true, "flask": true, "django": true, "shell": true, "yaml": true, "kubernetes": true,
}

// TestPublishedTemplates: scripts/publish-templates.sh lays the templates out
// as GitHub reads them from an organisation's .github repository: the folder
// workflow-templates/ (singular), flat, every <name>.yml beside its
// <name>.properties.json, nothing else; file patterns that can match a file
// at the repository root (the only files GitHub matches them against);
// at least one picker category each.
func TestPublishedTemplates(t *testing.T) {
	root := repoRoot(t)
	dest := t.TempDir()
	out, err := exec.Command("bash", filepath.Join(root, "scripts", "publish-templates.sh"), dest).CombinedOutput()
	if err != nil {
		t.Fatalf("publish-templates.sh: %v\n%s", err, out)
	}
	dir := filepath.Join(dest, "workflow-templates")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ymls := map[string]bool{}
	props := map[string]bool{}
	for _, e := range entries {
		switch name := e.Name(); {
		case e.IsDir():
			t.Errorf("workflow-templates/%s/ is a folder: GitHub reads the folder flat", name)
		case strings.HasSuffix(name, ".properties.json"):
			props[strings.TrimSuffix(name, ".properties.json")] = true
		case strings.HasSuffix(name, ".yml"):
			ymls[strings.TrimSuffix(name, ".yml")] = true
		default:
			t.Errorf("workflow-templates/%s is neither a template nor its properties", name)
		}
	}
	if len(ymls) < 5 {
		t.Fatalf("%d templates published, want at least 5", len(ymls))
	}
	if ymls["dependabot"] {
		t.Error("dependabot.yml was published as a workflow template")
	}
	names := map[string]string{}
	for name := range ymls {
		if !props[name] {
			t.Errorf("%s.yml has no %s.properties.json", name, name)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name+".properties.json"))
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Name         string   `json:"name"`
			Categories   []string `json:"categories"`
			FilePatterns []string `json:"filePatterns"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s.properties.json: %v", name, err)
		}
		if other, dup := names[p.Name]; dup {
			t.Errorf("%s and %s share the name %q", name, other, p.Name)
		}
		names[p.Name] = name
		picker := false
		for _, c := range p.Categories {
			picker = picker || pickerCategories[strings.ToLower(c)]
			if !pickerCategories[strings.ToLower(c)] && !languagesAndStacks[strings.ToLower(c)] {
				t.Errorf("%s.properties.json: category %q is neither a picker category nor a Linguist language or tech stack", name, c)
			}
		}
		if !picker {
			t.Errorf("%s.properties.json: categories %v hold none of the picker's categories (Continuous integration, Deployment, Code Scanning, …)", name, p.Categories)
		}
		for _, fp := range p.FilePatterns {
			if _, err := regexp.Compile(fp); err != nil {
				t.Errorf("%s.properties.json: file pattern %q: %v", name, fp, err)
			}
			if strings.Contains(fp, "/") {
				t.Errorf("%s.properties.json: file pattern %q names a path below the root; GitHub matches the patterns against root files only", name, fp)
			}
		}
	}
	for name := range props {
		if !ymls[name] {
			t.Errorf("%s.properties.json has no template", name)
		}
	}
}

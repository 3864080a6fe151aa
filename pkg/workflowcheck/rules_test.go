package workflowcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/internal/messages"
)

// checkRuleFile runs the workflow checks, or the Dockerfile check, on one
// file of testdata/rules.
func checkRuleFile(t *testing.T, cs *Contracts, file string) []Finding {
	t.Helper()
	if strings.HasSuffix(file, ".Dockerfile") {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return CheckDockerfile(file, data)
	}
	fs, err := CheckFiles(context.Background(), []string{file}, Options{Repo: "org/timetracker-ci", Contracts: cs})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestRuleGolden: for each first-run rule, testdata/rules/<rule>/ holds a
// bad file, whose findings are recorded in bad.golden (go test -update
// rewrites it) and must include the rule, and a good file with no finding
// at all.
func TestRuleGolden(t *testing.T) {
	cs := testContracts(t)
	for rule := range RuleMessages {
		t.Run(rule, func(t *testing.T) {
			dir := filepath.Join("testdata", "rules", rule)
			bad, _ := filepath.Glob(filepath.Join(dir, "bad.*"))
			good, _ := filepath.Glob(filepath.Join(dir, "good.*"))
			var badFile, goodFile string
			for _, f := range bad {
				if filepath.Ext(f) != ".golden" {
					badFile = f
				}
			}
			if len(good) == 1 {
				goodFile = good[0]
			}
			if badFile == "" || goodFile == "" {
				t.Fatalf("%s needs a bad and a good example", dir)
			}
			fs := checkRuleFile(t, cs, badFile)
			hit := false
			for _, f := range fs {
				hit = hit || f.Rule == rule
			}
			if !hit {
				t.Errorf("%s: no %s finding", badFile, rule)
			}
			golden.CheckString(t, filepath.Join(dir, "bad.golden"), render(fs))
			if fs := checkRuleFile(t, cs, goodFile); len(fs) > 0 {
				t.Errorf("%s has findings:\n%s", goodFile, render(fs))
			}
		})
	}
}

// TestRuleMessagesDocumented: docs/troubleshooting.md explains every rule's
// message.
func TestRuleMessagesDocumented(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := messages.NormalizeDocs(string(guide))
	for rule, format := range RuleMessages {
		if !strings.Contains(doc, messages.NormalizeMessage(format)) {
			t.Errorf("docs/troubleshooting.md does not explain the %s message %q", rule, format)
		}
		if !strings.Contains(string(guide), "`"+rule+"`") {
			t.Errorf("docs/troubleshooting.md does not name the rule `%s`", rule)
		}
	}
}

// TestRepositoryDockerfiles holds this repository's Dockerfiles (the image
// and the example application's) to the platform-arg rule.
func TestRepositoryDockerfiles(t *testing.T) {
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "examples", "*", "Dockerfile*"))
	files = append(files, filepath.Join(root, "Dockerfile"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range CheckDockerfile(f, data) {
			rel, _ := filepath.Rel(root, fd.File)
			fd.File = filepath.ToSlash(rel)
			t.Error(fd)
		}
	}
}

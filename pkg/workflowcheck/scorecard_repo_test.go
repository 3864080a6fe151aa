package workflowcheck

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// acceptedScorecard reads testdata/scorecard-accepted.txt: findings the
// repository accepts, one per line as "file | rule | text in the message"
// after a comment line giving the reason. Each entry must still match a
// finding, so a fixed one is removed from the list.
func acceptedScorecard(t *testing.T) [][3]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "scorecard-accepted.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][3]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 3 {
			t.Fatalf("scorecard-accepted.txt: %q is not file | rule | text", line)
		}
		out = append(out, [3]string{parts[0], parts[1], parts[2]})
	}
	return out
}

// TestRepositoryScorecard holds our workflows and templates to Scorecard's
// Pinned-Dependencies, Token-Permissions and Dangerous-Workflow rules.
func TestRepositoryScorecard(t *testing.T) {
	root := repoRoot(t)
	accepted := acceptedScorecard(t)
	used := make([]bool, len(accepted))
	for _, file := range repoWorkflows(t, root) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wf, err := Parse(file, data)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		rel = filepath.ToSlash(rel)
		for _, f := range Scorecard(wf) {
			ok := false
			for i, a := range accepted {
				if a[0] == rel && a[1] == f.Rule && strings.Contains(f.Message, a[2]) {
					ok, used[i] = true, true
				}
			}
			if !ok {
				f.File = rel
				t.Error(f)
			}
		}
	}
	for i, a := range accepted {
		if !used[i] {
			t.Errorf("scorecard-accepted.txt lists %q, which no longer matches a finding: remove it", strings.Join(a[:], " | "))
		}
	}
}

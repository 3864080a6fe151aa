package workflowcheck

import (
	"os"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// TestPlatformsChoosable: no workflow or template of ours builds for a fixed
// list of platforms. arm64 hosted runners exist for public repositories
// only, so a caller (or this repository's maintainer) must be able to drop
// linux/arm64 through an input or a variable, without editing our files.
func TestPlatformsChoosable(t *testing.T) {
	root := repoRoot(t)
	for _, f := range repoWorkflows(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wf, err := Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range wf.Jobs {
			for _, s := range j.Steps {
				if !usesAction(s, "docker/build-push-action") {
					continue
				}
				p := yamlnode.Lookup(s.With, "platforms")
				if p != nil && !strings.Contains(p.Value, "${{") {
					t.Errorf("%s:%d: job %q builds for the fixed platforms %q: take them from an input or a variable", strings.TrimPrefix(f, root+"/"), p.Line, j.ID, p.Value)
				}
			}
		}
	}
}

package workflowcheck

import (
	"strings"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// Artifacts v4 are immutable per name within a run: "Re-run all jobs"
// (a new attempt of the same run) uploading a name again gets 409 Conflict,
// unless the name holds the attempt or overwrite: true replaces it.
const artifactRerunMsg = "upload-artifact name %q is uploaded again under the same name by \"Re-run all jobs\", which artifacts v4 refuses (409 Conflict): put ${{ github.run_attempt }} in the name, or set overwrite: true"

func (c *checker) checkArtifactRerun(j *Job) {
	for _, s := range j.Steps {
		if !usesAction(s, "actions/upload-artifact") {
			continue
		}
		name := "artifact" // the action's default
		if n := yamlnode.Lookup(s.With, "name"); n != nil {
			name = n.Value
		}
		if strings.Contains(name, "github.run_attempt") || isTrue(yamlnode.Lookup(s.With, "overwrite")) {
			continue
		}
		c.report(s.Uses, RuleArtifactRerun, artifactRerunMsg, name)
	}
}

package workflowcheck

import (
	"path"
	"strings"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// upload-artifact v4.4 and later glob with excludeHiddenFiles: the walk
// starts at each pattern's search root (the part before the first wildcard)
// and skips every item whose name starts with a dot, the root included. A
// pattern whose search root is a hidden folder (.lighthouseci/, a path under
// $RUNNER_TEMP/.cache/*) then matches nothing: "No files were found", or a
// failure under if-no-files-found: error, unless include-hidden-files: true.
// A file named literally is its own search root: .x/plan.json uploads.
const artifactHiddenMsg = "upload-artifact path %q searches from the hidden %q, which upload-artifact (v4.4 and later) skips with everything under it: set include-hidden-files: true, or upload from a folder whose name does not start with a dot"

func (c *checker) checkArtifactHidden(j *Job) {
	for _, s := range j.Steps {
		if !usesAction(s, "actions/upload-artifact") || isTrue(yamlnode.Lookup(s.With, "include-hidden-files")) {
			continue
		}
		p := yamlnode.Lookup(s.With, "path")
		if p == nil {
			continue
		}
		for _, line := range strings.Split(p.Value, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "!") {
				continue // an exclusion
			}
			// Expressions are not paths: ${{ runner.temp }} holds no dot.
			if root := searchRoot(exprRe.ReplaceAllString(line, "x")); strings.HasPrefix(root, ".") && root != "." && root != ".." {
				c.report(p, RuleArtifactHidden, artifactHiddenMsg, line, root)
				break
			}
		}
	}
}

// searchRoot is the name of the folder (or file) @actions/glob starts from:
// the last component before the first one holding a wildcard.
func searchRoot(pattern string) string {
	var kept []string
	for _, part := range strings.Split(strings.TrimSuffix(pattern, "/"), "/") {
		if strings.ContainsAny(part, "*?[") {
			break
		}
		kept = append(kept, part)
	}
	if len(kept) == 0 {
		return ""
	}
	return path.Base(strings.Join(kept, "/"))
}

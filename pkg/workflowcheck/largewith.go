package workflowcheck

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// Every with: input of a container action becomes one environment variable
// of `docker run`; Linux caps a single one at 128 KiB (MAX_ARG_STRLEN), so
// a value that grows with the project (the test plan, a toJSON dump) fails
// with "Argument list too long" once the project is large enough.
const largeWithMsg = "input %q of %s receives %s through with:, which the runner passes to a container action as one environment variable, capped by Linux at 128 KiB (\"Argument list too long\"): write it to a file in the workspace and pass the path"

// largeOutputs are outputs whose size grows with the project.
var largeOutputRe = lazyre.New(`\b(?:steps|needs)\.[A-Za-z_][\w-]*\.outputs(?:\.plan\b|\[\s*'plan'\s*\])|\btoJSON\s*\(`)

func (c *checker) checkLargeWith(j *Job) {
	for _, s := range j.Steps {
		if s.Uses == nil {
			continue
		}
		if kind, _ := c.ours(s.Uses.Value); kind != "action" && !strings.HasPrefix(s.Uses.Value, "docker://") {
			continue
		}
		yamlnode.EachPair(s.With, func(k, v *yaml.Node) {
			for _, m := range exprRe.FindAllStringSubmatch(v.Value, -1) {
				if largeOutputRe.MatchString(m[1]) {
					c.report(k, RuleLargeWith, largeWithMsg, k.Value, s.Uses.Value, m[0])
					return
				}
			}
		})
	}
}

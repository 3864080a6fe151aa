package workflowcheck

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// setup-python's cache keys on **/requirements.txt (pip) by default and
// fails the step when no file matches; when the requirements path is an
// input of the workflow, a caller who names another file fails every
// Python job unless cache-dependency-path follows the input.
const pipCacheMsg = "setup-python cache: %s without cache-dependency-path hashes the default files (**/requirements.txt for pip) and fails when there are none, yet the requirements path is the input %q here: pass cache-dependency-path built from that input"

func (c *checker) checkPipCache(j *Job) {
	input := c.requirementsInput()
	if input == "" {
		return
	}
	for _, s := range j.Steps {
		if !usesAction(s, "actions/setup-python") {
			continue
		}
		cache := yamlnode.Lookup(s.With, "cache")
		if cache == nil || cache.Value == "" || yamlnode.Lookup(s.With, "cache-dependency-path") != nil {
			continue
		}
		c.report(cache, RulePipCache, pipCacheMsg, cache.Value, input)
	}
}

// requirementsInput is the first input of the workflow (workflow_call or
// workflow_dispatch) whose name says it is a requirements file.
func (c *checker) requirementsInput() string {
	var found string
	for _, ev := range []string{"workflow_call", "workflow_dispatch"} {
		var inputs *yaml.Node
		if ev == "workflow_call" && c.wf.Call != nil {
			inputs = yamlnode.Lookup(c.wf.Call, "inputs")
		} else {
			inputs = yamlnode.Lookup(yamlnode.Lookup(c.wf.On, ev), "inputs")
		}
		yamlnode.EachPair(inputs, func(k, _ *yaml.Node) {
			if found == "" && strings.Contains(k.Value, "requirements") && !strings.Contains(k.Value, "test-requirements") {
				found = k.Value
			}
		})
	}
	return found
}

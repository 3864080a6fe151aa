package workflowcheck

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"

	"gopkg.in/yaml.v3"
)

// The runner drops every job output whose value contains a masked secret
// ("Skip output 'x' since it may contain secret"), silently: a job that
// produces outputs must not read a secret it does not need, since any value
// that happens to contain the secret's text (a Docker Hub user name that is
// also the image namespace) vanishes. GITHUB_TOKEN is exempt: it is masked
// in every job anyway and no output carries it.
const secretOutputsMsg = "job %q declares outputs: and reads secrets.%s: the runner drops every output whose value contains a secret (\"Skip output … since it may contain secret\"); read the secret in a job without outputs, and take a name that is not secret from vars or an input"

var secretRefRe = lazyre.New(`\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])`)

func (c *checker) checkSecretOutputs(j *Job) {
	if j.Outputs == nil || j.Outputs.Kind != yaml.MappingNode || len(j.Outputs.Content) == 0 {
		return
	}
	seen := map[string]bool{}
	walkExpressions(j.Node, false, func(_ *yaml.Node, expr string) {
		for _, m := range secretRefRe.FindAllStringSubmatch(expr, -1) {
			if name := first(m[1], m[2]); name != "GITHUB_TOKEN" {
				seen[name] = true
			}
		}
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.report(j.Key, RuleSecretOutputs, secretOutputsMsg, j.ID, n)
	}
}

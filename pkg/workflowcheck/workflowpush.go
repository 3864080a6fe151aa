package workflowcheck

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// GitHub refuses a push that adds or changes a file under
// .github/workflows/ unless the token holds the workflows permission
// ("refusing to allow a GitHub App to create or update workflow ... without
// `workflows` permission"), which the GITHUB_TOKEN can never be given. A job
// that commits everything (or workflow files) and pushes with the token
// actions/checkout kept is refused at the push, after whatever it did before.
const workflowPushMsg = "job %q commits with %q and pushes with the GITHUB_TOKEN that actions/checkout kept: GitHub refuses a push that adds or changes .github/workflows/ files without the workflows permission, which the GITHUB_TOKEN cannot have (\"refusing to allow a GitHub App to create or update workflow … without `workflows` permission\"): check out with a GitHub App token (actions/create-github-app-token with permission-workflows: write) or a token with the workflow scope"

var (
	gitPushRe = lazyre.New(`\bgit\s+(?:-C\s+\S+\s+)?push\b`)
	// A commit that can take workflow files: -a/--all, or after adding
	// everything or a path under .github.
	broadCommitRe = lazyre.New(`\bgit\s+(?:-C\s+\S+\s+)?(?:commit\b[^\n]*?\s(?:-[A-Za-z]*a[A-Za-z]*|--all)\b|add\b[^\n]*?\s(?:-A\b|--all\b|\.(?:\s|$)|\.github))`)
)

func (c *checker) checkWorkflowPush(j *Job) {
	var commit string
	pushes := false
	for _, s := range j.Steps {
		if s.Run == nil {
			continue
		}
		if m := broadCommitRe.FindString(s.Run.Value); m != "" && commit == "" {
			commit = strings.TrimSpace(m)
		}
		if gitPushRe.MatchString(s.Run.Value) {
			pushes = true
		}
	}
	if !pushes || commit == "" || !c.checkoutUsesGitHubToken(j) {
		return
	}
	c.report(j.Key, RuleWorkflowPush, workflowPushMsg, j.ID, commit)
}

// checkoutUsesGitHubToken: the job's checkout persists the GITHUB_TOKEN
// (no token: input, or github.token / secrets.GITHUB_TOKEN).
func (c *checker) checkoutUsesGitHubToken(j *Job) bool {
	for _, s := range j.Steps {
		if !usesAction(s, "actions/checkout") {
			continue
		}
		if p := yamlnode.Lookup(s.With, "persist-credentials"); p != nil && p.Value == "false" {
			continue
		}
		tok := yamlnode.Lookup(s.With, "token")
		if tok == nil || isGitHubToken(tok) {
			return true
		}
	}
	return false
}

var githubTokenRe = lazyre.New(`^\$\{\{\s*(?:github\.token|secrets\.GITHUB_TOKEN)\s*\}\}$`)

func isGitHubToken(n *yaml.Node) bool {
	return githubTokenRe.MatchString(strings.TrimSpace(n.Value))
}

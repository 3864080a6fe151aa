package doctor

import (
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"

	"github.com/org/timetracker-ci/pkg/workflowcheck"
)

var (
	secretRefRe = lazyre.New(`\bsecrets\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*'([^']+)'\s*\])`)
	exprRe      = lazyre.New(`(?s)\$\{\{.*?\}\}`)
	upperRe     = lazyre.New(`[A-Z]`)
)

// historyActions are our actions that read tags and commits.
var historyActions = map[string]bool{"version": true, "release": true}

// imageKeys are with: keys that name images.
var imageKeys = map[string]bool{"image": true, "images": true, "image-name": true}

func checkWorkflows(ctx context.Context, root *repo, o Options) ([]Finding, error) {
	entries, err := root.readDir(".github/workflows")
	if notExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading .github/workflows: %w", err)
	}
	var out []Finding
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml")) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rel := ".github/workflows/" + e.Name()
		data, err := root.read(rel)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		wf, err := workflowcheck.Parse(rel, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (fix the YAML first; actionlint shows where)", rel, err)
		}
		out = append(out, checkWorkflow(wf, o)...)
	}
	return out, nil
}

func checkWorkflow(wf *workflowcheck.Workflow, o Options) []Finding {
	var out []Finding
	top := yamlnode.Lookup(wf.Root, "permissions")
	if top != nil && isWriteAll(top) {
		out = append(out, rulePermissionsBroad.at(wf.File, top.Line, "the workflow's permissions are write-all"))
	}
	// Pins: workflowcheck's rule, without its other findings (they are
	// about this repository's own contracts).
	for _, f := range workflowcheck.Check(wf, workflowcheck.Options{Repo: o.Repo}) {
		if f.Rule == workflowcheck.RulePin {
			out = append(out, ruleUnpinned.at(wf.File, f.Line, "%s", f.Message))
		}
	}
	for _, j := range wf.Jobs {
		if j.Node.Kind != yaml.MappingNode {
			continue
		}
		switch {
		case j.Permissions == nil && top == nil:
			out = append(out, rulePermissionsMissing.at(wf.File, j.Key.Line, "job %q has no permissions, and the workflow sets none", j.ID))
		case j.Permissions != nil && isWriteAll(j.Permissions):
			out = append(out, rulePermissionsBroad.at(wf.File, j.Permissions.Line, "job %q has permissions: write-all", j.ID))
		}
		out = append(out, checkCheckouts(wf, j, o)...)
		out = append(out, checkImages(wf, j)...)
		if j.Outputs != nil && len(j.Outputs.Content) > 0 {
			if name, line := firstSecret(j.Node); name != "" {
				out = append(out, ruleSecretOutputs.at(wf.File, line, "job %q reads secrets.%s and has outputs", j.ID, name))
			}
		}
	}
	return out
}

// checkCheckouts reports a checkout without fetch-depth: 0 followed, in the
// same job, by an action that needs history.
func checkCheckouts(wf *workflowcheck.Workflow, j *workflowcheck.Job, o Options) []Finding {
	var shallow *workflowcheck.Step
	checkedOut := false
	for _, s := range j.Steps {
		if s.Uses == nil {
			continue
		}
		uses := s.Uses.Value
		if strings.HasPrefix(strings.ToLower(uses), "actions/checkout@") {
			shallow, checkedOut = s, true
			if d := yamlnode.Lookup(s.With, "fetch-depth"); d != nil && strings.TrimSpace(d.Value) == "0" {
				shallow = nil
			}
			continue
		}
		if name := ourAction(uses, o.Repo); historyActions[name] {
			if shallow != nil {
				return []Finding{ruleShallowCheckout.at(wf.File, shallow.Uses.Line, "the checkout in job %q has no fetch-depth: 0, and the %s action after it reads the history", j.ID, name)}
			}
			if !checkedOut {
				return []Finding{ruleShallowCheckout.at(wf.File, s.Uses.Line, "job %q runs the %s action with no checkout before it", j.ID, name)}
			}
		}
	}
	return nil
}

// ourAction is <name> for <repo>/actions/<name>@ref (or ./actions/<name>).
func ourAction(uses, repo string) string {
	path, _, _ := strings.Cut(uses, "@")
	if rest, ok := strings.CutPrefix(path, "./actions/"); ok {
		return rest
	}
	prefix := strings.ToLower(repo) + "/actions/"
	if strings.HasPrefix(strings.ToLower(path), prefix) {
		return path[len(prefix):]
	}
	return ""
}

// checkImages reports image names with upper case in with: values and
// the env of steps that call our actions or reusable workflows.
func checkImages(wf *workflowcheck.Workflow, j *workflowcheck.Job) []Finding {
	var out []Finding
	check := func(with *yaml.Node) {
		yamlnode.EachPair(with, func(k, v *yaml.Node) {
			if !imageKeys[k.Value] || v.Kind != yaml.ScalarNode {
				return
			}
			for i, l := range strings.Split(v.Value, "\n") {
				name := strings.TrimSpace(exprRe.ReplaceAllString(l, ""))
				name, _, _ = strings.Cut(name, "@") // a digest is lower-case hex anyway
				if upperRe.MatchString(name) {
					line := v.Line
					if v.Style == yaml.LiteralStyle || v.Style == yaml.FoldedStyle {
						line += i + 1
					}
					out = append(out, ruleImageUpper.at(wf.File, line, "image name %q has upper case", strings.TrimSpace(l)))
				}
			}
		})
	}
	check(j.With)
	for _, s := range j.Steps {
		check(s.With)
	}
	return out
}

// firstSecret is the first secret (other than GITHUB_TOKEN) a job's steps
// read, with its line.
func firstSecret(job *yaml.Node) (string, int) {
	type hit struct {
		name string
		line int
	}
	var hits []hit
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			for _, m := range secretRefRe.FindAllStringSubmatch(n.Value, -1) {
				name := m[1] + m[2]
				if name != "GITHUB_TOKEN" {
					hits = append(hits, hit{name, n.Line})
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	// The outputs themselves are not where the secret is read.
	for i := 0; i+1 < len(job.Content); i += 2 {
		if job.Content[i].Value != "outputs" {
			walk(job.Content[i+1])
		}
	}
	if len(hits) == 0 {
		return "", 0
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].line < hits[b].line })
	return hits[0].name, hits[0].line
}

func isWriteAll(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "write-all"
}

// CheckWorkflow applies the workflow rules to one parsed workflow (the
// docs check runs them on every example).
func CheckWorkflow(wf *workflowcheck.Workflow, o Options) []Finding {
	if o.Repo == "" {
		o.Repo = "org/timetracker-ci"
	}
	return checkWorkflow(wf, o)
}

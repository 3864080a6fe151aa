package workflowcheck

import (
	"cmp"
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// Finding is one problem, at a position in a workflow file.
type Finding struct {
	File    string
	Line    int
	Col     int
	Rule    string
	Message string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s]", f.File, f.Line, f.Col, f.Message, f.Rule)
}

// Rules, one per kind of finding.
const (
	RulePin            = "pin"
	RulePermissions    = "permissions"
	RuleRunInjection   = "run-injection"
	RuleLocalAction    = "local-action"
	RuleUnknownAction  = "unknown-action"
	RuleInput          = "input"
	RuleRequiredInput  = "required-input"
	RuleOutput         = "output"
	RuleStepRef        = "step-ref"
	RuleNeeds          = "needs"
	RuleSecret         = "secret"
	RuleRequiredSecret = "required-secret"
	RulePermission     = "caller-permissions"
)

// Options configures a check.
type Options struct {
	// Repo is how workflows refer to this repository in uses:, e.g.
	// "org/timetracker-ci". Matched case-insensitively, as GitHub does.
	Repo string
	// Contracts are the actions and reusable workflows callers are held to.
	Contracts *Contracts
}

// CheckFiles parses and checks every file.
func CheckFiles(ctx context.Context, paths []string, opts Options) ([]Finding, error) {
	var all []Finding
	for _, p := range paths {
		wf, err := readWorkflow(ctx, p)
		if err != nil {
			return nil, err
		}
		all = append(all, Check(wf, opts)...)
	}
	return all, nil
}

// readWorkflow reads and parses the workflow file at path.
func readWorkflow(ctx context.Context, path string) (*Workflow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading workflow: %w", err)
	}
	return Parse(path, data)
}

var (
	exprRe        = lazyre.New(`(?s)\$\{\{(.*?)\}\}`)
	stepOutRe     = lazyre.New(`\bsteps\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])`)
	stepRe        = lazyre.New(`\bsteps\.([A-Za-z_][\w-]*)`)
	needsOutRe    = lazyre.New(`\bneeds\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])`)
	needsRe       = lazyre.New(`\bneeds\.([A-Za-z_][\w-]*)`)
	jobsOutRe     = lazyre.New(`\bjobs\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])`)
	injectionRe   = lazyre.New(`\bgithub\s*(?:\.\s*(?:event|head_ref)\b|\[\s*'(?:event|head_ref)'\s*\])|(?:^|[^.\w-])inputs\s*[.\[]`)
	shaRe         = lazyre.New(`^[0-9a-f]{40}$`)
	digestRe      = lazyre.New(`@sha256:[0-9a-f]{64}$`)
	versionNoteRe = lazyre.New(`v?\d+(\.\d+)*`)
)

type checker struct {
	wf   *Workflow
	opts Options
	out  []Finding
	jobs map[string]*Job
}

// Check returns the findings for one workflow, sorted by position.
func Check(wf *Workflow, opts Options) []Finding {
	c := &checker{wf: wf, opts: opts, jobs: map[string]*Job{}}
	for _, j := range wf.Jobs {
		c.jobs[j.ID] = j
	}
	for _, j := range wf.Jobs {
		c.checkJob(j)
	}
	c.checkCallOutputs()
	return dedupe(c.out)
}

func (c *checker) report(n *yaml.Node, rule, format string, args ...any) {
	f := Finding{File: c.wf.File, Rule: rule, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		f.Line, f.Col = n.Line, n.Column
	}
	c.out = append(c.out, f)
}

func (c *checker) checkJob(j *Job) {
	if j.Node.Kind != yaml.MappingNode {
		return
	}
	if j.Permissions == nil {
		c.report(j.Key, RulePermissions, "job %q has no permissions: block: declare the least it needs (for example permissions: {contents: read})", j.ID)
	}
	if j.Uses != nil {
		c.checkUses(j.Uses, true)
		c.checkWorkflowCall(j)
	}
	for _, s := range j.Steps {
		if s.Uses != nil {
			c.checkUses(s.Uses, false)
			c.checkActionStep(s)
		}
		if s.Run != nil {
			c.checkRun(s.Run)
		}
	}
	c.checkExpressions(j)
	for _, rule := range jobRules {
		rule(c, j)
	}
}

// ours returns (kind, name) when uses refers to this repository:
// kind "action" for <repo>/actions/<name>@ref, "workflow" for
// <repo>/.github/workflows/<file>@ref.
func (c *checker) ours(uses string) (kind, name string) {
	// ./actions/<name> is this repository's action when the workflow lives here.
	if rest, ok := strings.CutPrefix(uses, "./actions/"); ok && !strings.Contains(rest, "/") {
		return "action", rest
	}
	if c.opts.Repo == "" {
		return "", ""
	}
	at := strings.LastIndex(uses, "@")
	if at < 0 {
		at = len(uses)
	}
	path := uses[:at]
	prefix := c.opts.Repo + "/"
	if len(path) <= len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
		if strings.EqualFold(path, c.opts.Repo) {
			return "root", ""
		}
		return "", ""
	}
	rest := path[len(prefix):]
	switch {
	case strings.HasPrefix(rest, "actions/"):
		return "action", strings.TrimPrefix(rest, "actions/")
	case strings.HasPrefix(rest, ".github/workflows/"):
		return "workflow", strings.TrimPrefix(rest, ".github/workflows/")
	}
	return "other", rest
}

func (c *checker) checkUses(n *yaml.Node, job bool) {
	uses := n.Value
	switch {
	case strings.HasPrefix(uses, "./"):
		if c.wf.Reusable() {
			c.report(n, RuleLocalAction, "%s in a reusable workflow resolves in the caller's workspace, not in this repository: use %s/%s@<ref>", uses, orRepo(c.opts.Repo), strings.TrimPrefix(uses, "./"))
		}
		return
	case strings.HasPrefix(uses, "docker://"):
		if !digestRe.MatchString(uses) {
			c.report(n, RulePin, "%s is not pinned to a digest: use docker://<image>@sha256:<digest>", uses)
		}
		return
	}
	if kind, _ := c.ours(uses); kind != "" {
		return
	}
	at := strings.LastIndex(uses, "@")
	if at < 0 || !shaRe.MatchString(uses[at+1:]) {
		name := uses
		if at >= 0 {
			name = uses[:at]
		}
		c.report(n, RulePin, "%s is not pinned to a full commit SHA: use %s@<40-hex commit> # <version>", uses, name)
		return
	}
	if !versionNoteRe.MatchString(n.LineComment) {
		c.report(n, RulePin, "%s is pinned without a version comment: add the release it is, e.g. # v4.2.2", uses)
	}
}

func orRepo(r string) string {
	if r == "" {
		return "<owner>/<repo>"
	}
	return r
}

func (c *checker) checkActionStep(s *Step) {
	kind, name := c.ours(s.Uses.Value)
	if kind != "action" || c.opts.Contracts == nil {
		return
	}
	ct := c.opts.Contracts.Actions[name]
	if ct == nil {
		c.report(s.Uses, RuleUnknownAction, "%s: there is no actions/%s/action.yml in this repository", s.Uses.Value, name)
		return
	}
	passed := map[string]bool{}
	yamlnode.EachPair(s.With, func(k, _ *yaml.Node) {
		passed[k.Value] = true
		if _, ok := ct.Inputs[k.Value]; !ok {
			c.report(k, RuleInput, "input %q is not declared by actions/%s/action.yml (it declares: %s)", k.Value, name, strings.Join(ct.inputNames(), ", "))
		}
	})
	for _, in := range ct.inputNames() {
		p := ct.Inputs[in]
		if p.Required && !p.HasDefault && !passed[in] {
			c.report(s.Uses, RuleRequiredInput, "required input %q of actions/%s is not passed in with:", in, name)
		}
	}
}

func (c *checker) checkWorkflowCall(j *Job) {
	kind, file := c.ours(j.Uses.Value)
	if kind != "workflow" || c.opts.Contracts == nil {
		return
	}
	ct := c.opts.Contracts.Workflows[file]
	if ct == nil {
		c.report(j.Uses, RuleUnknownAction, "%s: there is no reusable workflow .github/workflows/%s (with on: workflow_call) in this repository", j.Uses.Value, file)
		return
	}
	passed := map[string]bool{}
	yamlnode.EachPair(j.With, func(k, _ *yaml.Node) {
		passed[k.Value] = true
		if _, ok := ct.Inputs[k.Value]; !ok {
			c.report(k, RuleInput, "input %q is not declared by the reusable workflow %s (it declares: %s)", k.Value, file, strings.Join(ct.inputNames(), ", "))
		}
	})
	for _, in := range ct.inputNames() {
		p := ct.Inputs[in]
		if p.Required && !p.HasDefault && !passed[in] {
			c.report(j.Uses, RuleRequiredInput, "required input %q of the reusable workflow %s is not passed in with:", in, file)
		}
	}
	// The caller's grant (the job's, else the workflow's) must cover what the
	// called jobs ask for, or the run fails before any job starts.
	grant := j.Permissions
	if grant == nil {
		grant = yamlnode.Lookup(c.wf.Root, "permissions")
	}
	if grant != nil {
		have := permissionLevels(grant)
		for _, scope := range sortedKeys(ct.Permissions) {
			if need := ct.Permissions[scope]; rank(have[scope]) < rank(need) {
				c.report(j.Uses, RulePermission, "the reusable workflow %s needs %s: %s, which job %q does not grant in permissions:", file, scope, need, j.ID)
			}
		}
	}
	if j.Secrets != nil && j.Secrets.Kind == yaml.ScalarNode && j.Secrets.Value == "inherit" {
		return
	}
	given := map[string]bool{}
	yamlnode.EachPair(j.Secrets, func(k, _ *yaml.Node) {
		given[k.Value] = true
		if _, ok := ct.Secrets[k.Value]; !ok {
			c.report(k, RuleSecret, "secret %q is not declared by the reusable workflow %s (it declares: %s)", k.Value, file, strings.Join(ct.secretNames(), ", "))
		}
	})
	for _, s := range ct.secretNames() {
		if ct.Secrets[s].Required && !given[s] {
			c.report(j.Uses, RuleRequiredSecret, "required secret %q of the reusable workflow %s is not passed in secrets:", s, file)
		}
	}
}

func (c *checker) checkRun(n *yaml.Node) {
	for _, m := range exprRe.FindAllStringSubmatch(n.Value, -1) {
		if injectionRe.MatchString(m[1]) {
			c.report(n, RuleRunInjection, "run: expands %s directly into the script, which lets that text run as code: pass it through env: and use \"$NAME\"", strings.TrimSpace(m[0]))
		}
	}
}

// checkExpressions follows steps.<id>.outputs, needs.<job>.outputs and the
// job's own outputs through every expression of the job.
func (c *checker) checkExpressions(j *Job) {
	steps := map[string]*Step{}
	for _, s := range j.Steps {
		if s.ID != "" {
			steps[s.ID] = s
		}
	}
	needs := map[string]bool{}
	for _, n := range j.Needs {
		needs[n] = true
	}
	walkExpressions(j.Node, false, func(n *yaml.Node, expr string) {
		if j.Uses == nil {
			for _, m := range stepRe.FindAllStringSubmatch(expr, -1) {
				if steps[m[1]] == nil {
					c.report(n, RuleStepRef, "steps.%s: job %q has no step with id %q", m[1], j.ID, m[1])
				}
			}
			for _, m := range stepOutRe.FindAllStringSubmatch(expr, -1) {
				c.checkStepOutput(n, steps[m[1]], m[1], first(m[2], m[3]))
			}
		}
		for _, m := range needsRe.FindAllStringSubmatch(expr, -1) {
			if !needs[m[1]] {
				c.report(n, RuleNeeds, "needs.%s: job %q does not list %q in needs:", m[1], j.ID, m[1])
			}
		}
		for _, m := range needsOutRe.FindAllStringSubmatch(expr, -1) {
			if needs[m[1]] {
				c.checkJobOutput(n, m[1], first(m[2], m[3]))
			}
		}
	})
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *checker) checkStepOutput(n *yaml.Node, s *Step, id, out string) {
	if s == nil || s.Uses == nil || c.opts.Contracts == nil {
		return
	}
	kind, name := c.ours(s.Uses.Value)
	if kind != "action" {
		return
	}
	ct := c.opts.Contracts.Actions[name]
	if ct == nil {
		return // reported at the step
	}
	if !ct.Outputs[out] {
		c.report(n, RuleOutput, "steps.%s.outputs.%s: actions/%s/action.yml declares no output %q (it declares: %s)", id, out, name, out, strings.Join(sortedKeys(ct.Outputs), ", "))
	}
}

func (c *checker) checkJobOutput(n *yaml.Node, jobID, out string) {
	j := c.jobs[jobID]
	if j == nil {
		return // actionlint reports unknown jobs in needs:
	}
	if j.Uses != nil {
		kind, file := c.ours(j.Uses.Value)
		if kind != "workflow" || c.opts.Contracts == nil {
			return
		}
		if ct := c.opts.Contracts.Workflows[file]; ct != nil && !ct.Outputs[out] {
			c.report(n, RuleOutput, "needs.%s.outputs.%s: the reusable workflow %s declares no output %q (it declares: %s)", jobID, out, file, out, strings.Join(sortedKeys(ct.Outputs), ", "))
		}
		return
	}
	if yamlnode.Lookup(j.Outputs, out) == nil {
		c.report(n, RuleOutput, "needs.%s.outputs.%s: job %q declares no output %q in outputs:", jobID, out, jobID, out)
	}
}

// checkCallOutputs holds on.workflow_call.outputs to the jobs' outputs.
func (c *checker) checkCallOutputs() {
	if c.wf.Call == nil {
		return
	}
	yamlnode.EachPair(yamlnode.Lookup(c.wf.Call, "outputs"), func(_, v *yaml.Node) {
		walkExpressions(v, false, func(n *yaml.Node, expr string) {
			for _, m := range jobsOutRe.FindAllStringSubmatch(expr, -1) {
				out := first(m[2], m[3])
				j := c.jobs[m[1]]
				if j == nil {
					c.report(n, RuleOutput, "jobs.%s.outputs.%s: there is no job %q in this workflow", m[1], out, m[1])
					continue
				}
				if j.Uses == nil && yamlnode.Lookup(j.Outputs, out) == nil {
					c.report(n, RuleOutput, "jobs.%s.outputs.%s: job %q declares no output %q in outputs:", m[1], out, m[1], out)
				}
			}
		})
	})
}

// walkExpressions calls fn with the text of every ${{ }} expression under n,
// and with the whole value of every if: (an implicit expression).
func walkExpressions(n *yaml.Node, isIf bool, fn func(*yaml.Node, string)) {
	switch n.Kind {
	case yaml.ScalarNode:
		if isIf && !strings.Contains(n.Value, "${{") {
			fn(n, n.Value)
			return
		}
		for _, m := range exprRe.FindAllStringSubmatch(n.Value, -1) {
			fn(n, m[1])
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkExpressions(n.Content[i+1], n.Content[i].Value == "if", fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walkExpressions(c, false, fn)
		}
	}
}

func dedupe(fs []Finding) []Finding {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Message, b.Message)) < 0
	})
	out := fs[:0]
	for i, f := range fs {
		if i > 0 && f == fs[i-1] {
			continue
		}
		out = append(out, f)
	}
	return out
}

package workflowcheck

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// Workflow is a parsed workflow file, keeping the YAML nodes so that every
// finding points at a line and column.
type Workflow struct {
	File string
	Root *yaml.Node // the top-level mapping
	On   *yaml.Node
	Call *yaml.Node // on.workflow_call when the workflow is reusable (may be an empty scalar)
	Jobs []*Job
}

// Job is one entry of jobs:.
type Job struct {
	ID          string
	Key         *yaml.Node
	Node        *yaml.Node
	Permissions *yaml.Node
	Uses        *yaml.Node // a reusable workflow call
	With        *yaml.Node
	Secrets     *yaml.Node
	Outputs     *yaml.Node
	Needs       []string
	Steps       []*Step
}

// Step is one entry of a job's steps:.
type Step struct {
	ID   string
	Node *yaml.Node
	Uses *yaml.Node
	With *yaml.Node
	Run  *yaml.Node
}

// Reusable reports whether the workflow can be called with on: workflow_call.
func (w *Workflow) Reusable() bool { return w.Call != nil }

// Parse reads a workflow file. Structural problems that actionlint reports
// (unknown keys, wrong types deeper down) are left to it; Parse only needs
// the shape it walks.
func Parse(file string, data []byte) (*Workflow, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("workflow %s: %w", file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("workflow %s is not a YAML mapping: a workflow starts with the keys on and jobs", file)
	}
	w := &Workflow{File: file, Root: doc.Content[0]}
	w.On = yamlnode.Lookup(w.Root, "on")
	w.Call = workflowCall(w.On)
	jobs := yamlnode.Lookup(w.Root, "jobs")
	if jobs == nil {
		return w, nil
	}
	if jobs.Kind != yaml.MappingNode {
		return nil, errors.New("workflow jobs: must be a mapping of job ids to jobs")
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		k, v := jobs.Content[i], jobs.Content[i+1]
		j := &Job{ID: k.Value, Key: k, Node: v}
		if v.Kind == yaml.MappingNode {
			j.Permissions = yamlnode.Lookup(v, "permissions")
			j.Uses = yamlnode.Lookup(v, "uses")
			j.With = yamlnode.Lookup(v, "with")
			j.Secrets = yamlnode.Lookup(v, "secrets")
			j.Outputs = yamlnode.Lookup(v, "outputs")
			j.Needs = stringList(yamlnode.Lookup(v, "needs"))
			if steps := yamlnode.Lookup(v, "steps"); steps != nil && steps.Kind == yaml.SequenceNode {
				for _, s := range steps.Content {
					if s.Kind != yaml.MappingNode {
						continue
					}
					st := &Step{Node: s, Uses: yamlnode.Lookup(s, "uses"), With: yamlnode.Lookup(s, "with"), Run: yamlnode.Lookup(s, "run")}
					if id := yamlnode.Lookup(s, "id"); id != nil {
						st.ID = id.Value
					}
					j.Steps = append(j.Steps, st)
				}
			}
		}
		w.Jobs = append(w.Jobs, j)
	}
	return w, nil
}

// Contract is what callers of a reusable workflow may pass and read; nil
// when the workflow is not reusable.
func (w *Workflow) Contract() *Contract {
	if w.Call == nil {
		return nil
	}
	c := &Contract{Inputs: map[string]Param{}, Secrets: map[string]Param{}, Outputs: map[string]bool{}}
	yamlnode.EachPair(yamlnode.Lookup(w.Call, "inputs"), func(k, v *yaml.Node) {
		c.Inputs[k.Value] = Param{Required: isTrue(yamlnode.Lookup(v, "required")), HasDefault: yamlnode.Lookup(v, "default") != nil}
	})
	yamlnode.EachPair(yamlnode.Lookup(w.Call, "secrets"), func(k, v *yaml.Node) {
		c.Secrets[k.Value] = Param{Required: isTrue(yamlnode.Lookup(v, "required"))}
	})
	yamlnode.EachPair(yamlnode.Lookup(w.Call, "outputs"), func(k, _ *yaml.Node) { c.Outputs[k.Value] = true })
	c.Permissions = map[string]string{}
	for _, j := range w.Jobs {
		for scope, level := range permissionLevels(j.Permissions) {
			if rank(level) > rank(c.Permissions[scope]) {
				c.Permissions[scope] = level
			}
		}
	}
	return c
}

// permissionScopes are the scopes read-all and write-all stand for.
var permissionScopes = []string{"actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token",
	"issues", "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"}

// permissionLevels reads a permissions: value into scope → level.
func permissionLevels(n *yaml.Node) map[string]string {
	out := map[string]string{}
	if n == nil {
		return out
	}
	if n.Kind == yaml.ScalarNode {
		level := map[string]string{"read-all": "read", "write-all": "write"}[n.Value]
		if level != "" {
			for _, s := range permissionScopes {
				out[s] = level
			}
		}
		return out
	}
	yamlnode.EachPair(n, func(k, v *yaml.Node) { out[k.Value] = v.Value })
	return out
}

func rank(level string) int {
	switch level {
	case "read":
		return 1
	case "write":
		return 2
	}
	return 0
}

func workflowCall(on *yaml.Node) *yaml.Node {
	if on == nil {
		return nil
	}
	switch on.Kind {
	case yaml.ScalarNode:
		if on.Value == "workflow_call" {
			return &yaml.Node{Kind: yaml.MappingNode}
		}
	case yaml.SequenceNode:
		for _, n := range on.Content {
			if n.Value == "workflow_call" {
				return &yaml.Node{Kind: yaml.MappingNode}
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(on.Content); i += 2 {
			if on.Content[i].Value == "workflow_call" {
				if v := on.Content[i+1]; v.Kind == yaml.MappingNode {
					return v
				}
				return &yaml.Node{Kind: yaml.MappingNode}
			}
		}
	}
	return nil
}

// stringList reads a scalar or a sequence of scalars.
func stringList(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		return out
	}
	return nil
}

func isTrue(n *yaml.Node) bool { return n != nil && n.Kind == yaml.ScalarNode && n.Value == "true" }

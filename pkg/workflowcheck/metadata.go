package workflowcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
)

// Param is a declared input or secret.
type Param struct {
	Required   bool
	HasDefault bool
}

// Contract is what a caller may pass to, and read from, an action or a
// reusable workflow.
type Contract struct {
	Name    string // action name (directory) or workflow file name
	Inputs  map[string]Param
	Secrets map[string]Param // reusable workflows only
	Outputs map[string]bool
	// Permissions a caller must grant (reusable workflows only): for each
	// scope, the most any of its jobs asks for.
	Permissions map[string]string
}

// Contracts holds the actions and reusable workflows of this repository.
type Contracts struct {
	Actions   map[string]*Contract // by directory name under actions/
	Workflows map[string]*Contract // by file name under .github/workflows/, reusable ones only
}

// ParseActionMetadata reads the inputs and outputs of an action.yml.
func ParseActionMetadata(name string, data []byte) (*Contract, error) {
	var doc struct {
		Inputs  map[string]yaml.Node `yaml:"inputs"`
		Outputs map[string]yaml.Node `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("action %s: %w", name, err)
	}
	c := &Contract{Name: name, Inputs: map[string]Param{}, Outputs: map[string]bool{}}
	for k, v := range doc.Inputs {
		var in struct {
			Required bool      `yaml:"required"`
			Default  yaml.Node `yaml:"default"`
		}
		if err := v.Decode(&in); err != nil {
			return nil, fmt.Errorf("action %s: input %s: %w", name, k, err)
		}
		c.Inputs[k] = Param{Required: in.Required, HasDefault: in.Default.Kind != 0}
	}
	for k := range doc.Outputs {
		c.Outputs[k] = true
	}
	return c, nil
}

// LoadContracts reads actions/*/action.yml and the reusable workflows under
// .github/workflows/ of the repository at root.
func LoadContracts(ctx context.Context, root string) (*Contracts, error) {
	cs := &Contracts{Actions: map[string]*Contract{}, Workflows: map[string]*Contract{}}
	metas, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil {
		return nil, err
	}
	for _, p := range metas {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading action metadata: %w", err)
		}
		name := filepath.Base(filepath.Dir(p))
		c, err := ParseActionMetadata(name, data)
		if err != nil {
			return nil, err
		}
		cs.Actions[name] = c
	}
	wfs, err := workflowFiles(filepath.Join(root, ".github", "workflows"))
	if err != nil {
		return nil, err
	}
	for _, p := range wfs {
		wf, err := readWorkflow(ctx, p)
		if err != nil {
			return nil, err
		}
		if c := wf.Contract(); c != nil {
			cs.Workflows[filepath.Base(p)] = c
		}
	}
	return cs, nil
}

// workflowFiles lists *.yml and *.yaml directly in dir, sorted; a missing
// directory has none.
func workflowFiles(dir string) ([]string, error) {
	var out []string
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	return out, nil
}

func (c *Contract) inputNames() []string  { return sortedKeys(c.Inputs) }
func (c *Contract) secretNames() []string { return sortedKeys(c.Secrets) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

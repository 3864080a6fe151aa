package action

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Metadata is the part of an action.yml that the runtime and the catalog use.
type Metadata struct {
	Name        string
	Description string
	Author      string
	Branding    Branding
	Inputs      []Input
	Outputs     []Output
	Runs        Runs
}

// Branding is the Marketplace icon and colour.
type Branding struct {
	Icon  string `yaml:"icon"`
	Color string `yaml:"color"`
}

// Input is one declared input, in the order of the file.
type Input struct {
	Name               string
	Description        string
	Required           bool
	Default            string
	HasDefault         bool
	DeprecationMessage string
}

// Output is one declared output, in the order of the file.
type Output struct {
	Name        string
	Description string
}

// Runs is the runs: section of a container action.
type Runs struct {
	Using string            `yaml:"using"`
	Image string            `yaml:"image"`
	Args  []string          `yaml:"args"`
	Env   map[string]string `yaml:"env"`
}

// Secret reports whether the input holds a credential that must be masked.
func (in Input) Secret() bool { return isSecretName(in.Name) }

// Boolean reports whether the input is a flag (its default is a boolean),
// which lets the command line accept --name without a value.
func (in Input) Boolean() bool {
	_, err := parseBool(in.Default)
	return in.HasDefault && err == nil
}

// Input returns the declared input of that name.
func (m *Metadata) Input(name string) (Input, bool) {
	for _, in := range m.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// Output returns the declared output of that name.
func (m *Metadata) Output(name string) (Output, bool) {
	for _, out := range m.Outputs {
		if out.Name == name {
			return out, true
		}
	}
	return Output{}, false
}

// Preparsed is an action.yml decoded ahead of time: Meta is what
// ParseMetadata returns for the file whose MetadataDigest is Source.
type Preparsed struct {
	Source string
	Meta   *Metadata
}

// MetadataDigest identifies an action.yml's content (hex SHA-256).
func MetadataDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ParseMetadata decodes an action.yml, keeping the order of inputs and
// outputs so that help texts and the catalog follow the file.
func ParseMetadata(data []byte) (*Metadata, error) {
	var doc struct {
		Name        string    `yaml:"name"`
		Description string    `yaml:"description"`
		Author      string    `yaml:"author"`
		Branding    Branding  `yaml:"branding"`
		Inputs      yaml.Node `yaml:"inputs"`
		Outputs     yaml.Node `yaml:"outputs"`
		Runs        Runs      `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	m := &Metadata{Name: doc.Name, Description: doc.Description, Author: doc.Author, Branding: doc.Branding, Runs: doc.Runs}
	err := eachMapping(&doc.Inputs, func(name string, v *yaml.Node) error {
		var in struct {
			Description        string    `yaml:"description"`
			Required           bool      `yaml:"required"`
			Default            yaml.Node `yaml:"default"`
			DeprecationMessage string    `yaml:"deprecationMessage"`
		}
		if err := v.Decode(&in); err != nil {
			return fmt.Errorf("action.yml: input %s: %w", name, err)
		}
		input := Input{Name: name, Description: in.Description, Required: in.Required, DeprecationMessage: in.DeprecationMessage}
		if in.Default.Kind != 0 {
			input.Default, input.HasDefault = in.Default.Value, true
		}
		m.Inputs = append(m.Inputs, input)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachMapping(&doc.Outputs, func(name string, v *yaml.Node) error {
		var out struct {
			Description string `yaml:"description"`
		}
		if err := v.Decode(&out); err != nil {
			return fmt.Errorf("action.yml: output %s: %w", name, err)
		}
		m.Outputs = append(m.Outputs, Output{Name: name, Description: out.Description})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func eachMapping(n *yaml.Node, fn func(string, *yaml.Node) error) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errors.New("action.yml: inputs and outputs must be mappings")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := fn(n.Content[i].Value, n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Lint returns the problems that make metadata unfit to publish: the
// catalog and the Marketplace need every field described.
func (m *Metadata) Lint() []string {
	var probs []string
	if m.Name == "" {
		probs = append(probs, "missing name")
	}
	if m.Description == "" {
		probs = append(probs, "missing description")
	}
	if m.Author == "" {
		probs = append(probs, "missing author")
	}
	if m.Branding.Icon == "" || m.Branding.Color == "" {
		probs = append(probs, "missing branding icon or color")
	}
	// A description is plain text: act refuses an expression in one
	// ("expressions are not allowed here") and GitHub shows it unexpanded.
	if strings.Contains(m.Description, "${{") {
		probs = append(probs, "the description holds an expression (${{ … }}): write it without one")
	}
	for _, in := range m.Inputs {
		if in.Description == "" {
			probs = append(probs, "input "+in.Name+" has no description")
		}
		if strings.Contains(in.Description, "${{") {
			probs = append(probs, "input "+in.Name+"'s description holds an expression (${{ … }}): write it without one")
		}
	}
	for _, out := range m.Outputs {
		if out.Description == "" {
			probs = append(probs, "output "+out.Name+" has no description")
		}
		if strings.Contains(out.Description, "${{") {
			probs = append(probs, "output "+out.Name+"'s description holds an expression (${{ … }}): write it without one")
		}
	}
	if m.Runs.Using != "docker" {
		probs = append(probs, "runs.using must be docker")
	}
	return probs
}

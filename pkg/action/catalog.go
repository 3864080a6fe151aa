package action

import (
	"fmt"
	"sort"
	"strings"
)

// Catalog renders action-catalog.md: for every action its purpose, a usage
// example, and its inputs and outputs, straight from the action.yml files.
func Catalog(repo, ref string, actions []*Action) (string, error) {
	acts := append([]*Action(nil), actions...)
	sort.Slice(acts, func(i, j int) bool { return acts[i].Name < acts[j].Name })
	var b strings.Builder
	b.WriteString("# Action catalog\n\n<!-- Generated from actions/*/action.yml by `timetracker-ci catalog`; do not edit by hand. -->\n\n")
	b.WriteString("Every action runs from one prebuilt image and also runs locally as `timetracker-ci <action> --<input> value`.\n\n")
	for _, a := range acts {
		fmt.Fprintf(&b, "- [%s](#%s)\n", a.Name, a.Name)
	}
	for _, a := range acts {
		m, err := a.Meta()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** %s\n\n", a.Name, strings.TrimSpace(m.Name), strings.TrimSpace(m.Description))
		fmt.Fprintf(&b, "```yaml\n- id: %s\n  uses: %s/actions/%s@%s\n", strings.ReplaceAll(a.Name, "-", "_"), repo, a.Name, ref)
		var with []string
		for _, in := range m.Inputs {
			if in.Required {
				with = append(with, fmt.Sprintf("    %s: ${{ %s }}", in.Name, placeholder(in)))
			}
		}
		if len(with) > 0 {
			b.WriteString("  with:\n" + strings.Join(with, "\n") + "\n")
		}
		b.WriteString("```\n\nLocally: `timetracker-ci " + a.Name + " --help`.\n\n")
		if len(m.Inputs) > 0 {
			b.WriteString("### Inputs\n\n| input | required | default | description |\n|---|---|---|---|\n")
			for _, in := range m.Inputs {
				b.WriteString(inputRow(in))
			}
			b.WriteString("\n")
		}
		if len(m.Outputs) > 0 {
			b.WriteString("### Outputs\n\n| output | description |\n|---|---|\n")
			for _, out := range m.Outputs {
				fmt.Fprintf(&b, "| `%s` | %s |\n", out.Name, cell(out.Description))
			}
		}
	}
	return b.String(), nil
}

// inputRow is the catalog's table row for one input.
func inputRow(in Input) string {
	req := "no"
	if in.Required {
		req = "**yes**"
	}
	def := ""
	if in.Default != "" {
		def = "`" + cell(in.Default) + "`"
	}
	return fmt.Sprintf("| `%s` | %s | %s | %s |\n", in.Name, req, def, cell(in.Description))
}

func placeholder(in Input) string {
	if in.Secret() {
		return "secrets.GITHUB_TOKEN"
	}
	return "inputs." + strings.ReplaceAll(in.Name, "-", "_")
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n\n", "<br>")
	return strings.ReplaceAll(s, "\n", " ")
}

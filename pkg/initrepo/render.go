package initrepo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/yamlnode"
)

// File is one file init writes, relative to the repository root.
type File struct {
	Path    string
	Content []byte
}

// Repo is how the templates name timetracker-ci.
const Repo = "org/timetracker-ci"

var ourUsesRe = lazyre.New(`^` + regexp.QuoteMeta(Repo) + `/(\.github/workflows/[^@]+)@.*$`)

// inputs are the with: keys init sets, per reusable workflow, from Facts.
var inputs = map[string][]string{
	".github/workflows/ci-comprehensive.yml": {"python-version", "requirements", "test-requirements", "migrations", "flask-app", "image", "container-port", "health-path"},
	".github/workflows/cd-release.yml":       {"python-version", "requirements", "test-requirements", "migrations", "flask-app", "image", "container-port", "health-path"},
	".github/workflows/cd-development.yml":   {"python-version", "requirements", "image"},
}

// Render turns the templates (ci.yml, ci-report.yml, cd-development.yml,
// cd-release.yml, migration-check.yml when the repository has migrations,
// static-analysis.yml, dependabot/dependabot.yml) into the repository's
// files, calling timetracker-ci at ref. ci-report.yml reports pull requests
// from forks, whose CI run has a read-only token (ci.yml says so).
func Render(f Facts, templates fs.FS, ref string) ([]File, error) {
	if ref == "" || strings.ContainsAny(ref, " \t\n@") {
		return nil, fmt.Errorf("ref %q is not a tag or branch: give the release to pin, e.g. v1.2.0", ref)
	}
	names := []string{"ci.yml", "ci-report.yml", "cd-development.yml", "cd-release.yml"}
	if f.Migrations {
		names = append(names, "migration-check.yml")
	}
	names = append(names, "static-analysis.yml")
	var out []File
	for _, n := range names {
		src, err := fs.ReadFile(templates, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		data, err := renderWorkflow(src, f, ref)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		out = append(out, File{Path: ".github/workflows/" + n, Content: stamp(data, ref)})
	}
	src, err := fs.ReadFile(templates, "dependabot/dependabot.yml")
	if err != nil {
		return nil, fmt.Errorf("template dependabot.yml: %w", err)
	}
	data, err := renderDependabot(src, f)
	if err != nil {
		return nil, fmt.Errorf("template dependabot.yml: %w", err)
	}
	out = append(out, File{Path: ".github/dependabot.yml", Content: stamp(data, ref)})
	return out, nil
}

func renderWorkflow(src []byte, f Facts, ref string) ([]byte, error) {
	text := strings.ReplaceAll(string(src), "$default-branch", f.DefaultBranch)
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	yamlnode.EachPair(yamlnode.Lookup(root, "jobs"), func(_, job *yaml.Node) {
		uses := yamlnode.Lookup(job, "uses")
		if uses == nil {
			return
		}
		m := ourUsesRe.FindStringSubmatch(uses.Value)
		if m == nil {
			return
		}
		uses.Value = Repo + "/" + m[1] + "@" + ref
		with := yamlnode.Lookup(job, "with")
		for _, key := range inputs[m[1]] {
			v, ok := f.input(key)
			if !ok {
				continue
			}
			if with == nil {
				with = &yaml.Node{Kind: yaml.MappingNode}
				job.Content = append(job.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "with"}, with)
			}
			set(with, key, v)
		}
	})
	// Third-party actions in run: jobs are already pinned in the template.
	return encode(&doc)
}

// input is the with: value for key, when the facts say something other
// than the reusable workflow's default.
func (f Facts) input(key string) (*yaml.Node, bool) {
	str := func(s string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: s}
		if _, err := strconv.ParseFloat(s, 64); err == nil || s == "" {
			n.Style = yaml.DoubleQuotedStyle // "3.12" must stay a string
		}
		return n
	}
	switch key {
	case "python-version":
		return str(f.PythonVersion), true
	case "requirements":
		return str(f.Requirements), f.Requirements != "" && f.Requirements != "requirements.txt"
	case "test-requirements":
		return str("-r " + f.TestRequirements), f.TestRequirements != ""
	case "migrations":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"}, !f.Migrations
	case "image":
		return str(f.Image), f.Image != ""
	case "container-port":
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(f.ContainerPort)}, f.ContainerPort != 0 && f.ContainerPort != 8080
	case "flask-app":
		return str(f.FlaskApp), f.FlaskApp != "" && f.FlaskApp != "wsgi"
	case "health-path":
		return str(f.HealthPath), f.HealthPath != "" && f.HealthPath != "/_health"
	}
	return nil, false
}

func renderDependabot(src []byte, f Facts) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	updates := yamlnode.Lookup(doc.Content[0], "updates")
	if updates != nil && !f.Dockerfile {
		var keep []*yaml.Node
		for _, u := range updates.Content {
			if e := yamlnode.Lookup(u, "package-ecosystem"); e == nil || e.Value != "docker" {
				keep = append(keep, u)
			}
		}
		updates.Content = keep
	}
	return encode(&doc)
}

func encode(doc *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// stampPrefix starts the first line of every file init writes: it records
// the hash of what init wrote, so a later run can tell the user's edits
// from its own output.
const stampPrefix = "# Written by timetracker-ci init "

// stamp puts the header line on body.
func stamp(body []byte, ref string) []byte {
	sum := sha256.Sum256(body)
	head := fmt.Sprintf("%s(%s, sha256:%s): edit freely, init keeps a changed file unless --force.\n", stampPrefix, ref, hex.EncodeToString(sum[:8]))
	return append([]byte(head), body...)
}

// stampedUnchanged reports whether content carries init's header and its
// body is still what init wrote.
func stampedUnchanged(content []byte) (stamped, unchanged bool) {
	head, body, ok := bytes.Cut(content, []byte("\n"))
	if !ok || !bytes.HasPrefix(head, []byte(stampPrefix)) {
		return false, false
	}
	i := bytes.Index(head, []byte("sha256:"))
	if i < 0 || len(head) < i+7+16 {
		return true, false
	}
	sum := sha256.Sum256(body)
	return true, string(head[i+7:i+7+16]) == hex.EncodeToString(sum[:8])
}

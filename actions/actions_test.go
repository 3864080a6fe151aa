package actions

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/pkg/action"
)

// imageRef is what every action.yml on main points at; the release rewrite
// replaces it with the released image's digest.
const imageRef = "docker://ghcr.io/org/timetracker-ci:main"

func TestEveryActionDirectoryIsRegistered(t *testing.T) {
	dirs, err := filepath.Glob("*/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, registered []string
	for _, d := range dirs {
		onDisk = append(onDisk, filepath.Dir(d))
	}
	for _, a := range All() {
		registered = append(registered, a.Name)
	}
	sort.Strings(onDisk)
	sort.Strings(registered)
	if strings.Join(onDisk, ",") != strings.Join(registered, ",") {
		t.Errorf("actions/*/action.yml %v but All() registers %v", onDisk, registered)
	}
}

func TestMetadataIsComplete(t *testing.T) {
	for _, a := range All() {
		m, err := action.ParseMetadata(a.Metadata)
		if err != nil {
			t.Errorf("%s: %v", a.Name, err)
			continue
		}
		for _, p := range m.Lint() {
			t.Errorf("actions/%s/action.yml: %s", a.Name, p)
		}
		if m.Runs.Image != imageRef && !strings.HasPrefix(m.Runs.Image, "docker://ghcr.io/org/timetracker-ci@sha256:") {
			t.Errorf("actions/%s/action.yml: image %q, want %s (or a digest in a release)", a.Name, m.Runs.Image, imageRef)
		}
		if len(m.Runs.Args) == 0 || m.Runs.Args[0] != a.Name {
			t.Errorf("actions/%s/action.yml: args %q must start with the subcommand %q", a.Name, m.Runs.Args, a.Name)
		}
		ondisk, err := os.ReadFile(filepath.Join(a.Name, "action.yml"))
		if err != nil || string(ondisk) != string(a.Metadata) {
			t.Errorf("actions/%s: embedded metadata differs from action.yml on disk", a.Name)
		}
	}
}

// The glue reads exactly the inputs action.yml declares and sets exactly the
// outputs it declares: the code and the contract cannot drift.
func TestGlueMatchesMetadata(t *testing.T) {
	inputReaders := map[string]bool{"Input": true, "RawInput": true, "Bool": true, "Int": true, "Duration": true, "List": true, "Lines": true, "Enum": true, "Float": true, "Percent": true, "InputPath": true, "ReadInputFile": true, "Timeout": true, "GitHubInput": true, "PathInput": true}
	outputSetters := map[string]bool{"SetOutput": true, "SetOutputJSON": true}
	for _, a := range All() {
		m, err := action.ParseMetadata(a.Metadata)
		if err != nil {
			t.Fatal(err)
		}
		read, set := map[string]bool{}, map[string]bool{}
		dynamicOutputs := false
		fset := token.NewFileSet()
		files, _ := filepath.Glob(filepath.Join(a.Name, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				name := sel.Sel.Name
				arg, byName := call.Args[0], len(call.Args) == 1 || name == "Enum"
				switch {
				case name == "Timeout" && len(call.Args) == 2: // rt.Timeout(ctx, "timeout")
					arg, byName = call.Args[1], true
				case name == "GitHubInput": // rt.GitHubInput("github-token", permissions, opts)
					byName = true
				}
				lit, isLit := arg.(*ast.BasicLit)
				val := ""
				if isLit && lit.Kind == token.STRING {
					val, _ = strconv.Unquote(lit.Value)
				}
				switch {
				case inputReaders[name] && byName && val != "":
					read[val] = true
					if _, ok := m.Input(val); !ok {
						t.Errorf("%s: %s reads input %q, which action.yml does not declare", fset.Position(call.Pos()), name, val)
					}
				case outputSetters[name] && len(call.Args) == 2:
					if val == "" {
						dynamicOutputs = true
						return true
					}
					set[val] = true
					if _, ok := m.Output(val); !ok {
						t.Errorf("%s: sets output %q, which action.yml does not declare", fset.Position(call.Pos()), val)
					}
				}
				return true
			})
		}
		for _, in := range m.Inputs {
			if !read[in.Name] {
				t.Errorf("actions/%s: input %q is declared but never read", a.Name, in.Name)
			}
		}
		if !dynamicOutputs {
			for _, out := range m.Outputs {
				if !set[out.Name] {
					t.Errorf("actions/%s: output %q is declared but never set", a.Name, out.Name)
				}
			}
		}
	}
}

func TestCatalogIsCurrent(t *testing.T) {
	want, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	golden.CheckString(t, filepath.Join("..", "action-catalog.md"), want)
	if t.Failed() {
		t.Log("action-catalog.md is stale: go run ./cmd/timetracker-ci catalog > action-catalog.md regenerates it")
	}
}

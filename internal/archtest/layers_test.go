package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/org/timetracker-ci"

// goFile is one parsed Go file of the repository.
type goFile struct {
	path string // slash-separated, relative to the repository root
	ast  *ast.File
}

func (f goFile) dir() string { return filepath.ToSlash(filepath.Dir(f.path)) }

func (f goFile) imports() []string {
	var out []string
	for _, im := range f.ast.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		out = append(out, p)
	}
	return out
}

// repoFiles parses every Go file of the repository (test files included),
// skipping testdata and hidden directories as the go command does.
func repoFiles(t *testing.T) []goFile {
	t.Helper()
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	fset := token.NewFileSet()
	var files []goFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, goFile{path: filepath.ToSlash(rel), ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d Go files: is the walk rooted at the repository?", len(files))
	}
	return files
}

// actionOf is the action directory a path lies in ("image" for
// actions/image/x.go), or "" outside actions/<name>/.
func actionOf(path string) string {
	rest, ok := strings.CutPrefix(path, "actions/")
	if !ok {
		return ""
	}
	name, _, nested := strings.Cut(rest, "/")
	if !nested {
		return "" // the registry itself, actions/*.go
	}
	return name
}

// rule is one layering rule: the problems of one file.
type rule func(f goFile) []string

var rules = map[string]rule{
	"glue is a leaf":                  glueIsALeaf,
	"library does not import runtime": libraryDoesNotImportRuntime,
	"one update flag":                 oneUpdateFlag,
	"no programs in the library":      noProgramsInLibrary,
}

func TestLayering(t *testing.T) {
	files := repoFiles(t)
	for name, r := range rules {
		t.Run(name, func(t *testing.T) {
			for _, f := range files {
				for _, p := range r(f) {
					t.Error(p)
				}
			}
		})
	}
}

// glueIsALeaf: no actions/<a> package imports actions/<b>. Commands that
// compose actions find them by name in an action.Actions; tests that need
// other actions take them from the registry (package actions).
func glueIsALeaf(f goFile) []string {
	a := actionOf(f.path)
	if a == "" {
		return nil
	}
	var probs []string
	for _, imp := range f.imports() {
		rel, ok := strings.CutPrefix(imp, module+"/")
		if b := actionOf(rel + "/x.go"); ok && b != "" && b != a {
			probs = append(probs, f.path+" imports "+imp+": an action package must not import another; compose actions by name through action.Actions")
		}
	}
	return probs
}

// libraryDoesNotImportRuntime: pkg/ is the library the actions glue
// together; only pkg/action itself (and its test helpers) know the action
// runtime.
func libraryDoesNotImportRuntime(f goFile) []string {
	if !strings.HasPrefix(f.path, "pkg/") || strings.HasPrefix(f.path, "pkg/action/") {
		return nil
	}
	var probs []string
	for _, imp := range f.imports() {
		if imp == module+"/pkg/action" || strings.HasPrefix(imp, module+"/pkg/action/") {
			probs = append(probs, f.path+" imports "+imp+": pkg/ must not depend on the action runtime; return values and errors, and let the glue under actions/ translate")
		}
	}
	return probs
}

// oneUpdateFlag: golden files are rewritten by one -update flag, the one
// of internal/golden.
func oneUpdateFlag(f goFile) []string {
	flagName := importName(f.ast, "flag")
	if f.dir() == "internal/golden" || flagName == "" {
		return nil
	}
	var probs []string
	ast.Inspect(f.ast, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != flagName {
			return true
		}
		for _, arg := range call.Args {
			if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, _ := strconv.Unquote(lit.Value); v == "update" {
					probs = append(probs, f.path+" declares a -update flag: use internal/golden (golden.Check) instead")
				}
			}
		}
		return true
	})
	return probs
}

// noProgramsInLibrary: pkg/ is library only; commands are actions (under
// actions/, run by cmd/) and development tools live in internal/tools/.
func noProgramsInLibrary(f goFile) []string {
	if strings.HasPrefix(f.path, "pkg/") && f.ast.Name.Name == "main" {
		return []string{f.path + " is a program under pkg/: move development tools to internal/tools/<name>"}
	}
	return nil
}

// importName is the name a file gives an imported package, "" when it
// does not import it.
func importName(f *ast.File, path string) string {
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if p != path {
			continue
		}
		if im.Name != nil {
			return im.Name.Name
		}
		return path[strings.LastIndex(path, "/")+1:]
	}
	return ""
}

// TestRulesCatchViolations gives each rule files that break it and files
// that do not, so that a rule cannot pass by finding nothing.
func TestRulesCatchViolations(t *testing.T) {
	for _, c := range []struct {
		rule, path, src string
		problems        int
	}{
		{"glue is a leaf", "actions/image/x.go", `import "github.com/org/timetracker-ci/actions/manifest"`, 1},
		{"glue is a leaf", "actions/image/x_test.go", `import "github.com/org/timetracker-ci/actions/test-plan/sub"`, 1},
		{"glue is a leaf", "actions/image/x_test.go", `import "github.com/org/timetracker-ci/actions"`, 0},
		{"glue is a leaf", "actions/image/x.go", `import "github.com/org/timetracker-ci/actions/image/internal/y"`, 0},
		{"glue is a leaf", "actions/actions.go", `import "github.com/org/timetracker-ci/actions/image"`, 0},
		{"library does not import runtime", "pkg/version/x.go", `import "github.com/org/timetracker-ci/pkg/action"`, 1},
		{"library does not import runtime", "pkg/version/x_test.go", `import "github.com/org/timetracker-ci/pkg/action/actiontest"`, 1},
		{"library does not import runtime", "pkg/action/actiontest/x.go", `import "github.com/org/timetracker-ci/pkg/action"`, 0},
		{"library does not import runtime", "actions/image/x.go", `import "github.com/org/timetracker-ci/pkg/action"`, 0},
		{"one update flag", "pkg/junit/x_test.go", `import "flag"; var u = flag.Bool("update", false, "")`, 1},
		{"one update flag", "pkg/junit/x_test.go", `import fl "flag"; var u bool; func init() { fl.BoolVar(&u, "update", false, "") }`, 1},
		{"one update flag", "pkg/junit/x_test.go", `import "flag"; var u = flag.Bool("verbose", false, "")`, 0},
		{"one update flag", "internal/golden/golden.go", `import "flag"; var u = flag.Bool("update", false, "")`, 0},
		{"no programs in the library", "pkg/junit/internal/benchcmd/main.go", ``, 1},
		{"no programs in the library", "internal/tools/junitbench/main.go", ``, 0},
	} {
		pkg := "x"
		if strings.HasSuffix(c.path, "/main.go") {
			pkg = "main"
		}
		f, err := parser.ParseFile(token.NewFileSet(), c.path, "package "+pkg+"\n"+c.src+"\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := rules[c.rule](goFile{path: c.path, ast: f}); len(got) != c.problems {
			t.Errorf("%s on %s (%s): %d problems %q, want %d", c.rule, c.path, c.src, len(got), got, c.problems)
		}
	}
}

// TestDirectRequirementsAreNotIndirect: a module the code imports is a
// direct requirement in go.mod (go mod tidy writes it so); one marked
// "// indirect" hides what the project depends on.
func TestDirectRequirementsAreNotIndirect(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	indirect := map[string]bool{} // module path -> marked indirect
	inBlock := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inBlock:
			continue
		}
		if f := strings.Fields(line); len(f) >= 2 {
			indirect[f[0]] = strings.HasSuffix(line, "// indirect")
		}
	}
	if len(indirect) == 0 {
		t.Fatal("no requirements read from go.mod")
	}
	reported := map[string]bool{}
	for _, f := range repoFiles(t) {
		for _, imp := range f.imports() {
			mod := ""
			for m := range indirect {
				if (imp == m || strings.HasPrefix(imp, m+"/")) && len(m) > len(mod) {
					mod = m
				}
			}
			if mod != "" && indirect[mod] && !reported[mod] {
				reported[mod] = true
				t.Errorf("%s imports %s, but go.mod marks %s // indirect: run go mod tidy", f.path, imp, mod)
			}
		}
	}
}

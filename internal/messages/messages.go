package messages

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Message is a user-facing error message found in the Go code.
type Message struct {
	Format string // the format string as written
	Input  string // for InputErrorf with a constant input name: the input the runtime names
	File   string // relative to the root, slash-separated
	Line   int
}

// MessageDirs are the trees whose error messages users can see.
var MessageDirs = []string{"pkg", "actions", "cmd"}

// skipMessageDir reports directories whose errors users never see: the fake
// GitHub API, testing helpers, test data.
func skipMessageDir(rel string) bool {
	base := filepath.Base(rel)
	return base == "testdata" || base == "internal" || rel == "pkg/githubapi/githubfake" ||
		strings.HasPrefix(rel, "pkg/githubapi/githubfake/")
}

// Messages extracts, from the non-test Go files under root's pkg/, actions/
// and cmd/, the format string of every errors.New(...), every fmt.Errorf(...)
// without %w, every InputErrorf(input, format, ...) (and inputerror.Errorf) and
// UsageErrorf(format, ...), and every call of a package's own errorf helper
// (format: its first constant string argument): the leaf errors a user
// reads. Calls whose format is not a constant string are skipped.
func Messages(ctx context.Context, root string) ([]Message, error) {
	var out []Message
	fset := token.NewFileSet()
	for _, top := range MessageDirs {
		dir := filepath.Join(root, top)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == dir && errorsIsNotExist(err) {
					return filepath.SkipDir
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if path != dir && (skipMessageDir(rel) || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return fmt.Errorf("parsing Go source for error messages: %w", err)
			}
			out = append(out, fileMessages(fset, f, rel)...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}

func errorsIsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func fileMessages(fset *token.FileSet, f *ast.File, rel string) []Message {
	var out []Message
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		pkg, name := callee(call.Fun)
		arg := -1
		switch {
		case pkg == "errors" && name == "New":
			arg = 0
		case pkg == "fmt" && name == "Errorf":
			arg = 0
		case name == "InputErrorf", pkg == "inputerror" && name == "Errorf":
			name, arg = "InputErrorf", 1
		case name == "UsageErrorf":
			arg = 0
		case name == "errorf":
			// A package's own errorf helper (a scanner's, a template
			// executor's): its format is the first constant string argument.
			for i, a := range call.Args {
				if _, ok := constString(a); ok {
					arg = i
					break
				}
			}
		}
		if arg < 0 || len(call.Args) <= arg {
			return true
		}
		format, ok := constString(call.Args[arg])
		if !ok {
			return true
		}
		if (name == "Errorf" || name == "errorf") && strings.Contains(format, "%w") {
			return true
		}
		m := Message{Format: format, File: rel, Line: fset.Position(call.Pos()).Line}
		if name == "InputErrorf" {
			m.Input, _ = constString(call.Args[0])
		}
		out = append(out, m)
		return true
	})
	return out
}

// callee names the function called: ("fmt", "Errorf"), ("", "InputErrorf").
func callee(fun ast.Expr) (pkg, name string) {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name, f.Sel.Name
		}
		return "", f.Sel.Name
	case *ast.Ident:
		return "", f.Name
	}
	return "", ""
}

// constString evaluates a string literal or a + of string literals.
func constString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := constString(x.X)
		b, ok2 := constString(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return constString(x.X)
	}
	return "", false
}

// Placeholder stands for any formatting verb once normalised.
const Placeholder = "\x00"

var (
	verbRe        = regexp.MustCompile(`%[-+#0]*(?:\[\d+\])?(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:\[\d+\])?[a-zA-Z]`)
	docsHoleRe    = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9 _./-]*>`)
	ellipsisHole  = regexp.MustCompile(`…`)
	spaceRe       = regexp.MustCompile(`\s+`)
	placeholderRe = regexp.MustCompile(Placeholder + `+`)
)

// NormalizeMessage turns every formatting verb (and <name> or … hole) into
// Placeholder, %% into %, and runs of white space into one space, so that
// the code's format string and the guide's rendering of it compare equal.
func NormalizeMessage(format string) string {
	s := strings.ReplaceAll(format, "%%", "\x01")
	s = verbRe.ReplaceAllString(s, Placeholder)
	// The guide's holes are holes on this side too, so a message that itself
	// says <file> or … reads the same on both sides.
	s = docsHoleRe.ReplaceAllString(s, Placeholder)
	s = ellipsisHole.ReplaceAllString(s, Placeholder)
	s = strings.ReplaceAll(s, "\x01", "%")
	s = strings.ReplaceAll(s, "`", "")
	return collapse(s)
}

// NormalizeDocs prepares the troubleshooting guide for matching: as
// NormalizeMessage (verbs and <name> or … holes alike), and with the pipes
// Markdown tables escape unescaped.
func NormalizeDocs(text string) string {
	return strings.ReplaceAll(NormalizeMessage(text), `\|`, "|") // pipes escaped inside Markdown tables
}

func collapse(s string) string {
	s = spaceRe.ReplaceAllString(strings.TrimSpace(s), " ")
	return placeholderRe.ReplaceAllString(s, Placeholder)
}

// Undocumented returns the messages whose normalised text is not in the
// normalised guide, one per distinct text, in order.
func Undocumented(msgs []Message, guide string) []Message {
	doc := NormalizeDocs(guide)
	seen := map[string]bool{}
	var out []Message
	for _, m := range msgs {
		n := NormalizeMessage(m.Format)
		if seen[n] {
			continue
		}
		seen[n] = true
		if !strings.Contains(doc, n) {
			out = append(out, m)
		}
	}
	return out
}

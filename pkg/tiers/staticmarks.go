package tiers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// FileMarks is what a pytest file declares about its tests' markers, read
// without running Python: module-level `pytestmark = [...]`, class-level
// pytestmark and `@pytest.mark.NAME` decorators on test classes and
// functions.
type FileMarks struct {
	// Known is true when every test the scanner sees has markers it could
	// read and nothing in the file could add markers it cannot see (a
	// decorator it does not know, pytest.param(marks=...), add_marker,
	// applymarker). Only then may the planner leave the file out of a tier.
	Known bool
	// Tests maps each test's node-id suffix ("test_a", "TestB::test_c") to
	// its markers, module and class markers included.
	Tests map[string][]string
}

// MayMatch reports whether a test of the file may be selected by m. It is
// true unless the markers are Known and no test's markers match.
func (f FileMarks) MayMatch(m *Marker) bool {
	if !f.Known || m == nil || m.root == nil {
		return true
	}
	for _, marks := range f.Tests {
		has := func(name string) bool {
			for _, k := range marks {
				if k == name {
					return true
				}
			}
			return false
		}
		if m.Match(has) {
			return true
		}
	}
	return false
}

// harmlessDecorators do not add pytest markers.
var harmlessDecorators = map[string]bool{
	"patch": true, "patch.object": true, "patch.dict": true, "patch.multiple": true,
	"mock.patch": true, "mock.patch.object": true, "mock.patch.dict": true, "mock.patch.multiple": true,
	"unittest.mock.patch": true, "unittest.mock.patch.object": true,
	"responses.activate": true, "freeze_time": true, "freezegun.freeze_time": true,
	"classmethod": true, "staticmethod": true, "property": true,
	"pytest.fixture": true, "fixture": true,
}

// ScanMarkers reads a pytest file's markers statically. Like
// ScanTestFunctions it is a line scanner, not a Python parser; whatever it
// cannot read makes the result unknown rather than wrong.
func ScanMarkers(src []byte) FileMarks {
	f := FileMarks{Known: true, Tests: map[string][]string{}}
	if bytes.Contains(src, []byte("marks=")) || bytes.Contains(src, []byte("add_marker")) || bytes.Contains(src, []byte("applymarker")) {
		f.Known = false
	}
	type frame struct {
		indent int
		name   string // "" for a scope whose functions are not tests
		marks  []string
	}
	var stack []frame
	var module, pending []string // module marks; decorator marks waiting for their def/class
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	inString := ""
	// A statement spanning lines (open brackets) is gathered first.
	var stmt strings.Builder
	depth, stmtIndent := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if depth == 0 && inString != "" {
			if strings.Count(line, inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		if depth == 0 {
			if trimmed == "" || trimmed[0] == '#' {
				continue
			}
			stmtIndent = len(line) - len(trimmed)
			stmt.Reset()
		}
		stmt.WriteString(" " + stripComment(trimmed))
		depth += bracketDepth(trimmed)
		if depth > 0 {
			continue
		}
		depth = 0
		s := strings.TrimSpace(stmt.String())
		indent := stmtIndent
		for len(stack) > 0 && indent <= stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(s, q)%2 == 1 {
				inString = q
			}
		}
		word := strings.TrimPrefix(s, "async ")
		switch {
		case strings.HasPrefix(s, "@"):
			name, marks, ok := readMark(strings.TrimSpace(s[1:]))
			switch {
			case ok:
				pending = append(pending, marks...)
			case !harmlessDecorators[name]:
				pending = append(pending, "\x00unknown")
			}
		case strings.HasPrefix(s, "pytestmark") && strings.HasPrefix(strings.TrimSpace(s[len("pytestmark"):]), "="):
			marks, ok := readMarkList(strings.TrimSpace(strings.TrimSpace(s[len("pytestmark"):])[1:]))
			if !ok {
				f.Known = false
			}
			if len(stack) == 0 {
				module = append(module, marks...)
			} else if stack[len(stack)-1].name != "" {
				top := &stack[len(stack)-1]
				top.marks = append(top.marks, marks...)
				// Tests already seen in this class get the class marks too.
				for id, m := range f.Tests {
					if strings.HasPrefix(id, top.name+"::") {
						f.Tests[id] = append(m, marks...)
					}
				}
			}
		case strings.HasPrefix(word, "class "):
			name := ident(word[len("class "):])
			parentTest := len(stack) == 0 || stack[len(stack)-1].name != ""
			marks := pending
			pending = nil
			if strings.HasPrefix(name, "Test") && parentTest {
				prefix := ""
				var inherited []string
				if len(stack) > 0 {
					prefix = stack[len(stack)-1].name + "::"
					inherited = stack[len(stack)-1].marks
				}
				if strings.Contains(word, "(") && !strings.Contains(word, "()") {
					// A base class may carry pytestmark of its own.
					marks = append(marks, "\x00unknown")
				}
				stack = append(stack, frame{indent, prefix + name, append(append([]string(nil), inherited...), marks...)})
			} else {
				stack = append(stack, frame{indent, "", nil})
			}
		case strings.HasPrefix(word, "def "):
			name := ident(word[len("def "):])
			marks := pending
			pending = nil
			if strings.HasPrefix(name, "test") {
				id := ""
				var inherited []string
				if len(stack) == 0 {
					id = name
				} else if cls := stack[len(stack)-1]; cls.name != "" {
					id = cls.name + "::" + name
					inherited = cls.marks
				}
				if id != "" {
					all := append(append([]string(nil), inherited...), marks...)
					f.Tests[id] = append(f.Tests[id], all...)
				}
			}
			stack = append(stack, frame{indent, "", nil})
		default:
			pending = nil
		}
	}
	if len(f.Tests) == 0 {
		f.Known = false // tests the scanner cannot see (generated, imported)
	}
	// Both scanners must see the same tests, or a statement this one
	// gathered across lines (an unbalanced bracket in a docstring) hid some.
	seen := map[string]bool{}
	for _, id := range ScanTestFunctions(src) {
		seen[id] = true
		if _, ok := f.Tests[id]; !ok {
			f.Known = false
		}
	}
	if len(seen) != len(f.Tests) {
		f.Known = false
	}
	for id, marks := range f.Tests {
		all := append(append([]string(nil), module...), marks...)
		for _, m := range all {
			if m == "\x00unknown" {
				f.Known = false
			}
		}
		f.Tests[id] = all
	}
	return f
}

// readMark reads one decorator: "pytest.mark.NAME", "pytest.mark.NAME(...)"
// or "mark.NAME..." gives NAME; anything else gives the decorator's dotted
// name and ok false.
func readMark(s string) (name string, marks []string, ok bool) {
	dotted := s
	if i := strings.IndexAny(dotted, "( "); i >= 0 {
		dotted = dotted[:i]
	}
	for _, prefix := range []string{"pytest.mark.", "mark."} {
		if rest, found := strings.CutPrefix(dotted, prefix); found && rest != "" && !strings.Contains(rest, ".") {
			return dotted, []string{rest}, true
		}
	}
	return dotted, nil, false
}

// readMarkList reads the value of pytestmark: one mark or a list or tuple
// of marks.
func readMarkList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") || strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		s = s[1 : len(s)-1]
	}
	var out []string
	for _, part := range splitTopLevel(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		_, marks, ok := readMark(part)
		if !ok {
			return out, false
		}
		out = append(out, marks...)
	}
	return out, true
}

// splitTopLevel splits on commas outside brackets and quotes.
func splitTopLevel(s string) []string {
	var parts []string
	start := 0
	walkCode(s, func(i int, c byte, depth int) bool {
		if c == ',' && depth == 0 {
			parts = append(parts, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(parts, s[start:])
}

// bracketDepth is the change in bracket nesting over a line, outside quotes
// and comments.
func bracketDepth(line string) int {
	return walkCode(line, func(_ int, c byte, _ int) bool { return c != '#' })
}

// stripComment drops a trailing # comment outside quotes.
func stripComment(line string) string {
	end := len(line)
	walkCode(line, func(i int, c byte, _ int) bool {
		if c == '#' {
			end = i
			return false
		}
		return true
	})
	return line[:end]
}

// walkCode calls fn with the index and byte of every character of s outside
// string literals, and the bracket depth before it, until fn returns false;
// it returns the depth reached. Python source is scanned this way, not
// parsed: markers are read statically without running the file.
func walkCode(s string, fn func(i int, c byte, depth int) bool) int {
	depth := 0
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		case c == '"' || c == '\'':
			quote = c
			continue
		}
		if !fn(i, c, depth) {
			break
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
	return depth
}

// markReader reads each test file's markers once for every tier, and
// whether a conftest.py on the way to it may add markers at collection.
type markReader struct {
	jail     *workspace.Workspace // test sources are read through it (the paths input)
	files    map[string]FileMarks
	conftest map[string]bool // directory → a conftest.py there or above adds markers
}

func newMarkReader(jail *workspace.Workspace) *markReader {
	return &markReader{jail: jail, files: map[string]FileMarks{}, conftest: map[string]bool{}}
}

// filter keeps the files that may hold a test of the tier, and those that
// ran in it.
func (r *markReader) filter(ctx context.Context, t Tier, files []string, ran map[string]bool) ([]string, error) {
	m, err := ParseMarker(t.Marker)
	if err != nil || m.root == nil {
		return files, err
	}
	kept := make([]string, 0, len(files))
	for _, f := range files {
		if ran[f] {
			kept = append(kept, f)
			continue
		}
		fm, err := r.read(ctx, f)
		if err != nil {
			return nil, err
		}
		if fm.MayMatch(m) {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

func (r *markReader) read(ctx context.Context, file string) (FileMarks, error) {
	if fm, ok := r.files[file]; ok {
		return fm, nil
	}
	if err := ctx.Err(); err != nil {
		return FileMarks{}, err
	}
	src, err := r.jail.ReadFile("paths", file, workspace.KindConfig)
	if err != nil {
		return FileMarks{}, fmt.Errorf("read test file: %w", err)
	}
	fm := ScanMarkers(src)
	if fm.Known && r.conftestAddsMarkers(path.Dir(file)) {
		fm.Known = false
	}
	r.files[file] = fm
	return fm, nil
}

// conftestAddsMarkers: a conftest.py in dir or any directory above it (up
// to the root) that may add markers while collecting.
func (r *markReader) conftestAddsMarkers(dir string) bool {
	if v, ok := r.conftest[dir]; ok {
		return v
	}
	v := false
	if src, err := r.jail.ReadFile("paths", path.Join(dir, "conftest.py"), workspace.KindConfig); err == nil {
		for _, hook := range []string{"add_marker", "applymarker", "pytest_collection_modifyitems", "pytest_itemcollected", "pytest_pycollect_makeitem", "marks="} {
			if bytes.Contains(src, []byte(hook)) {
				v = true
			}
		}
	}
	if !v && dir != "." && dir != "/" && dir != "" {
		v = r.conftestAddsMarkers(path.Dir(dir))
	}
	r.conftest[dir] = v
	return v
}

package doctor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/tiers"
)

// builtinMarkers are pytest's own and common plugins' markers: never
// registered by the project.
var builtinMarkers = map[string]bool{
	"parametrize": true, "skip": true, "skipif": true, "xfail": true, "usefixtures": true, "filterwarnings": true,
	"timeout": true, "asyncio": true, "anyio": true, "django_db": true, "flaky": true, "order": true, "dependency": true,
	"tryfirst": true, "trylast": true, "no_cover": true, "benchmark": true, "freeze_time": true, "httpx_mock": true,
}

var (
	markUseRe      = lazyre.New(`\bpytest\.mark\.([A-Za-z_]\w*)`)
	iniSectionRe   = lazyre.New(`^\s*\[([^\]]+)\]\s*$`)
	iniKeyRe       = lazyre.New(`^([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$`)
	markerDefRe    = lazyre.New(`^\s*["']?\s*([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*(?::|["',]|$)`)
	addValueLineRe = lazyre.New(`addinivalue_line\(\s*["']markers["']\s*,\s*["']\s*([A-Za-z_]\w*)`)
	defRe          = lazyre.New(`^(\s*)(?:async\s+)?def\s+(test\w*)\s*\(`)
	classRe        = lazyre.New(`^(\s*)class\s+(Test\w*)\b`)
	pytestmarkRe   = lazyre.New(`^(\s*)pytestmark\s*=`)
	fixtureRe      = lazyre.New(`@(?:pytest\.)?fixture\b`) // a fixture named test_* is no test
)

// pos is a place in a file.
type pos struct {
	file string
	line int
}

// pytestConfig is what the project's pytest configuration says.
type pytestConfig struct {
	file       string         // where [pytest] / [tool.pytest.ini_options] is
	registered map[string]pos // marker → where it is registered
	addopts    []pos          // lines of addopts values with their text
	addoptsTxt []string
}

func checkPytest(ctx context.Context, root *repo, o Options) ([]Finding, error) {
	cfg, err := readPytestConfig(root)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for i, txt := range cfg.addoptsTxt {
		if strings.Contains(txt, "--cov-fail-under") {
			out = append(out, ruleCovFailUnder.at(cfg.addopts[i].file, cfg.addopts[i].line, "addopts sets --cov-fail-under"))
		}
	}
	testFiles, skipped, err := root.globLinks(ctx, tiers.DefaultPaths())
	if err != nil {
		return nil, fmt.Errorf("finding the tests: %w", err)
	}
	for _, s := range skipped {
		out = append(out, ruleSymlinkNotSearched.at(s.Path, 0, "a symlinked test folder that %s", s.Reason))
	}
	tierMarkers := map[string]bool{}
	selectsAll := false
	for _, t := range o.Tiers {
		if strings.TrimSpace(t.Marker) == "" {
			selectsAll = true
			continue
		}
		m, err := tiers.ParseMarker(t.Marker)
		if err != nil {
			return nil, fmt.Errorf("tier %s: %w", t.Name, err)
		}
		for _, id := range m.Idents() {
			tierMarkers[id] = true
		}
	}
	used := map[string]pos{}
	// conftest.py files may use markers too (pytest_collection_modifyitems).
	var pyFiles []string
	pyFiles = append(pyFiles, testFiles...)
	conftests, _ := root.glob(ctx, []string{"**/conftest.py"})
	pyFiles = append(pyFiles, conftests...)
	for _, rel := range pyFiles {
		data, err := root.read(rel)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		for i, line := range lines(data) {
			for _, m := range markUseRe.FindAllStringSubmatch(stripComment(line), -1) {
				if _, ok := used[m[1]]; !ok && !builtinMarkers[m[1]] {
					used[m[1]] = pos{rel, i + 1}
				}
			}
		}
	}
	for _, name := range sortedKeys(used) {
		if _, ok := cfg.registered[name]; !ok {
			p := used[name]
			where := "pytest.ini"
			if cfg.file != "" {
				where = cfg.file
			}
			out = append(out, ruleMarkerUnregistered.at(p.file, p.line, "marker %q is used but not registered in %s", name, where))
		}
	}
	for _, name := range sortedKeys(cfg.registered) {
		if _, ok := used[name]; !ok {
			p := cfg.registered[name]
			out = append(out, ruleMarkerUnused.at(p.file, p.line, "marker %q is registered but no test uses it", name))
		}
	}
	if !selectsAll {
		for _, rel := range testFiles {
			data, err := root.read(rel)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", rel, err)
			}
			if n, first, line := untiered(data, tierMarkers); n > 0 {
				out = append(out, ruleNoTier.at(rel, line, "%d test(s) carry no tier marker (%s), so no tier runs them (first: %s)", n, strings.Join(sortedKeys(tierMarkers), ", "), first))
			}
		}
	}
	return out, nil
}

// untiered counts the test functions of a file that have none of the tier
// markers: on the function, its class, or the module's pytestmark.
func untiered(data []byte, tierMarkers map[string]bool) (n int, first string, firstLine int) {
	hasTier := func(text string) bool {
		for _, m := range markUseRe.FindAllStringSubmatch(text, -1) {
			if tierMarkers[m[1]] {
				return true
			}
		}
		return false
	}
	ls := lines(data)
	moduleTier := false
	type class struct {
		indent int
		tier   bool
	}
	var classes []class
	var decorators strings.Builder
	inString := "" // the quotes of a triple-quoted string still open
	for i := 0; i < len(ls); i++ {
		if inString != "" {
			// Its text, even at column 0, ends no class.
			if strings.Count(ls[i], inString)%2 == 1 {
				inString = ""
			}
			continue
		}
		line := stripComment(ls[i])
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(line, q)%2 == 1 {
				inString = q
			}
		}
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		for len(classes) > 0 && indent <= classes[len(classes)-1].indent && !strings.HasPrefix(trimmed, "@") {
			classes = classes[:len(classes)-1]
		}
		if m := pytestmarkRe.FindStringSubmatch(line); m != nil {
			stmt, last := statement(ls, i)
			i = last
			if len(m[1]) == 0 {
				moduleTier = moduleTier || hasTier(stmt)
			} else if len(classes) > 0 {
				classes[len(classes)-1].tier = classes[len(classes)-1].tier || hasTier(stmt)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "@") {
			// A decorator spanning lines is read whole: its other lines
			// are neither a def nor the end of the decorators.
			stmt, last := statement(ls, i)
			decorators.WriteString(stmt)
			i = last
			continue
		}
		if m := classRe.FindStringSubmatch(line); m != nil {
			classes = append(classes, class{indent: len(m[1]), tier: hasTier(decorators.String())})
			decorators.Reset()
			continue
		}
		if m := defRe.FindStringSubmatch(line); m != nil && !fixtureRe.MatchString(decorators.String()) {
			tier := moduleTier || hasTier(decorators.String())
			for _, c := range classes {
				tier = tier || c.tier
			}
			if !tier && (len(m[1]) == 0 || len(classes) > 0) {
				if n == 0 {
					first, firstLine = m[2], i+1
				}
				n++
			}
		}
		decorators.Reset()
	}
	return n, first, firstLine
}

// statement is the logical line starting at i, continued while brackets
// are open, and the index of its last line.
func statement(ls []string, i int) (string, int) {
	var b strings.Builder
	depth := 0
	j := i
	for ; j < len(ls); j++ {
		l := stripComment(ls[j])
		b.WriteString(l)
		b.WriteByte('\n')
		depth += strings.Count(l, "(") + strings.Count(l, "[") + strings.Count(l, "{") -
			strings.Count(l, ")") - strings.Count(l, "]") - strings.Count(l, "}")
		if depth <= 0 {
			break
		}
	}
	return b.String(), min(j, len(ls)-1)
}

func stripComment(l string) string {
	if i := strings.Index(l, "#"); i >= 0 && !strings.ContainsAny(l[:i], `"'`) {
		return l[:i]
	}
	return l
}

func lines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// readPytestConfig reads the first configuration pytest itself would use
// (pytest.ini, pyproject.toml, tox.ini, setup.cfg) plus markers registered
// in conftest.py files.
func readPytestConfig(root *repo) (*pytestConfig, error) {
	cfg := &pytestConfig{registered: map[string]pos{}}
	for _, c := range []struct{ file, section string }{
		{"pytest.ini", "pytest"}, {"pyproject.toml", "tool.pytest.ini_options"}, {"tox.ini", "pytest"}, {"setup.cfg", "tool:pytest"},
	} {
		data, err := root.read(c.file)
		if notExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", c.file, err)
		}
		if readSection(cfg, c.file, c.section, lines(data)) {
			cfg.file = c.file
			break
		}
	}
	conftests, _ := root.glob(context.Background(), []string{"**/conftest.py", "conftest.py"})
	for _, rel := range conftests {
		data, err := root.read(rel)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		for i, l := range lines(data) {
			if m := addValueLineRe.FindStringSubmatch(l); m != nil {
				if _, ok := cfg.registered[m[1]]; !ok {
					cfg.registered[m[1]] = pos{rel, i + 1}
				}
			}
		}
	}
	return cfg, nil
}

// readSection reads markers and addopts of one section; false when the
// file has no such section.
func readSection(cfg *pytestConfig, file, section string, ls []string) bool {
	in, found := false, false
	key := ""
	for i, raw := range ls {
		l := strings.TrimRight(raw, " \t")
		if m := iniSectionRe.FindStringSubmatch(l); m != nil {
			in = strings.TrimSpace(m[1]) == section
			found = found || in
			key = ""
			continue
		}
		if !in || strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") || strings.HasPrefix(strings.TrimSpace(l), ";") {
			continue
		}
		value := l
		if l[0] != ' ' && l[0] != '\t' && !strings.HasPrefix(strings.TrimSpace(l), `"`) && !strings.HasPrefix(strings.TrimSpace(l), "]") {
			m := iniKeyRe.FindStringSubmatch(l)
			if m == nil {
				key = ""
				continue
			}
			key, value = m[1], m[2]
		}
		switch key {
		case "markers":
			v := strings.TrimSpace(strings.Trim(strings.TrimSpace(value), "[],"))
			if v == "" {
				continue
			}
			if m := markerDefRe.FindStringSubmatch(v); m != nil {
				if _, ok := cfg.registered[m[1]]; !ok {
					cfg.registered[m[1]] = pos{file, i + 1}
				}
			}
		case "addopts":
			cfg.addopts = append(cfg.addopts, pos{file, i + 1})
			cfg.addoptsTxt = append(cfg.addoptsTxt, value)
		}
	}
	return found
}

// RegisteredMarkers returns the markers the project registers, sorted, and
// the configuration file pytest reads them from ("" when there is none).
func RegisteredMarkers(root string) (file string, markers []string, err error) {
	r, err := openRepo(root)
	if err != nil {
		return "", nil, err
	}
	defer r.close()
	cfg, err := readPytestConfig(r)
	if err != nil {
		return "", nil, err
	}
	return cfg.file, sortedKeys(cfg.registered), nil
}

package coverage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustFile(t *testing.T, path string) *Report {
	t.Helper()
	r, err := ParseFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCobertura(t *testing.T) {
	r := mustFile(t, "testdata/coverage.xml")
	if r.Statements() != 9 || r.Covered() != 5 {
		t.Errorf("statements %d covered %d, want 9 and 5", r.Statements(), r.Covered())
	}
	if got := r.Percent(); math.Abs(got-100*5.0/9) > 1e-9 {
		t.Errorf("percent %v", got)
	}
	m := r.File("models.py")
	if m == nil || m.Statements != 5 || m.Covered != 4 || m.Branches != 2 || m.BranchesCovered != 1 {
		t.Fatalf("models.py = %+v", m)
	}
	if h, ok := r.Line("models.py", 4); !ok || h != 3 {
		t.Errorf("models.py:4 = %d, %v", h, ok)
	}
	if _, ok := r.Line("models.py", 99); ok {
		t.Error("a method-level <line> was counted as a statement")
	}
	if _, ok := r.Line("models.py", 3); ok {
		t.Error("line 3 has no statement")
	}
	if len(r.Sources) != 1 || r.Sources[0] != "/build/repo/app" {
		t.Errorf("sources %q", r.Sources)
	}
	n := r.Normalize(Paths{Root: "/build/repo"})
	if h, ok := n.Line("app/models.py", 4); !ok || h != 3 || n.Statements() != 9 {
		t.Errorf("normalized: app/models.py:4 = %d, %v; files %v", h, ok, n.Files())
	}
}

func TestGoProfile(t *testing.T) {
	r := mustFile(t, "testdata/cover.profile")
	// store.go: blocks 10.30 (2 stmts, 5+3), 12.16 (1, 0+0), 15.2 (1, 5), 20.20 (1, 0).
	if r.Mode != "count" || r.Statements() != 7 || r.Covered() != 5 {
		t.Errorf("mode %q statements %d covered %d, want count 7 5", r.Mode, r.Statements(), r.Covered())
	}
	s := r.File("example.com/app/store/store.go")
	if bs := s.Blocks(); len(bs) != 4 || bs[0].Count != 8 {
		t.Errorf("blocks %+v", bs)
	}
	// Line 12 ends one block (count 8) and starts another (count 0).
	if h, ok := r.Line("example.com/app/store/store.go", 12); !ok || h != 8 {
		t.Errorf("line 12 = %d, %v", h, ok)
	}
	if h, ok := r.Line("example.com/app/store/store.go", 13); !ok || h != 0 {
		t.Errorf("line 13 = %d, %v", h, ok)
	}
	n := r.Normalize(Paths{Module: "example.com/app", ModuleDir: "backend"})
	if f := n.File("backend/store/store.go"); f == nil || f.Statements != 5 {
		t.Errorf("normalized files %v", n.Files())
	}
}

func TestMerge(t *testing.T) {
	a := mustFile(t, "testdata/cover.profile")
	b, err := ParseGoProfile(context.Background(), strings.NewReader("mode: count\nexample.com/app/store/store.go:20.20,22.2 1 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := Merge(a, b)
	if m.Statements() != 7 || m.Covered() != 6 {
		t.Errorf("merged %d/%d, want 6/7", m.Covered(), m.Statements())
	}
	c1 := mustFile(t, "testdata/coverage.xml")
	c2, err := ParseCobertura(context.Background(), strings.NewReader(`<coverage><packages><package><classes><class filename="views.py"><lines><line number="3" hits="2"/><line number="9" hits="1"/></lines></class></classes></package></packages></coverage>`))
	if err != nil {
		t.Fatal(err)
	}
	mc := Merge(c1, c2)
	if mc.Statements() != 10 || mc.Covered() != 7 {
		t.Errorf("merged cobertura %d/%d, want 7/10", mc.Covered(), mc.Statements())
	}
	if h, _ := mc.Line("views.py", 3); h != 2 {
		t.Errorf("views.py:3 = %d", h)
	}
	if p := Merge().Percent(); p != 100 {
		t.Errorf("empty report = %v%%, want 100 (zero statements)", p)
	}
}

func TestSetModeOrs(t *testing.T) {
	r, err := ParseGoProfile(context.Background(), strings.NewReader("mode: set\na.go:1.1,2.2 1 1\na.go:1.1,2.2 1 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if bs := r.File("a.go").Blocks(); bs[0].Count != 1 {
		t.Errorf("set mode count %d, want 1", bs[0].Count)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"no mode", "a.go:1.1,2.2 1 1\n", "starts with a \"mode: set|count|atomic\" line"},
		{"bad block", "mode: set\na.go:1.1,2.2 x 1\n", "line 2: bad statement count"},
		{"inconsistent", "mode: count\na.go:1.1,2.2 1 1\na.go:1.1,2.2 2 1\n", "mixed"},
		{"mixed modes", "mode: set\nmode: count\n", "different modes"},
		{"empty", "", "empty cover profile"},
		{"not cobertura", "<?xml version=\"1.0\"?>\n<testsuites/>", "not a Cobertura coverage report"},
		{"truncated xml", "<coverage>\n<packages>\n", "not well-formed"},
		{"entity bomb", "<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<coverage>&b;</coverage>", "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if strings.HasPrefix(tt.in, "<") {
				_, err = ParseCobertura(context.Background(), strings.NewReader(tt.in))
			} else {
				_, err = ParseGoProfile(context.Background(), strings.NewReader(tt.in))
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want it to contain %q", err, tt.msg)
			}
		})
	}
}

// hugeAttr streams a Cobertura document whose filename attribute is n
// bytes long, without holding it.
type hugeAttr struct {
	head, tail string
	n, off     int64
}

func (h *hugeAttr) Read(p []byte) (int, error) {
	hl := int64(len(h.head))
	switch {
	case h.off < hl:
		n := copy(p, h.head[h.off:])
		h.off += int64(n)
		return n, nil
	case h.off < hl+h.n:
		n := int(min(int64(len(p)), hl+h.n-h.off))
		p = p[:n]
		for i := range p {
			p[i] = 'a'
		}
		h.off += int64(n)
		return n, nil
	}
	rest := h.tail[min(h.off-hl-h.n, int64(len(h.tail))):]
	if len(rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, rest)
	h.off += int64(n)
	return n, nil
}

func TestHugeAttributeRefused(t *testing.T) {
	r := &hugeAttr{head: `<coverage><packages><package><classes><class filename="`, tail: `"/></classes></package></packages></coverage>`, n: 1 << 30}
	_, err := ParseCobertura(context.Background(), r)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Fatalf("err = %v", err)
	}
	if r.off > 8<<20 {
		t.Errorf("read %d bytes before refusing", r.off)
	}
}

// The corpus figures (README) were computed with x/tools/cover semantics.
func TestCorpus(t *testing.T) {
	dir := "../../../shared/corpus/junit/coverage"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not available (%v)", err)
	}
	tests := []struct {
		file                       string
		files, statements, covered int
		branches, branchesCovered  int
	}{
		{"cobertura-mishakav/coverage_1.xml", -1, 1530, 489, 0, 0},
		{"cobertura-mishakav/coverage_2.xml", -1, 1759, 1565, 436, 361},
		{"cobertura-mishakav/coverage_3.xml", -1, 8, 8, 4, 2},
		{"go-profiles-go-test-coverage/ok.profile", 12, 351, 330, 0, 0},
		{"go-profiles-go-test-coverage/ok_full.profile", 12, 351, 351, 0, 0},
		{"go-profiles-go-test-coverage/ok_no_statements.profile", -1, 6, 0, 0, 0},
		{"go-profiles-go-test-coverage/nok.profile", -1, -1, -1, 0, 0},
		{"go-profiles-go-test-coverage/invalid_data.profile", -1, -1, -1, 0, 0},
		{"go-profiles-go-test-coverage/invalid_length.profile", -1, -1, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := mustFile(t, filepath.Join(dir, tt.file))
			if tt.files >= 0 && len(r.Files()) != tt.files {
				t.Errorf("files %d, want %d", len(r.Files()), tt.files)
			}
			if tt.statements >= 0 && (r.Statements() != tt.statements || r.Covered() != tt.covered) {
				t.Errorf("covered/statements %d/%d, want %d/%d", r.Covered(), r.Statements(), tt.covered, tt.statements)
			}
			var b, bc int
			for _, f := range r.Files() {
				b += f.Branches
				bc += f.BranchesCovered
			}
			if b != tt.branches || bc != tt.branchesCovered {
				t.Errorf("branches %d/%d, want %d/%d", bc, b, tt.branchesCovered, tt.branches)
			}
		})
	}
	r := mustFile(t, filepath.Join(dir, "go-profiles-go-test-coverage/ok.profile"))
	blocks := 0
	for _, f := range r.Files() {
		blocks += len(f.Blocks())
	}
	if blocks != 240 || math.Abs(r.Percent()-94.017) > 0.01 {
		t.Errorf("ok.profile: %d blocks, %.3f%%; want 240 blocks, 94.02%%", blocks, r.Percent())
	}
}

// testdata/coverpkg.profile was written by go test -covermode=count
// -coverpkg=./... -coverprofile over a two-package module, so every block
// is recorded twice; go tool cover -func printed "total: 92.3%".
func TestRealGoProfileCoverpkg(t *testing.T) {
	r := mustFile(t, "testdata/coverpkg.profile")
	if r.Statements() != 13 || r.Covered() != 12 || fmt.Sprintf("%.1f", r.Percent()) != "92.3" {
		t.Errorf("%d/%d = %.1f%%, go tool cover says 92.3%% of 13 statements", r.Covered(), r.Statements(), r.Percent())
	}
	n := r.Normalize(Paths{Module: "example.com/shop"})
	// Remove's body ran in api's test only: 0 + 1 once merged.
	if h, ok := n.Line("store/store.go", 24); !ok || h != 1 {
		t.Errorf("store.go:24 = %d, %v; want 1", h, ok)
	}
	// Order's error return ran in neither test.
	if h, ok := n.Line("api/api.go", 11); !ok || h != 0 {
		t.Errorf("api.go:11 = %d, %v; want 0", h, ok)
	}
}

// testdata/pytest-cov.xml was written by pytest-cov (coverage.py 6.5) with
// branch coverage; its terminal report said 11 statements, 4 missed, 8
// branches of which 1 partial (5 covered). Only the path was replaced.
func TestRealPytestCov(t *testing.T) {
	r := mustFile(t, "testdata/pytest-cov.xml")
	n := r.Normalize(Paths{Root: "/home/runner/work/shop/shop"})
	f := n.File("app/billing.py")
	if f == nil || f.Statements != 11 || f.Covered != 7 || f.Branches != 8 || f.BranchesCovered != 5 {
		t.Fatalf("app/billing.py = %+v (files %v)", f, n.Files())
	}
	if _, ok := n.Line("app/billing.py", 12); !ok {
		t.Error("line 12 (raise) should be a statement")
	}
	if h, _ := n.Line("app/billing.py", 12); h != 0 {
		t.Errorf("line 12 ran %d times, want 0", h)
	}
}

package tiers

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/shard"
)

func TestScanMarkers(t *testing.T) {
	cases := []struct {
		name, src string
		known     bool
		tests     map[string]string // test → its markers, sorted, space-separated
	}{
		{"module list", "import pytest\n\npytestmark = [pytest.mark.unit, pytest.mark.models]\n\ndef test_a():\n    pass\n",
			true, map[string]string{"test_a": "models unit"}},
		{"module single with args", "pytestmark = pytest.mark.skip(reason=\"a, b (c)\")\ndef test_a(): pass\n",
			true, map[string]string{"test_a": "skip"}},
		{"module list over lines", "pytestmark = [\n    pytest.mark.api,  # the API\n    pytest.mark.integration,\n]\ndef test_a(): pass\n",
			true, map[string]string{"test_a": "api integration"}},
		{"decorators", "@pytest.mark.unit\n@pytest.mark.parametrize(\n    'n', [1, 2]\n)\ndef test_a(n): pass\n\ndef test_b(): pass\n",
			true, map[string]string{"test_a": "parametrize unit", "test_b": ""}},
		{"class marks", "@pytest.mark.smoke\nclass TestX:\n    pytestmark = [pytest.mark.unit]\n    @pytest.mark.security\n    def test_a(self): pass\n    @patch('x.y')\n    def test_b(self, m): pass\n",
			true, map[string]string{"TestX::test_a": "security smoke unit", "TestX::test_b": "smoke unit"}},
		{"from pytest import mark", "from pytest import mark\n@mark.unit\ndef test_a(): pass\n",
			true, map[string]string{"test_a": "unit"}},
		{"custom decorator", "unit = pytest.mark.unit\n@unit\ndef test_a(): pass\n", false, nil},
		{"pytestmark from a variable", "pytestmark = MARKS\ndef test_a(): pass\n", false, nil},
		{"param marks", "@pytest.mark.parametrize('n', [pytest.param(1, marks=pytest.mark.slow)])\ndef test_a(n): pass\n", false, nil},
		{"add_marker", "def test_a(request):\n    request.node.add_marker(pytest.mark.unit)\n", false, nil},
		{"base class", "class TestX(Base):\n    def test_a(self): pass\n", false, nil},
		{"no visible test", "from .shared import *\n", false, nil},
		{"docstring with brackets", "def test_a():\n    \"\"\"Checks (the\n    thing\"\"\"\n\n@pytest.mark.unit\ndef test_b(): pass\n", true, map[string]string{"test_a": "", "test_b": "unit"}},
	}
	for _, c := range cases {
		fm := ScanMarkers([]byte(c.src))
		if fm.Known != c.known {
			t.Errorf("%s: known = %v, want %v (%v)", c.name, fm.Known, c.known, fm.Tests)
			continue
		}
		if !c.known {
			continue
		}
		got := map[string]string{}
		for id, m := range fm.Tests {
			m = slices.Clone(m)
			slices.Sort(m)
			got[id] = strings.Join(slices.Compact(m), " ")
		}
		if !mapsEqual(got, c.tests) {
			t.Errorf("%s: tests = %q, want %q", c.name, got, c.tests)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestMayMatch(t *testing.T) {
	fm := ScanMarkers([]byte("pytestmark = [pytest.mark.integration]\n@pytest.mark.slow\ndef test_a(): pass\ndef test_b(): pass\n"))
	for expr, want := range map[string]bool{
		"": true, "integration": true, "unit": false, "integration and not slow": true,
		"slow and not integration": false, "unit or slow": true,
	} {
		m, err := ParseMarker(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := fm.MayMatch(m); got != want {
			t.Errorf("%q: MayMatch = %v, want %v", expr, got, want)
		}
	}
	unknown := FileMarks{Known: false}
	m, _ := ParseMarker("unit")
	if !unknown.MayMatch(m) {
		t.Error("a file whose markers are unknown must stay in every tier")
	}
}

// writeTree writes files under a new temporary root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestPlanLeavesOutAndKeeps(t *testing.T) {
	root := writeTree(t, map[string]string{
		"tests/test_unit.py":    "pytestmark = [pytest.mark.unit]\ndef test_a(): pass\n",
		"tests/test_int.py":     "pytestmark = [pytest.mark.integration]\ndef test_b(): pass\n",
		"tests/test_dynamic.py": "pytestmark = MARKS\ndef test_c(): pass\n",
		"tests/test_idle.py":    "pytestmark = MARKS\ndef test_d(): pass\n",
		"tests/test_new.py":     "@pytest.mark.unit\ndef test_e(): pass\n",
	})
	tm := shard.NewTimings()
	tm.Set("unit", "tests/test_unit.py::test_a", 10)
	tm.Set("unit", "tests/test_dynamic.py::test_c", 20)
	tm.Set("integration", "tests/test_idle.py::test_d", 5)
	tm.Set("integration", "tests/test_int.py::test_b", 7)
	p, err := Make(context.Background(), []Tier{{Name: "unit", Marker: "unit", Timeout: 5, Shards: 1}}, Options{Root: root, Timings: tm})
	if err != nil {
		t.Fatal(err)
	}
	tp := p.Tiers[0]
	// test_int.py: its markers exclude unit, left out. test_dynamic.py: ran
	// in unit. test_idle.py: markers unknown, ran only in integration: kept
	// at zero. test_new.py: unit, never timed: the mean of the timed (15).
	if got := strings.Join(tp.Jobs[0].Tests, " "); got != "tests/test_dynamic.py tests/test_idle.py tests/test_new.py tests/test_unit.py" {
		t.Errorf("tests = %s", got)
	}
	if tp.Jobs[0].PredictedSeconds != 45 || tp.Excluded != 1 || tp.Idle != 1 || tp.Timed != 2 {
		t.Errorf("predicted %v, excluded %d, idle %d, timed %d; want 45, 1, 1, 2", tp.Jobs[0].PredictedSeconds, tp.Excluded, tp.Idle, tp.Timed)
	}
}

func TestPlanConftestAddingMarkers(t *testing.T) {
	root := writeTree(t, map[string]string{
		"tests/conftest.py":        "def pytest_collection_modifyitems(items):\n    for i in items:\n        i.add_marker('unit')\n",
		"tests/sub/test_plain.py":  "def test_a(): pass\n",
		"other/test_plain_also.py": "def test_b(): pass\n",
	})
	p, err := Make(context.Background(), []Tier{{Name: "unit", Marker: "unit", Timeout: 5, Shards: 1}},
		Options{Root: root, Paths: []string{"tests/**/test_*.py", "other/test_*.py"}})
	if err != nil {
		t.Fatal(err)
	}
	// Under the conftest that adds markers the file stays; the other file is
	// left out.
	if got := strings.Join(p.Tiers[0].Jobs[0].Tests, " "); got != "tests/sub/test_plain.py" {
		t.Errorf("tests = %s", got)
	}
}

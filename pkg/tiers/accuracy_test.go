package tiers

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/shard"
)

// TestPlanAccuracy plans a suite of TimeTracker's shape with timings from
// an earlier run and compares each shard's prediction with what the next
// run takes. The suite is TIERS_SUITE (a copy of a real repository, as
// scripts/bench-plan.sh passes it) or, by default, a generated one with the
// same shape: 230 files, 94 with module pytestmark, decorators elsewhere.
//
// Durations are simulated, as JUnit would report them: each test has a
// true duration (log-normal, seeded by its id; integration and database
// tests slower); the earlier run and the next run each see it with ±5%
// noise. A shard's actual time is the sum over the tests its files run
// under the tier's marker.
func TestPlanAccuracy(t *testing.T) {
	root := os.Getenv("TIERS_SUITE")
	if root == "" {
		root = generateSuite(t)
	}
	ctx := context.Background()
	files, err := Glob(ctx, root, DefaultPaths())
	if err != nil {
		t.Fatal(err)
	}
	marks := newMarkReader(mustJail(t, root))
	type test struct {
		id    string
		marks []string
		true_ float64
	}
	var tests []test
	for _, f := range files {
		fm, err := marks.read(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for id, m := range fm.Tests {
			tests = append(tests, test{f + "::" + id, m, trueSeconds(f+"::"+id, m)})
		}
	}
	sort.Slice(tests, func(i, j int) bool { return tests[i].id < tests[j].id })
	tiers := []Tier{
		{Name: "smoke", Marker: "smoke", Timeout: 5, Shards: 2},
		{Name: "unit", Marker: "unit", Timeout: 10, Shards: 4},
		{Name: "integration", Marker: "integration", Timeout: 15, Shards: 4},
		{Name: "security", Marker: "security", Timeout: 10, Shards: 1},
		{Name: "database", Marker: "database", Timeout: 15, Shards: 1},
	}
	selected := func(tr Tier, tc test) bool {
		m, _ := ParseMarker(tr.Marker)
		return m.Match(func(n string) bool { return containsString(tc.marks, n) })
	}
	// The earlier run: every tier ran whole.
	earlier := shard.NewTimings()
	for _, tr := range tiers {
		for _, tc := range tests {
			if selected(tr, tc) {
				earlier.Set(tr.Name, tc.id, tc.true_*noise(tc.id, "earlier"))
			}
		}
	}
	p, err := Make(ctx, tiers, Options{Root: root, Timings: earlier})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("suite: %d files, %d tests (%s)", len(files), len(tests), map[bool]string{true: "generated", false: "TIERS_SUITE"}[os.Getenv("TIERS_SUITE") == ""])
	for _, tp := range p.Tiers {
		// The next run: what each shard's files and node ids select.
		actual := make([]float64, len(tp.Jobs))
		perFile := map[string]float64{}
		var total float64
		for _, tc := range tests {
			if !selected(tp.Tier, tc) {
				continue
			}
			s := tc.true_ * noise(tc.id, "next")
			file, _, _ := strings.Cut(tc.id, "::")
			perFile[file] += s
			total += s
			found := false
			for i, j := range tp.Jobs {
				if runsIn(j, tc.id) {
					actual[i] += s
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %s selected by the marker but in no shard", tp.Name, tc.id)
			}
		}
		var longest, makespan float64
		for _, s := range perFile {
			longest = math.Max(longest, s)
		}
		worst := 0.0
		for i, j := range tp.Jobs {
			makespan = math.Max(makespan, actual[i])
			if actual[i] > 0 {
				worst = math.Max(worst, math.Abs(j.PredictedSeconds-actual[i])/actual[i])
			} else if j.PredictedSeconds > 0 {
				worst = math.Inf(1)
			}
		}
		bound := math.Max(longest, total/float64(len(tp.Jobs)))
		over := 0.0
		if bound > 0 {
			over = makespan/bound - 1
		}
		var pred []string
		for i, j := range tp.Jobs {
			pred = append(pred, fmt.Sprintf("%.1f/%.1f", j.PredictedSeconds, actual[i]))
		}
		t.Logf("%-11s files %3d of %d (left out %d)  shards %d  makespan %.1fs  bound %.1fs  over %+.1f%% (goal <= 5%%)  worst shard prediction error %.1f%% (goal <= 10%%)  predicted/actual %s",
			tp.Name, tp.Files, len(files), tp.Excluded, len(tp.Jobs), makespan, bound, 100*over, 100*worst, strings.Join(pred, " "))
		if over > 0.05 {
			t.Errorf("%s: makespan %.1fs is %.1f%% over the bound %.1fs", tp.Name, makespan, 100*over, bound)
		}
		if worst > 0.10 {
			t.Errorf("%s: a shard's prediction is %.1f%% off its actual time", tp.Name, 100*worst)
		}
	}
}

// runsIn reports whether a shard runs a test: its file is listed and the
// test not deselected, or its node id is listed.
func runsIn(j ShardPlan, id string) bool {
	file, _, _ := strings.Cut(id, "::")
	for _, d := range j.Deselect {
		if id == d || strings.HasPrefix(id, d+"[") || strings.HasPrefix(id, d+"::") {
			return false
		}
	}
	for _, x := range j.Tests {
		if x == file || x == id || strings.HasPrefix(id, x+"::") || strings.HasPrefix(id, x+"[") {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// trueSeconds is a test's duration: log-normal around 0.3 s (unit, smoke)
// or 1.2 s (integration, database, api), seeded by its id.
func trueSeconds(id string, marks []string) float64 {
	r := rand.New(rand.NewPCG(hash64(id), 1))
	median := 0.3
	for _, m := range marks {
		if m == "integration" || m == "database" || m == "api" {
			median = 1.2
		}
	}
	return median * math.Exp(r.NormFloat64())
}

// noise is a run's deviation from the true duration: ±5%.
func noise(id, run string) float64 {
	r := rand.New(rand.NewPCG(hash64(id, run), 2))
	return 0.95 + 0.1*r.Float64()
}

// generateSuite writes a suite of TimeTracker's shape: 230 files; 94 with
// module pytestmark (40 api+integration, 13 integration, 9 unit+models,
// 7 unit, 6 unit+utils, 6 unit+routes, 7 integration+routes, 5 skip,
// 1 routes), the other 136 with decorators per test (unit, smoke,
// security, database, models...) or none.
func generateSuite(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	r := rand.New(rand.NewPCG(12, 0))
	var modules [][]string
	add := func(n int, marks ...string) {
		for range n {
			modules = append(modules, marks)
		}
	}
	add(40, "api", "integration")
	add(13, "integration")
	add(9, "unit", "models")
	add(7, "unit")
	add(6, "unit", "utils")
	add(6, "unit", "routes")
	add(7, "integration", "routes")
	add(5, "skip")
	add(1, "routes")
	decorated := [][]string{{"unit"}, {"unit", "models"}, {"smoke"}, {"smoke", "routes"}, {"integration"}, {"security"}, {"database"}, {"routes"}, {}}
	weights := []int{30, 12, 24, 10, 16, 4, 2, 12, 10}
	pick := func() []string {
		n := r.IntN(120)
		for i, w := range weights {
			if n < w {
				return decorated[i]
			}
			n -= w
		}
		return nil
	}
	for i := range 230 {
		var b strings.Builder
		b.WriteString("import pytest\n\n")
		if i < len(modules) {
			var ms []string
			for _, m := range modules[i] {
				ms = append(ms, "pytest.mark."+m)
			}
			fmt.Fprintf(&b, "pytestmark = [%s]\n\n", strings.Join(ms, ", "))
		}
		n := 2 + r.IntN(25)
		fileMarks := pick()
		b.WriteString("class TestThings:\n")
		for k := range n {
			if i >= len(modules) {
				marks := fileMarks
				if r.IntN(4) == 0 {
					marks = pick()
				}
				for _, m := range marks {
					fmt.Fprintf(&b, "    @pytest.mark.%s\n", m)
				}
			}
			fmt.Fprintf(&b, "    def test_%d(self):\n        assert True\n\n", k)
		}
		p := filepath.Join(root, "tests", fmt.Sprintf("test_gen_%03d.py", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

package testreport

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/tiers"
)

// MaxSlowest is how many of the slowest tests a report lists.
const MaxSlowest = 20

// tally turns the merged state into the report: counts per tier, the
// failures and flaky tests kept, the shards, and the verdict.
func (c *collector) tally(nfiles int) *Report {
	o := c.o
	r := &Report{options: o, Files: c.files, FileErrors: c.fileErrors, timings: c.timings}
	c.timings.names = c.tierNames
	order := c.tierOrder()
	rank := make(map[string]int, len(order))
	byTier := make(map[string]*TierResult, len(order))
	for i, name := range order {
		rank[name] = i
		byTier[name] = &TierResult{Name: name, Files: c.tierFiles[name]}
	}
	c.table.each(func(_ uint64, v uint32) {
		st := stateStatus(v)
		flaky := st == junit.StatusPassed && stateSawFail(v)
		byTier[c.tierNames[stateTier(v)]].Counts.add(st, flaky, 0)
	})
	for i, secs := range c.tierSecs {
		byTier[c.tierNames[i]].Counts.Seconds += secs
	}
	for _, s := range c.shards {
		r.Shards = append(r.Shards, *s)
	}
	for _, name := range order {
		tr := byTier[name]
		r.Tiers = append(r.Tiers, *tr)
		r.Counts.Add(tr.Counts)
	}
	slices.SortFunc(r.Shards, func(a, b ShardResult) int {
		return cmp.Or(cmp.Compare(rank[a.Tier], rank[b.Tier]), cmp.Compare(a.Shard, b.Shard))
	})
	c.lists(r, rank)
	c.verdict(r, nfiles)
	return r
}

// tierOrder: tiers in plan order, then the built-in tiers in their usual
// order, then others by name, then the files of no tier.
func (c *collector) tierOrder() []string {
	var planned, others []string
	seen := map[string]bool{}
	if c.o.Plan != nil {
		for _, tp := range c.o.Plan.Tiers {
			if !seen[tp.Name] {
				seen[tp.Name] = true
				planned = append(planned, tp.Name)
			}
		}
	}
	for _, name := range c.tierNames {
		if !seen[name] {
			seen[name] = true
			others = append(others, name)
		}
	}
	for name := range c.tierFiles {
		if !seen[name] {
			seen[name] = true
			others = append(others, name)
		}
	}
	builtin := map[string]int{}
	for i, t := range tiers.Defaults() {
		builtin[t.Name] = i + 1
	}
	slices.SortFunc(others, func(a, b string) int {
		if (a == "") != (b == "") {
			if a == "" {
				return 1
			}
			return -1
		}
		ra, rb := builtin[a], builtin[b]
		if ra == 0 {
			ra = len(builtin) + 1
		}
		if rb == 0 {
			rb = len(builtin) + 1
		}
		return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a, b))
	})
	return append(planned, others...)
}

// lists fills in the failures, flaky tests and slowest tests kept, with
// their final status, by tier then id.
func (c *collector) lists(r *Report, rank map[string]int) {
	for h, k := range c.kept {
		v, _ := c.table.get(h)
		k.Status = stateStatus(v)
		k.Flaky = k.Status == junit.StatusPassed && stateSawFail(v)
		switch {
		case failing(k.Status):
			r.Failures = append(r.Failures, *k)
		case k.Flaky:
			r.FlakyTests = append(r.FlakyTests, *k)
		}
	}
	byTierThenID := func(a, b Test) int {
		return cmp.Or(cmp.Compare(rank[a.Tier], rank[b.Tier]), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(r.Failures, byTierThenID)
	slices.SortFunc(r.FlakyTests, byTierThenID)
	r.Unlisted = r.Counts.Failed + r.Counts.Errors - len(r.Failures)
	c.locate(r.Failures)
	c.locate(r.FlakyTests)
	for _, it := range c.slow.items {
		t := it.t
		if v, ok := c.table.get(it.h); ok {
			t.Status = stateStatus(v)
			t.Flaky = t.Status == junit.StatusPassed && stateSawFail(v)
		}
		r.Slowest = append(r.Slowest, t)
	}
	slices.SortFunc(r.Slowest, func(a, b Test) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), strings.Compare(a.ID, b.ID))
	})
}

// verdict lists the problems besides failing tests and concludes.
func (c *collector) verdict(r *Report, nfiles int) {
	o := c.o
	r.FileErrors = append(r.FileErrors, o.CoverageErrors...)
	for _, fe := range r.FileErrors {
		loc := fe.File
		if fe.Line > 0 {
			loc += ":" + strconv.Itoa(fe.Line)
		}
		r.Problems = append(r.Problems, fmt.Sprintf("result file %s could not be read: %s", loc, fe.Msg))
	}
	for _, s := range r.Shards {
		if s.Planned && !s.Reported {
			r.Problems = append(r.Problems, fmt.Sprintf("shard %s %d did not report: no readable %s was found; check that the job ran and uploaded its results", tierLabel(s.Tier), s.Shard, tiers.ResultName("junit", s.Tier, s.Shard, 1)))
		}
	}
	if nfiles == 0 {
		r.Problems = append(r.Problems, "no test results were found: check the files globs and that the tests wrote JUnit XML (pytest --junitxml=…)")
	}
	if o.MinTests > 0 {
		for _, tr := range r.Tiers {
			if ran := tr.Counts.Ran(); ran < o.MinTests && tr.Files > 0 {
				r.Problems = append(r.Problems, fmt.Sprintf("tier %s: %d tests ran (%d skipped), fewer than min-tests %d: check the tier's marker and paths, or lower min-tests", tierLabel(tr.Name), ran, tr.Counts.Skipped, o.MinTests))
			}
		}
	}
	if o.FailOnFlaky && r.Counts.Flaky > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d flaky tests and fail-on-flaky is set", r.Counts.Flaky))
	}
	c.coverage(r)
	r.Conclusion = "success"
	if r.Counts.Failed+r.Counts.Errors > 0 || len(r.Problems) > 0 {
		r.Conclusion = "failure"
	}
}

// Add adds the counts of o to c.
func (c *Counts) Add(o Counts) {
	c.Total += o.Total
	c.Passed += o.Passed
	c.Failed += o.Failed
	c.Errors += o.Errors
	c.Skipped += o.Skipped
	c.Flaky += o.Flaky
	c.Seconds += o.Seconds
}

func tierLabel(t string) string {
	if t == "" {
		return "tests"
	}
	return t
}

// slowest keeps the slowest tests by their latest reading.
type slowest struct {
	max   int
	items []slowItem
	at    map[uint64]int // hash → index in items
	floor float64        // the fastest kept, once full
}

type slowItem struct {
	h uint64
	t Test
}

// consider offers a reading; t is called only for one that is kept.
func (s *slowest) consider(h uint64, secs float64, t func() Test) {
	if i, ok := s.at[h]; ok {
		s.items[i].t = t() // a later reading replaces an earlier one
		s.refloor()
		return
	}
	if !(secs > 0) || len(s.items) == s.max && !(secs > s.floor) {
		return
	}
	if s.at == nil {
		s.at = map[uint64]int{}
	}
	if len(s.items) < s.max {
		s.items = append(s.items, slowItem{h, t()})
		s.at[h] = len(s.items) - 1
		s.refloor()
		return
	}
	low := 0
	for i, it := range s.items {
		if it.t.Seconds < s.items[low].t.Seconds {
			low = i
		}
	}
	delete(s.at, s.items[low].h)
	s.items[low] = slowItem{h, t()}
	s.at[h] = low
	s.refloor()
}

func (s *slowest) refloor() {
	if len(s.items) < s.max {
		return
	}
	s.floor = s.items[0].t.Seconds
	for _, it := range s.items {
		s.floor = min(s.floor, it.t.Seconds)
	}
}

// maxFuncTimings bounds the test functions whose durations are kept for
// the next plan. Past it, every tier's timings are per file: the plan then
// weighs files only and does not split them into functions.
const maxFuncTimings = 50_000

// timingAgg sums durations for the next plan at the granularity the plan
// uses: per file, and per test function (parameters dropped, as the plan's
// splitting does) until maxFuncTimings. The latest attempt's durations
// replace an earlier attempt's.
type timingAgg struct {
	seed  maphash.Seed
	names []string // tier names by index
	files map[uint64]*timing
	funcs map[uint64]*timing // nil once folded to files
}

type timing struct {
	tier    uint16
	id      string
	secs    float64
	attempt int
	timed   bool // a test that ran (not skipped) contributed
}

func newTimingAgg() *timingAgg {
	return &timingAgg{seed: maphash.MakeSeed(), files: map[uint64]*timing{}, funcs: map[uint64]*timing{}}
}

func (a *timingAgg) key(tier uint16, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(a.seed)
	h.WriteByte(byte(tier))
	h.WriteByte(byte(tier >> 8))
	for _, p := range parts {
		h.WriteString(p)
	}
	return h.Sum64()
}

func (a *timingAgg) add(tier uint16, id ident, c junit.Case, attempt int) {
	timed := c.Status != junit.StatusSkipped
	if id.file != "" {
		k := a.key(tier, id.file)
		e := a.files[k]
		if e == nil {
			e = &timing{tier: tier, id: id.file, attempt: attempt}
			a.files[k] = e
		}
		if timed {
			e.record(c.Time, attempt)
		}
	}
	if !timed || a.funcs == nil {
		return
	}
	fn := c.Name
	if i := strings.IndexByte(fn, '['); i >= 0 {
		fn = fn[:i]
	}
	k := a.key(tier, "\x00", id.prefix, fn)
	e := a.funcs[k]
	if e == nil {
		if len(a.funcs) >= maxFuncTimings {
			a.funcs = nil // per file from here on
			return
		}
		e = &timing{tier: tier, id: id.prefix + fn, attempt: attempt}
		a.funcs[k] = e
	}
	e.record(c.Time, attempt)
}

func (e *timing) record(secs float64, attempt int) {
	switch {
	case !e.timed || attempt > e.attempt:
		e.secs, e.attempt = secs, attempt
	case attempt == e.attempt:
		e.secs += secs
	}
	e.timed = true
}

// Timings are the durations of the tests that ran, for the next plan, per
// test function (parameters summed) or, for very large suites, per file.
// With a plan, a planned file of a reporting shard that ran no test of its
// tier (its tests carry other markers) is recorded as taking 0 seconds, so
// the next plan does not weigh it as a new file with the mean.
func (r *Report) Timings() *shard.Timings {
	tm := shard.NewTimings()
	a := r.timings
	if a == nil {
		return tm
	}
	ran := map[[2]string]bool{}
	for _, e := range a.files {
		ran[[2]string{a.names[e.tier], e.id}] = true
		if a.funcs == nil && e.timed {
			tm.Set(a.names[e.tier], e.id, e.secs)
		}
	}
	for _, e := range a.funcs {
		tm.Set(a.names[e.tier], e.id, e.secs)
	}
	if p := r.options.Plan; p != nil {
		reported := map[[2]string]bool{}
		for _, s := range r.Shards {
			if s.Reported {
				reported[[2]string{s.Tier, strconv.Itoa(s.Shard)}] = true
			}
		}
		for _, tp := range p.Tiers {
			for _, j := range tp.Jobs {
				if !reported[[2]string{tp.Name, strconv.Itoa(j.Shard)}] {
					continue
				}
				for _, f := range j.Tests {
					if !strings.Contains(f, "::") && !ran[[2]string{tp.Name, f}] {
						tm.Set(tp.Name, f, 0)
					}
				}
			}
		}
	}
	return tm
}

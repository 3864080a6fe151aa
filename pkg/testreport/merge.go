package testreport

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// The merger keeps what the verdict needs of every test in 12 bytes: a
// 64-bit hash of its tier and id, and 32 bits of state: its status,
// whether it ever failed, its latest attempt, its tier and its time (as a
// 15-bit float, to take it out of the tier's total when a later attempt
// replaces it). Names, messages and exact times are kept only for what the
// report lists (failures, flaky tests, the slowest tests, up to their
// caps) and, for the next plan, per file and function (see timingAgg). So
// memory grows with the files and the failures kept, not with the tests
// read.

// state bits of a test.
const (
	stStatus   = 0x3 // junit.Status
	stSawFail  = 1 << 2
	attShift   = 3
	attMask    = 0x1f
	tierShift  = 8
	tierMask   = 0x1ff
	secsShift  = 17
	maxAttempt = attMask // attempts past 31 count as the 31st
	// MaxTiers is how many distinct tiers one report can merge.
	MaxTiers = tierMask + 1
)

func packState(s junit.Status, sawFail bool, attempt int, tier uint16, secs float64) uint32 {
	v := uint32(s) & stStatus
	if sawFail {
		v |= stSawFail
	}
	return v | uint32(min(attempt, maxAttempt))<<attShift | uint32(tier)<<tierShift | encodeSeconds(secs)<<secsShift
}

func stateStatus(v uint32) junit.Status { return junit.Status(v & stStatus) }
func stateSawFail(v uint32) bool        { return v&stSawFail != 0 }
func stateAttempt(v uint32) int         { return int(v >> attShift & attMask) }
func stateTier(v uint32) uint16         { return uint16(v >> tierShift & tierMask) }
func stateSeconds(v uint32) float64     { return decodeSeconds(v >> secsShift) }

// encodeSeconds packs a duration in 15 bits: a 5-bit exponent and a
// 10-bit mantissa (relative error under 0.1%), from 61 µs to 36 hours; 0
// is zero.
func encodeSeconds(s float64) uint32 {
	if !(s > 0) {
		return 0
	}
	b := math.Float32bits(float32(s))
	e := int(b>>23&0xff) - 127
	switch {
	case e < -14:
		return 0
	case e > 16:
		return 31<<10 | 0x3ff
	}
	return uint32(e+15)<<10 | b>>13&0x3ff
}

func decodeSeconds(c uint32) float64 {
	if c == 0 {
		return 0
	}
	return math.Ldexp(1+float64(c&0x3ff)/1024, int(c>>10)-15)
}

// testTable is an open-addressing hash table from a test's hash to its
// state: one flat array of 12-byte slots (the hash's two halves and the
// state side by side, so a probe costs one cache miss, not one in a key
// array and another in a state array), no pointers for the garbage
// collector to scan. Hash 0 marks an empty slot (a test hashing to 0 is
// stored as 1).
type testTable struct {
	slots []testSlot
	n     int
}

type testSlot struct{ lo, hi, val uint32 }

func (s *testSlot) key() uint64 { return uint64(s.hi)<<32 | uint64(s.lo) }

// newTestTable sizes the table for hint tests at most 75% full. Sizes are
// not powers of two (a slot is found by multiplying the hash), so the
// table for a million tests takes 16 MB rather than 25.
func newTestTable(hint int) *testTable {
	return &testTable{slots: make([]testSlot, max(1024, hint*4/3+1))}
}

// slot returns where h is or would go.
func (t *testTable) slot(h uint64) (int, bool) {
	size := uint64(len(t.slots))
	i, _ := bits.Mul64(h, size)
	lo, hi := uint32(h), uint32(h>>32)
	for {
		s := &t.slots[i]
		if s.lo == lo && s.hi == hi {
			return int(i), true
		}
		if s.lo == 0 && s.hi == 0 {
			return int(i), false
		}
		if i++; i == size {
			i = 0
		}
	}
}

// get returns the state of h.
func (t *testTable) get(h uint64) (uint32, bool) {
	i, ok := t.slot(h)
	return t.slots[i].val, ok
}

// put sets the state of h.
func (t *testTable) put(h uint64, v uint32) {
	i, _ := t.upsert(h)
	t.slots[i].val = v
}

// upsert finds h, adding it (with state 0) when absent: one probe of the
// table where a get and a put would take two.
func (t *testTable) upsert(h uint64) (i int, found bool) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	i, found = t.slot(h)
	if !found {
		t.slots[i].lo, t.slots[i].hi = uint32(h), uint32(h>>32)
		t.n++
	}
	return i, found
}

func (t *testTable) grow() {
	old := t.slots
	t.slots = make([]testSlot, len(old)+len(old)/2) // by half: the old and new tables coexist while copying
	for i := range old {
		if h := old[i].key(); h != 0 {
			j, _ := t.slot(h)
			t.slots[j] = old[i]
		}
	}
}

// each calls fn for every test.
func (t *testTable) each(fn func(h uint64, v uint32)) {
	for i := range t.slots {
		if h := t.slots[i].key(); h != 0 {
			fn(h, t.slots[i].val)
		}
	}
}

// ident is how a case's classname and file attribute map to a test id:
// the id is prefix + name; file is the workspace file, if known.
type ident struct{ file, prefix string }

// maxIdents bounds the cache of (file attribute, classname) pairs.
const maxIdents = 1 << 16

// keptBudget bounds the message and detail bytes of the tests kept for
// the report; past it, details of further kept tests are cut to 1 KiB.
const keptBudget = 16 << 20

type builder struct {
	o         Options
	seed      maphash.Seed
	table     *testTable
	tierNames []string
	tierIdx   map[string]uint16
	idents    map[[2]string]ident
	resolved  map[string]resolution
	fileLines map[string]map[string]int // file → function name → line of its def
	rootJail  *workspace.Workspace      // Root as a jail, for classname resolution

	tierSecs  []float64        // test time by tier: each test's latest attempt
	kept      map[uint64]*Test // failing or flaky at some point, up to MaxFailures
	keptBytes int
	slow      slowest
	timings   *timingAgg
}

func newBuilder(o Options, hint int) *builder {
	b := &builder{
		o: o, seed: maphash.MakeSeed(), table: newTestTable(hint),
		tierIdx: map[string]uint16{}, idents: map[[2]string]ident{},
		resolved: map[string]resolution{}, fileLines: map[string]map[string]int{},
		kept: map[uint64]*Test{}, slow: slowest{max: MaxSlowest}, timings: newTimingAgg(),
	}
	b.rootJail = o.Jail
	if b.rootJail == nil && o.Root != "" {
		// Classnames are resolved through a jail at Root even for library
		// callers without one (os.Root closes itself when collected).
		if w, err := workspace.Open(o.Root); err == nil {
			b.rootJail = w
		}
	}
	return b
}

// tier is the index of a tier's name; past MaxTiers it is an error.
func (b *builder) tier(name string) (uint16, error) {
	if i, ok := b.tierIdx[name]; ok {
		return i, nil
	}
	if len(b.tierNames) >= MaxTiers {
		return 0, fmt.Errorf("more than %d tiers in one report: merge fewer tiers per report", MaxTiers)
	}
	i := uint16(len(b.tierNames))
	b.tierIdx[name] = i
	b.tierNames = append(b.tierNames, name)
	b.tierSecs = append(b.tierSecs, 0)
	return i, nil
}

func (b *builder) rel(p string) string {
	if b.o.Root != "" && filepath.IsAbs(p) {
		if r, err := filepath.Rel(b.o.Root, p); err == nil && !strings.HasPrefix(r, "..") {
			p = r
		}
	}
	return filepath.ToSlash(p)
}

// identify maps a case to its file (relative) and id prefix: the pytest
// node id when the file is known (from the file attribute or the dotted
// classname), else classname::name.
func (b *builder) identify(c junit.Case) ident {
	k := [2]string{c.File, c.Classname}
	if id, ok := b.idents[k]; ok {
		return id
	}
	var id ident
	switch res := b.resolve(c.Classname); {
	case c.File != "":
		id.file = b.rel(c.File)
		id.prefix = id.file + "::"
		if res.file == id.file && res.classes != "" {
			id.prefix += res.classes + "::"
		}
	case res.file != "":
		id.file, id.prefix = res.file, res.file+"::"
		if res.classes != "" {
			id.prefix += res.classes + "::"
		}
	case c.Classname != "":
		id.prefix = c.Classname + "::"
	}
	if len(b.idents) < maxIdents {
		b.idents[k] = id
	}
	return id
}

func (b *builder) hash(scope string, id ident, name string) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	h.WriteString(scope)
	h.WriteByte(0)
	h.WriteString(id.prefix)
	h.WriteString(name)
	if s := h.Sum64(); s != 0 {
		return s
	}
	return 1
}

// statusRank orders results of one attempt: error > failure > passed > skipped.
func statusRank(s junit.Status) int {
	switch s {
	case junit.StatusError:
		return 3
	case junit.StatusFailed:
		return 2
	case junit.StatusPassed:
		return 1
	}
	return 0
}

func failing(s junit.Status) bool { return s == junit.StatusFailed || s == junit.StatusError }

// add merges one case. A test id counts once in its tier however often it
// ran: across attempts the latest attempt decides (an earlier failure makes
// a later pass flaky); within one attempt the worse result stands (error >
// failure > passed > skipped), so a pass never hides a failure.
func (b *builder) add(fi fileInfo, scope string, tier uint16, c junit.Case) {
	id := b.identify(c)
	h := b.hash(scope, id, c.Name)
	b.timings.add(tier, id, c, fi.attempt)
	slot, seen := b.table.upsert(h)
	old := b.table.slots[slot].val
	st, saw, secs := c.Status, c.Flaky, c.Time
	b.tierSecs[tier] += c.Time
	switch {
	case !seen:
	case min(fi.attempt, maxAttempt) > stateAttempt(old):
		saw = saw || stateSawFail(old) || failing(stateStatus(old))
		b.tierSecs[tier] -= stateSeconds(old) // the latest attempt's time counts
	default: // the same attempt (files are read oldest attempt first): times add up
		saw = saw || stateSawFail(old)
		secs += stateSeconds(old)
		if statusRank(stateStatus(old)) > statusRank(st) {
			st = stateStatus(old)
		}
	}
	b.table.slots[slot].val = packState(st, saw, max(fi.attempt, stateAttempt(old)), tier, secs)
	b.slow.consider(h, c.Time, func() Test {
		return Test{Tier: fi.tier, ID: id.prefix + c.Name, File: id.file, Line: c.Line, Status: c.Status, Seconds: c.Time,
			Attempts: 1, Runs: max(c.Runs, 1), Shard: fi.shard}
	})
	prev := 0
	if seen {
		prev = stateAttempt(old)
	}
	b.keep(fi, h, id, c, prev)
}

// keep records the names and messages of a test that failed (or was flaky
// within a file) for the report's lists, up to MaxFailures tests.
// prevAttempt is the latest attempt that reported it before (0: none).
func (b *builder) keep(fi fileInfo, h uint64, id ident, c junit.Case, prevAttempt int) {
	k := b.kept[h]
	bad := failing(c.Status) || c.Flaky
	if k == nil && (!bad || len(b.kept) >= b.o.MaxFailures) {
		return
	}
	t := Test{Tier: fi.tier, ID: id.prefix + c.Name, File: id.file, Line: c.Line, Status: c.Status, Flaky: c.Flaky, Seconds: c.Time,
		Attempts: 1, Runs: max(c.Runs, 1), Shard: fi.shard, attempt: fi.attempt}
	if bad {
		t.Message, t.Type, t.Detail = c.Message, c.Type, clip(c.Detail, maxKeptDetail)
		if b.keptBytes > keptBudget {
			t.Detail = clip(t.Detail, 1<<10)
		}
		b.keptBytes += len(t.Message) + len(t.Detail)
	}
	switch {
	case k == nil:
		if prevAttempt > 0 && prevAttempt < fi.attempt {
			t.Attempts = 2 // an earlier attempt reported it (passing): only its count is known
		}
		b.kept[h] = &t
	case fi.attempt > k.attempt:
		prev := *k
		*k = t
		k.Attempts, k.Runs = prev.Attempts+1, prev.Runs+t.Runs
		if !bad && t.Status == junit.StatusPassed {
			// Keep the failure that made it flaky, for the report.
			k.Message, k.Type, k.Detail = prev.Message, prev.Type, prev.Detail
		}
	default: // the same attempt: the worse result stands
		runs, secs := k.Runs+t.Runs, k.Seconds+t.Seconds
		if statusRank(t.Status) > statusRank(k.Status) {
			attempts := k.Attempts
			*k = t
			k.Attempts = attempts
		}
		k.Runs, k.Seconds = runs, secs
		k.Flaky = k.Flaky || c.Flaky
	}
}

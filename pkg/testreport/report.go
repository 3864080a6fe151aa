package testreport

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/tiers"
)

// ParseFunc reads one results stream, calling fn per test case.
type ParseFunc func(ctx context.Context, r io.Reader, fn func(junit.Case) error) (junit.Stats, error)

// Coverage is a merged coverage report.
type Coverage interface {
	Percent() float64
	Line(file string, line int) (hits int, known bool)
}

// Options configure Build.
type Options struct {
	Root        string      // the workspace: paths are shown relative to it, classnames resolved in it
	Attempt     int         // attempt of files whose name carries none; 1 when zero
	Plan        *tiers.Plan // test-plan's plan: shards that must report, predictions
	MinTests    int         // tests that must run per tier (skipped ones do not count); 0 disables
	FailOnFlaky bool
	GoTestJSON  ParseFunc // reader of `go test -json` streams; such files are errors when nil

	Coverage              Coverage         // nil when no coverage was collected
	CoverageThreshold     float64          // percent; 0 disables
	ChangedLines          map[string][]int // lines changed since the base (diff coverage); nil disables
	DiffCoverageThreshold float64          // percent; 0 disables
	DiffCoverageErr       error            // why changed lines could not be read (shallow clone...): fails a diff gate

	MaxFailures int // failures kept with their messages; the rest are counted (default 10000)

	// SourceURL, when set, links failure locations in the summary: the
	// file's path is appended ("https://github.com/o/r/blob/<sha>/dir/").
	SourceURL string

	// CoverageErrors are coverage files that could not be read (from
	// CoverageFiles): reported like unreadable result files, and failing.
	CoverageErrors []FileError
}

// Counts are test totals. Flaky tests are counted in Passed too.
type Counts struct {
	Total   int     `json:"total"`
	Passed  int     `json:"passed"`
	Failed  int     `json:"failed"`
	Errors  int     `json:"errors"`
	Skipped int     `json:"skipped"`
	Flaky   int     `json:"flaky"`
	Seconds float64 `json:"seconds"`
}

// Ran is the number of tests that ran (not skipped).
func (c Counts) Ran() int { return c.Passed + c.Failed + c.Errors }

func (c *Counts) add(s junit.Status, flaky bool, secs float64) {
	c.Total++
	c.Seconds += secs
	switch s {
	case junit.StatusPassed:
		c.Passed++
		if flaky {
			c.Flaky++
		}
	case junit.StatusSkipped:
		c.Skipped++
	case junit.StatusFailed:
		c.Failed++
	case junit.StatusError:
		c.Errors++
	}
}

// Test is one test's merged result.
type Test struct {
	Tier     string       `json:"tier"`
	ID       string       `json:"id"`
	File     string       `json:"file,omitempty"`
	Line     int          `json:"line,omitempty"`
	Status   junit.Status `json:"-"` // in JSON as "result": passed, failed, error, skipped or flaky
	Flaky    bool         `json:"flaky,omitempty"`
	Seconds  float64      `json:"seconds"`
	Attempts int          `json:"attempts"` // attempts that reported the test
	Runs     int          `json:"runs"`     // executions, reruns included
	Message  string       `json:"message,omitempty"`
	Type     string       `json:"type,omitempty"`
	Detail   string       `json:"-"`
	Shard    int          `json:"shard,omitempty"`
}

// StatusName is the status as a word, flaky included.
func (t Test) StatusName() string {
	if t.Flaky && t.Status == junit.StatusPassed {
		return "flaky"
	}
	return t.Status.String()
}

// MarshalJSON adds the result as a word.
func (t Test) MarshalJSON() ([]byte, error) {
	type plain Test
	return json.Marshal(struct {
		plain
		Result string `json:"result"`
	}{plain(t), t.StatusName()})
}

// TierResult is one tier's totals.
type TierResult struct {
	Name   string `json:"name"`
	Counts Counts `json:"counts"`
	Files  int    `json:"files"`
}

// ShardResult compares a planned (or reported) shard with what it did.
type ShardResult struct {
	Tier             string  `json:"tier"`
	Shard            int     `json:"shard"`
	Planned          bool    `json:"planned"`
	Reported         bool    `json:"reported"`
	Attempts         []int   `json:"attempts,omitempty"`
	PredictedSeconds float64 `json:"predicted-seconds"`
	ActualSeconds    float64 `json:"actual-seconds"` // test time of the latest attempt
	Tests            int     `json:"tests"`
}

// FileError is a result file that could not be read.
type FileError struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Msg  string `json:"message"`
}

// Report is the merged result.
type Report struct {
	Counts       Counts        `json:"counts"`
	Tiers        []TierResult  `json:"tiers"`
	Shards       []ShardResult `json:"shards,omitempty"`
	Failures     []Test        `json:"failures,omitempty"` // failed and errored, up to MaxFailures, by tier then id
	Unlisted     int           `json:"unlisted-failures,omitempty"`
	FlakyTests   []Test        `json:"flaky-tests,omitempty"`
	FileErrors   []FileError   `json:"file-errors,omitempty"`
	Files        int           `json:"files"`
	Coverage     *float64      `json:"coverage,omitempty"`
	DiffCoverage *float64      `json:"diff-coverage,omitempty"`
	DiffLines    int           `json:"diff-lines,omitempty"` // coverable changed lines
	DiffCovered  int           `json:"diff-covered,omitempty"`
	DiffMissed   []FileLines   `json:"diff-missed,omitempty"`
	Problems     []string      `json:"problems,omitempty"` // why the run fails, besides failing tests
	Conclusion   string        `json:"conclusion"`         // success or failure

	tests   []*Test // every test, for the full summary and timings
	options Options
}

// FileLines are lines of one file.
type FileLines struct {
	File  string `json:"file"`
	Lines []int  `json:"lines"`
}

// Tests returns every merged test, by tier then id.
func (r *Report) Tests() []*Test { return r.tests }

// Passed reports whether the run succeeded.
func (r *Report) Passed() bool { return r.Conclusion == "success" }

type entry struct {
	t        Test
	attempt  int
	sawFail  bool   // some run before the final one failed or errored
	lastPath string // the file that reported it last: a second case of the id there is another test
}

// fileInfo is what a result file's name says.
type fileInfo struct {
	path           string
	tier           string
	shard, attempt int
}

// Build reads the result files and merges them into a report.
func Build(ctx context.Context, files []string, o Options) (*Report, error) {
	if o.Attempt < 1 {
		o.Attempt = 1
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 10000
	}
	b := &builder{o: o, entries: map[entryKey]*entry{}, resolved: map[string]resolution{}, fileLines: map[string]map[string]int{}}
	r := &Report{options: o}
	var infos []fileInfo
	for _, f := range files {
		fi := fileInfo{path: f, attempt: o.Attempt}
		if kind, tier, sh, att, ok := tiers.ResultOf(f); ok && kind == "junit" {
			fi.tier, fi.shard, fi.attempt = tier, sh, att
		}
		infos = append(infos, fi)
	}
	// Oldest attempts first, so a later attempt's result replaces an earlier one.
	slices.SortStableFunc(infos, func(a, b fileInfo) int {
		return cmp.Or(cmp.Compare(a.attempt, b.attempt), strings.Compare(a.path, b.path))
	})
	shards := map[[2]string]*ShardResult{}
	shardOf := func(tier string, n int) *ShardResult {
		k := [2]string{tier, strconv.Itoa(n)}
		s := shards[k]
		if s == nil {
			s = &ShardResult{Tier: tier, Shard: n}
			shards[k] = s
		}
		return s
	}
	if o.Plan != nil {
		for _, tp := range o.Plan.Tiers {
			for _, j := range tp.Jobs {
				s := shardOf(tp.Name, j.Shard)
				s.Planned, s.PredictedSeconds = true, j.PredictedSeconds
			}
		}
	}
	tierFiles := map[string]int{}
	for _, fi := range infos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var secs float64
		var n int
		err := b.readFile(ctx, fi, func(t Test) {
			secs += t.Seconds
			n++
		})
		r.Files++
		tierFiles[fi.tier]++
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			fe := FileError{File: b.rel(fi.path), Msg: err.Error()}
			var se *junit.SyntaxError
			if errors.As(err, &se) {
				fe.Line, fe.Msg = se.Line, se.Msg
			}
			r.FileErrors = append(r.FileErrors, fe)
			continue
		}
		if fi.shard > 0 {
			s := shardOf(fi.tier, fi.shard)
			s.Reported = true
			if len(s.Attempts) == 0 || s.Attempts[len(s.Attempts)-1] != fi.attempt {
				s.Attempts = append(s.Attempts, fi.attempt)
				s.ActualSeconds, s.Tests = 0, 0 // the latest attempt's time is the actual time
			}
			s.ActualSeconds += secs
			s.Tests += n
		}
	}

	// Final tallies. Tiers in plan order, then others by name, then the
	// files of no tier.
	byTier := map[string]*TierResult{}
	var order, others []string
	addTier := func(name string, planned bool) {
		if byTier[name] != nil {
			return
		}
		byTier[name] = &TierResult{Name: name}
		if planned {
			order = append(order, name)
		} else {
			others = append(others, name)
		}
	}
	if o.Plan != nil {
		for _, tp := range o.Plan.Tiers {
			addTier(tp.Name, true)
		}
	}
	for _, e := range b.entries {
		addTier(e.t.Tier, false)
	}
	for name := range tierFiles {
		addTier(name, false)
	}
	// Without a plan, the built-in tiers in their usual order, then others
	// by name, then files of no tier.
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
	order = append(order, others...)
	tierRank := map[string]int{}
	for i, n := range order {
		tierRank[n] = i
	}
	// Sort small records, not Tests (large to swap) or pointers (a cache
	// miss per comparison).
	type sortKey struct {
		rank int
		id   string
		e    *entry
	}
	es := make([]sortKey, 0, len(b.entries))
	for _, e := range b.entries {
		es = append(es, sortKey{tierRank[e.t.Tier], e.t.ID, e})
	}
	slices.SortFunc(es, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.id, b.id))
	})
	// Pointers into the entries, not copies: a large report holds each
	// test once.
	r.tests = make([]*Test, len(es))
	for i, k := range es {
		e := k.e
		e.t.Flaky = e.t.Status == junit.StatusPassed && (e.sawFail || e.t.Flaky)
		r.tests[i] = &e.t
	}
	for _, t := range r.tests {
		tr := byTier[t.Tier]
		tr.Counts.add(t.Status, t.Flaky, t.Seconds)
		r.Counts.add(t.Status, t.Flaky, t.Seconds)
		switch {
		case t.Status == junit.StatusFailed || t.Status == junit.StatusError:
			if len(r.Failures) < o.MaxFailures {
				r.Failures = append(r.Failures, *t) // copies: locate fills in lines
			} else {
				r.Unlisted++
			}
		case t.Flaky:
			r.FlakyTests = append(r.FlakyTests, *t)
		}
	}
	for name, n := range tierFiles {
		byTier[name].Files = n
	}
	for _, name := range order {
		r.Tiers = append(r.Tiers, *byTier[name])
	}
	for _, s := range shards {
		r.Shards = append(r.Shards, *s)
	}
	slices.SortFunc(r.Shards, func(a, b ShardResult) int {
		return cmp.Or(cmp.Compare(tierRank[a.Tier], tierRank[b.Tier]), cmp.Compare(a.Shard, b.Shard))
	})
	b.locate(r.Failures)
	b.locate(r.FlakyTests)

	// The verdict.
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
	if len(files) == 0 {
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
	b.coverage(r)
	r.Conclusion = "success"
	if r.Counts.Failed+r.Counts.Errors > 0 || len(r.Problems) > 0 {
		r.Conclusion = "failure"
	}
	return r, nil
}

func tierLabel(t string) string {
	if t == "" {
		return "tests"
	}
	return t
}

// Timings are the durations of the tests that ran, for the next plan.
// With a plan, a planned file of a reporting shard that ran no test of its
// tier (its tests carry other markers) is recorded as taking 0 seconds, so
// the next plan does not weigh it as a new file with the mean.
func (r *Report) Timings() *shard.Timings {
	tm := shard.NewTimings()
	ran := map[[2]string]bool{}
	for _, t := range r.tests {
		if t.File != "" {
			ran[[2]string{t.Tier, t.File}] = true
		}
		if t.Status != junit.StatusSkipped {
			tm.Set(t.Tier, t.ID, t.Seconds)
		}
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

type resolution struct {
	file    string // relative, slash-separated; "" when unresolved
	classes string // the class path after the module ("TestUser" or "TestA::TestB")
}

// entryKey identifies a test within its tier. Both strings are already
// held elsewhere (the tier by the file, the id by the test), so a key costs
// no allocation of its own.
type entryKey struct {
	scope string // the tier; for files outside the naming, the file path
	id    string
	nth   int // the nth case of the same id in one file
}

type builder struct {
	o         Options
	entries   map[entryKey]*entry
	resolved  map[string]resolution
	fileLines map[string]map[string]int // file → function name → line of its def
}

func (b *builder) rel(p string) string {
	if b.o.Root != "" && filepath.IsAbs(p) {
		if r, err := filepath.Rel(b.o.Root, p); err == nil && !strings.HasPrefix(r, "..") {
			p = r
		}
	}
	return filepath.ToSlash(p)
}

func (b *builder) readFile(ctx context.Context, fi fileInfo, each func(Test)) error {
	f, err := os.Open(fi.path)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	parse := junit.Parse
	if isGoTestJSON(br) {
		if b.o.GoTestJSON == nil {
			return errors.New("is not XML and no go test -json reader is configured: give JUnit XML files")
		}
		parse = b.o.GoTestJSON
	}
	_, err = parse(ctx, br, func(c junit.Case) error {
		t := b.merge(fi, c)
		each(t)
		return nil
	})
	return err
}

// isGoTestJSON tells a go test -json stream from XML: XML starts with '<';
// go test output may start with build errors before any JSON event.
func isGoTestJSON(br *bufio.Reader) bool {
	head, _ := br.Peek(4 << 10)
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	return len(head) > 0 && head[0] != '<'
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

func (b *builder) merge(fi fileInfo, c junit.Case) Test {
	file, id := b.identify(c)
	t := Test{Tier: fi.tier, ID: id, File: file, Line: c.Line, Status: c.Status, Flaky: c.Flaky, Seconds: c.Time,
		Attempts: 1, Runs: max(c.Runs, 1), Shard: fi.shard}
	if failing(c.Status) || c.Flaky {
		t.Message, t.Type, t.Detail = c.Message, c.Type, clip(c.Detail, maxKeptDetail)
	}
	key := entryKey{scope: fi.tier, id: id}
	if fi.shard == 0 {
		// A file outside the tier/shard naming merges with nothing else.
		key.scope = "\x01" + fi.path
	}
	// The nth case of an id in a file matches the nth case of the same id
	// in other attempts: package junit keeps passing duplicates (jest
	// describe blocks, go test -count) as distinct tests, and so do we.
	e := b.entries[key]
	for e != nil && e.lastPath == fi.path {
		key.nth++
		e = b.entries[key]
	}
	if e == nil {
		b.entries[key] = &entry{t: t, attempt: fi.attempt, sawFail: c.Flaky, lastPath: fi.path}
		return t
	}
	e.lastPath = fi.path
	switch {
	case fi.attempt > e.attempt:
		// A later attempt decides; an earlier failure makes a pass flaky.
		saw := e.sawFail || failing(e.t.Status) || c.Flaky
		attempts, runs := e.t.Attempts+1, e.t.Runs+t.Runs
		prev := e.t
		e.t, e.attempt, e.sawFail = t, fi.attempt, saw
		e.t.Attempts, e.t.Runs = attempts, runs
		if t.Status == junit.StatusPassed && saw && e.t.Message == "" {
			// Keep the failure that made it flaky, for the report.
			e.t.Message, e.t.Type, e.t.Detail = prev.Message, prev.Type, prev.Detail
		}
	case fi.attempt == e.attempt:
		// The same test twice in one attempt (duplicate ids across files):
		// the worse result stands.
		e.t.Runs += t.Runs
		e.t.Seconds += t.Seconds
		if c.Flaky {
			e.sawFail = true
		}
		if statusRank(t.Status) > statusRank(e.t.Status) {
			runs, secs := e.t.Runs, e.t.Seconds
			e.t = t
			e.t.Runs, e.t.Seconds = runs, secs
		}
	default:
		// An older attempt read after a newer one cannot happen (files are
		// sorted by attempt), but keep the newer result if it does.
		e.t.Attempts++
		if failing(t.Status) {
			e.sawFail = true
		}
	}
	return t
}

// maxKeptDetail bounds the failure output kept per test: the summary and
// annotations show 4 KiB of it, and 10,000 failures must not hold the
// parser's 64 KiB each.
const maxKeptDetail = 8 << 10

// clip cuts s to about n bytes, keeping its head (the exception and the
// first frames) and its tail (pytest's "file:line: Error" ends it), on
// rune boundaries.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head, tail := n/2, len(s)-n/2
	for head > 0 && s[head]&0xC0 == 0x80 {
		head--
	}
	for tail < len(s) && s[tail]&0xC0 == 0x80 {
		tail++
	}
	return s[:head] + "\n… (cut) …\n" + s[tail:]
}

// identify returns the test's file (relative) and its id within the tier.
func (b *builder) identify(c junit.Case) (file, id string) {
	name := c.Name
	if c.File != "" {
		file = b.rel(c.File)
		res := b.resolve(c.Classname)
		parts := []string{file}
		if res.file == file && res.classes != "" {
			parts = append(parts, res.classes)
		}
		return file, strings.Join(append(parts, name), "::")
	}
	res := b.resolve(c.Classname)
	if res.file != "" {
		parts := []string{res.file}
		if res.classes != "" {
			parts = append(parts, res.classes)
		}
		return res.file, strings.Join(append(parts, name), "::")
	}
	if c.Classname == "" {
		return "", name
	}
	return "", c.Classname + "::" + name
}

// resolve maps a pytest classname ("tests.api.test_timer.TestStart") onto
// a file of the workspace ("tests/api/test_timer.py") and the classes after it.
func (b *builder) resolve(classname string) resolution {
	if classname == "" || b.o.Root == "" {
		return resolution{}
	}
	if r, ok := b.resolved[classname]; ok {
		return r
	}
	var res resolution
	parts := strings.Split(classname, ".")
	for i := len(parts); i > 0; i-- {
		cand := path.Join(parts[:i]...) + ".py"
		if st, err := os.Stat(filepath.Join(b.o.Root, filepath.FromSlash(cand))); err == nil && st.Mode().IsRegular() {
			res = resolution{file: cand, classes: strings.Join(parts[i:], "::")}
			break
		}
	}
	b.resolved[classname] = res
	return res
}

// tracebackLine matches pytest's "path/to/file.py:42: AssertionError".
var tracebackLine = regexp.MustCompile(`(?m)^([^\s:][^:\n]*\.py):(\d+):`)

// locate fills in the line of failures that have a file but no line: the
// last traceback line in that file, else the line of the test's def.
func (b *builder) locate(ts []Test) {
	for i := range ts {
		t := &ts[i]
		if t.File == "" || t.Line > 0 {
			continue
		}
		for _, m := range tracebackLine.FindAllStringSubmatch(t.Detail, -1) {
			if b.rel(m[1]) == t.File || strings.HasSuffix(m[1], "/"+t.File) {
				if n, err := strconv.Atoi(m[2]); err == nil {
					t.Line = n
				}
			}
		}
		if t.Line > 0 {
			continue
		}
		defs := b.defs(t.File)
		fn := t.ID[strings.LastIndex(t.ID, "::")+2:]
		if j := strings.IndexByte(fn, '['); j >= 0 {
			fn = fn[:j]
		}
		t.Line = defs[fn]
	}
}

func (b *builder) defs(file string) map[string]int {
	if m, ok := b.fileLines[file]; ok {
		return m
	}
	m := map[string]int{}
	b.fileLines[file] = m
	if b.o.Root == "" {
		return m
	}
	f, err := os.Open(filepath.Join(b.o.Root, filepath.FromSlash(file)))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimLeft(sc.Text(), " \t")
		l = strings.TrimPrefix(l, "async ")
		if rest, ok := strings.CutPrefix(l, "def "); ok {
			name := rest
			if j := strings.IndexByte(rest, '('); j >= 0 {
				name = strings.TrimSpace(rest[:j])
			}
			if _, seen := m[name]; !seen {
				m[name] = n
			}
		}
	}
	return m
}

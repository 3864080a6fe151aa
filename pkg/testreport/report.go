package testreport

import (
	"bufio"
	"context"
	"encoding/json"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/tiers"

	"github.com/org/timetracker-ci/pkg/workspace"
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
	Root string // the workspace: paths are shown relative to it, classnames resolved in it
	// Jail, when set, is Root as a workspace jail: every file the report
	// reads or writes goes through it (inside after symlinks, regular
	// files only, capped). The action always sets it.
	Jail        *workspace.Workspace
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

	attempt int // the latest attempt that reported it, while merging
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

	Slowest []Test `json:"slowest,omitempty"` // the slowest tests read, slowest first, up to MaxSlowest

	timings *timingAgg // durations for the next plan, at the plan's granularity
	options Options
}

// FileLines are lines of one file.
type FileLines struct {
	File  string `json:"file"`
	Lines []int  `json:"lines"`
}

// Passed reports whether the run succeeded.
func (r *Report) Passed() bool { return r.Conclusion == "success" }

// fileInfo is what a result file's name says.
type fileInfo struct {
	path           string
	tier           string
	shard, attempt int
}

// Build reads the result files and merges them into a report, in three
// steps: collect reads every file in attempt order, feeding each test case
// to the merger, which keeps a few bits per test; tally turns the merged
// state into counts, lists and the verdict.
func Build(ctx context.Context, files []string, o Options) (*Report, error) {
	if o.Attempt < 1 {
		o.Attempt = 1
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 10000
	}
	c := newCollector(o, files)
	if err := c.collect(ctx); err != nil {
		return nil, err
	}
	return c.tally(len(files)), nil
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

type resolution struct {
	file    string // relative, slash-separated; "" when unresolved
	classes string // the class path after the module ("TestUser" or "TestA::TestB")
}

// resolve maps a pytest classname ("tests.api.test_timer.TestStart") onto
// a file of the workspace ("tests/api/test_timer.py") and the classes after it.
func (b *builder) resolve(classname string) resolution {
	if classname == "" || b.o.Root == "" || b.rootJail == nil {
		return resolution{}
	}
	if r, ok := b.resolved[classname]; ok {
		return r
	}
	var res resolution
	parts := strings.Split(classname, ".")
	for i := len(parts); i > 0; i-- {
		cand := path.Join(parts[:i]...) + ".py"
		if st, err := b.rootJail.Stat("", cand); err == nil && st.Mode().IsRegular() {
			res = resolution{file: cand, classes: strings.Join(parts[i:], "::")}
			break
		}
	}
	b.resolved[classname] = res
	return res
}

// tracebackLine matches pytest's "path/to/file.py:42: AssertionError".
var tracebackLine = lazyre.New(`(?m)^([^\s:][^:\n]*\.py):(\d+):`)

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
	f, err := openIn(b.o.Jail, "files", filepath.Join(b.o.Root, filepath.FromSlash(file)), workspace.KindConfig)
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

package tiers

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/shard"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Granularity is the unit of work the planner distributes.
type Granularity string

// Granularities: Auto splits a file into its tests only when the file is
// heavier than a shard's fair share (and the timings know its tests);
// File never splits; Test splits every file whose tests the timings know.
const (
	GranularityAuto Granularity = "auto"
	GranularityFile Granularity = "file"
	GranularityTest Granularity = "test"
)

// ParseGranularity reads a granularity name ("" is auto).
func ParseGranularity(s string) (Granularity, error) {
	switch g := Granularity(strings.TrimSpace(s)); g {
	case "", GranularityAuto:
		return GranularityAuto, nil
	case GranularityFile, GranularityTest:
		return g, nil
	}
	return "", fmt.Errorf("granularity %q: use auto, file or test", s)
}

// DefaultResultsDir is where shards write JUnit XML and coverage.
const DefaultResultsDir = "test-results"

// PlanVersion is the version of the plan document.
const PlanVersion = 1

// Options configure planning.
type Options struct {
	Root        string         // the workspace; test paths are relative to it
	Paths       []string       // test file globs for tiers that set none; DefaultPaths() when empty
	Timings     *shard.Timings // earlier runs' durations; nil plans by file count
	Granularity Granularity
	ResultsDir  string // relative to Root; DefaultResultsDir when empty
	// Jail is Root as a workspace jail: test sources are globbed and read
	// through it (regular files inside only, capped), so a FIFO named like
	// a test file cannot hang the plan. When nil, Make opens one at Root.
	Jail *workspace.Workspace
}

// Plan is every tier's shards: what the matrix runs and the report checks.
type Plan struct {
	Version    int        `json:"version"`
	ResultsDir string     `json:"results-dir"`
	Tiers      []TierPlan `json:"tiers"`
	// Skipped are symlinked folders the tiers' paths reach that were not
	// searched (see GlobLinks): the action reports each one. Not part of
	// the plan document.
	Skipped []SkippedLink `json:"-"`
}

// TierPlan is one tier's shards. Tier.Shards is the shard count actually
// planned: never more than there are files (or tests) to run.
type TierPlan struct {
	Tier
	Requested int         `json:"requested-shards"`
	Files     int         `json:"files"`
	Timed     int         `json:"timed-files"`              // files the timings know; the others weigh the mean
	Idle      int         `json:"idle-files,omitempty"`     // files that ran only in other tiers: weight zero
	Excluded  int         `json:"excluded-files,omitempty"` // files whose static markers exclude the tier: left out
	Jobs      []ShardPlan `json:"jobs"`
}

// ShardPlan is what one job runs.
type ShardPlan struct {
	Shard            int      `json:"shard"` // 1-based
	Tests            []string `json:"tests"` // files, or node ids of split files
	Deselect         []string `json:"deselect,omitempty"`
	PredictedSeconds float64  `json:"predicted-seconds"`
}

// ErrNoTestFiles is wrapped when a tier's paths match no file.
var ErrNoTestFiles = errors.New("no test files found")

// Make plans the tiers.
func Make(ctx context.Context, tiers []Tier, o Options) (*Plan, error) {
	if len(tiers) == 0 {
		return nil, errors.New("no tiers to plan")
	}
	if o.Granularity == "" {
		o.Granularity = GranularityAuto
	}
	if len(o.Paths) == 0 {
		o.Paths = DefaultPaths()
	}
	if o.ResultsDir == "" {
		o.ResultsDir = DefaultResultsDir
	}
	p := &Plan{Version: PlanVersion, ResultsDir: path.Clean(filepath.ToSlash(o.ResultsDir))}
	found := map[string][]string{}
	jail, done, err := jailAt(o.Jail, o.Root)
	if err != nil {
		return nil, fmt.Errorf("test files: %w", err)
	}
	defer done()
	o.Jail = jail
	marks := newMarkReader(jail)
	for _, t := range tiers {
		if err := t.Validate(); err != nil {
			return nil, err
		}
		paths := t.Paths
		if len(paths) == 0 {
			paths = o.Paths
		}
		key := strings.Join(paths, "\n")
		files, ok := found[key]
		if !ok {
			var err error
			var skipped []SkippedLink
			files, skipped, err = GlobLinks(ctx, jail, paths)
			if err != nil {
				return nil, fmt.Errorf("tier %s: %w", t.Name, err)
			}
			for _, s := range skipped {
				if !slices.ContainsFunc(p.Skipped, func(o SkippedLink) bool { return o.Path == s.Path }) {
					p.Skipped = append(p.Skipped, s)
				}
			}
			if err := checkAddressable(files); err != nil {
				return nil, fmt.Errorf("tier %s: %w", t.Name, err)
			}
			found[key] = files
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("tier %s: %w matching %s: set the paths input (or the tier's paths) to globs of your test files", t.Name, ErrNoTestFiles, strings.Join(paths, ", "))
		}
		tp, err := planTier(ctx, t, files, marks, o)
		if err != nil {
			return nil, fmt.Errorf("tier %s: %w", t.Name, err)
		}
		p.Tiers = append(p.Tiers, tp)
	}
	return p, nil
}

type fileTimes struct {
	total float64
	funcs map[string]float64 // function key (no parameters) → seconds
}

// funcKey maps a node id suffix to its function: parameters are dropped,
// since a function's parameter sets may change between runs.
func funcKey(rest string) string {
	if i := strings.IndexByte(rest, '['); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func planTier(ctx context.Context, t Tier, files []string, marks *markReader, o Options) (TierPlan, error) {
	timings := o.Timings.For(t.Name)
	// A file whose markers are read statically and exclude the tier is left
	// out: pytest would collect it only to deselect every test. What ran in
	// the tier last time stays whatever the reading says.
	ran := make(map[string]bool, len(timings))
	for id, s := range timings {
		// A file recorded alone at 0 s ran no test of the tier.
		if file, _, isTest := strings.Cut(id, "::"); isTest || s > 0 {
			ran[file] = true
		}
	}
	all := len(files)
	if kept, err := marks.filter(ctx, t, files, ran); err != nil {
		return TierPlan{}, err
	} else if len(kept) > 0 {
		files = kept
	}
	// A file that ran in other tiers' results but never in this tier's
	// holds no test of the tier (as of the last run): it stays, since a test
	// may have been added since, but costs nothing.
	elsewhere := map[string]bool{}
	if o.Timings != nil && len(o.Timings.Tiers[t.Name]) > 0 {
		for tier, m := range o.Timings.Tiers {
			if tier == t.Name {
				continue
			}
			for id := range m {
				file, _, _ := strings.Cut(id, "::")
				elsewhere[file] = true
			}
		}
	}
	byFile := make(map[string]*fileTimes, len(files))
	for _, f := range files {
		byFile[f] = nil
	}
	var fnSum float64
	var fnCount int
	for id, s := range timings {
		file, rest, _ := strings.Cut(id, "::")
		if _, ok := byFile[file]; !ok {
			continue // a test of a file that is gone or outside this tier's paths
		}
		ft := byFile[file]
		if ft == nil {
			ft = &fileTimes{funcs: map[string]float64{}}
			byFile[file] = ft
		}
		ft.total += s
		if rest != "" {
			ft.funcs[funcKey(rest)] += s
		}
	}
	var knownSum float64
	var knownFiles, idle int
	for f, ft := range byFile {
		if ft == nil && elsewhere[f] {
			idle++
		}
		if ft != nil {
			knownSum += ft.total
			knownFiles++
			for _, s := range ft.funcs {
				fnSum += s
				fnCount++
			}
		}
	}
	meanFile := shard.DefaultSeconds
	if knownFiles > 0 {
		meanFile = knownSum / float64(knownFiles)
	}
	meanFn := meanFile
	if fnCount > 0 {
		meanFn = fnSum / float64(fnCount)
	}
	fair := (knownSum + meanFile*float64(len(files)-knownFiles-idle)) / float64(t.Shards)

	var items []shard.Item
	split := map[string][]string{} // file → its split-out node ids
	for _, f := range files {
		ft := byFile[f]
		if ft == nil {
			// Weighed here rather than by shard.Split, whose mean would
			// count the idle files' zeros.
			w := meanFile
			if elsewhere[f] {
				w = 0
			}
			items = append(items, shard.Item{ID: f, Seconds: w, Known: true})
			continue
		}
		want := len(ft.funcs) > 0 && t.Shards > 1 &&
			(o.Granularity == GranularityTest || (o.Granularity == GranularityAuto && ft.total > fair))
		if !want {
			items = append(items, shard.Item{ID: f, Seconds: ft.total, Known: true})
			continue
		}
		if err := ctx.Err(); err != nil {
			return TierPlan{}, err
		}
		src, err := readSource(o, f)
		if err != nil {
			return TierPlan{}, fmt.Errorf("read test file: %w", err)
		}
		ids, weights, rest := splitFile(f, ft, ScanTestFunctions(src), meanFn)
		if len(ids) < 2 {
			// One function is no better spread than the whole file.
			items = append(items, shard.Item{ID: f, Seconds: ft.total, Known: true})
			continue
		}
		split[f] = ids
		for i, id := range ids {
			items = append(items, shard.Item{ID: id, Seconds: weights[i], Known: true})
		}
		items = append(items, shard.Item{ID: f, Seconds: rest, Known: true})
	}
	n := min(t.Shards, len(items))
	res, err := shard.Split(items, n)
	if err != nil {
		return TierPlan{}, err
	}
	owner := map[string]int{} // node id → shard index
	for _, s := range res.Shards {
		for _, id := range s.IDs {
			owner[id] = s.Index
		}
	}
	tp := TierPlan{Tier: t, Requested: t.Shards, Files: len(files), Timed: knownFiles, Idle: idle, Excluded: all - len(files)}
	tp.Shards = n
	for _, s := range res.Shards {
		sp := ShardPlan{Shard: s.Index + 1, PredictedSeconds: roundMillis(s.Seconds), Tests: []string{}}
		for _, id := range s.IDs {
			file, _, isNode := strings.Cut(id, "::")
			if isNode && owner[file] == s.Index {
				continue // the whole file runs here: its own node ids are already included
			}
			sp.Tests = append(sp.Tests, id)
			if !isNode {
				for _, nid := range split[id] {
					if owner[nid] != s.Index {
						sp.Deselect = append(sp.Deselect, nid)
					}
				}
			}
		}
		// Alphabetical, for people reading the plan and the command line.
		slices.Sort(sp.Tests)
		slices.Sort(sp.Deselect)
		tp.Jobs = append(tp.Jobs, sp)
	}
	return tp, nil
}

func roundMillis(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

// splitFile chooses the functions of a file that can run on their own: the
// timings know them, the source still defines them (a stale id would make
// pytest fail with "not found"), and no other test's name starts with
// theirs (--deselect matches node-id prefixes, so deselecting test_a would
// also drop test_ab). The rest of the file keeps the remaining weight plus
// the mean for each function the timings do not know.
func splitFile(file string, ft *fileTimes, scanned []string, meanFn float64) (ids []string, weights []float64, rest float64) {
	names := map[string]bool{}
	for _, k := range scanned {
		names[k] = true
	}
	all := slices.Clone(scanned)
	for k := range ft.funcs {
		if !names[k] {
			all = append(all, k)
		}
	}
	rest = ft.total
	unknown := 0
	for _, k := range scanned {
		if _, ok := ft.funcs[k]; !ok {
			unknown++
		}
	}
	keys := make([]string, 0, len(ft.funcs))
	for k := range ft.funcs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !names[k] {
			continue
		}
		collides := false
		for _, other := range all {
			if other != k && strings.HasPrefix(other, k) {
				collides = true
				break
			}
		}
		if collides {
			continue
		}
		ids = append(ids, file+"::"+k)
		weights = append(weights, ft.funcs[k])
		rest -= ft.funcs[k]
	}
	rest = max(rest, 0) + meanFn*float64(unknown)
	return ids, weights, rest
}

// Tier returns the plan of one tier.
func (p *Plan) Tier(name string) (*TierPlan, error) {
	var names []string
	for i := range p.Tiers {
		if p.Tiers[i].Name == name {
			return &p.Tiers[i], nil
		}
		names = append(names, p.Tiers[i].Name)
	}
	return nil, fmt.Errorf("tier %q is not in the plan; planned tiers: %s", name, strings.Join(names, ", "))
}

// Job returns one shard of one tier (shard is 1-based).
func (p *Plan) Job(tier string, shardNo int) (*TierPlan, *ShardPlan, error) {
	tp, err := p.Tier(tier)
	if err != nil {
		return nil, nil, err
	}
	if shardNo < 1 || shardNo > len(tp.Jobs) {
		return nil, nil, fmt.Errorf("tier %s has shards 1..%d, not %d (shards are numbered from 1; the plan may have fewer shards than requested when there are fewer files)", tier, len(tp.Jobs), shardNo)
	}
	return tp, &tp.Jobs[shardNo-1], nil
}

// MaxMatrixJobs is GitHub's limit on the jobs one matrix may generate.
const MaxMatrixJobs = 256

// MatrixEntry is one job of strategy.matrix.include.
type MatrixEntry struct {
	Name          string `json:"name"` // "unit 2/4", for the job's display name
	Tier          string `json:"tier"`
	Shard         int    `json:"shard"`
	Shards        int    `json:"shards"`
	Marker        string `json:"marker"`
	Timeout       int    `json:"timeout"`
	NeedsDatabase bool   `json:"needs-database"`
	Coverage      bool   `json:"coverage"`
}

// Matrix is the value of strategy.matrix: {"include": [...]}.
type Matrix struct {
	Include []MatrixEntry `json:"include"`
}

// Matrix lays the plan out for strategy.matrix, one entry per tier × shard.
func (p *Plan) Matrix() (Matrix, error) {
	m := Matrix{Include: []MatrixEntry{}}
	for _, tp := range p.Tiers {
		for _, j := range tp.Jobs {
			m.Include = append(m.Include, MatrixEntry{
				Name: fmt.Sprintf("%s %d/%d", tp.Name, j.Shard, len(tp.Jobs)), Tier: tp.Name, Shard: j.Shard, Shards: len(tp.Jobs),
				Marker: tp.Marker, Timeout: tp.Timeout, NeedsDatabase: tp.NeedsDatabase, Coverage: tp.Coverage,
			})
		}
	}
	if len(m.Include) > MaxMatrixJobs {
		return Matrix{}, fmt.Errorf("the plan has %d jobs but GitHub runs at most %d from one matrix: lower the shards", len(m.Include), MaxMatrixJobs)
	}
	return m, nil
}

// ResultName is the base name of a shard's result file of a kind
// ("junit", "coverage"): kind-tier-shard.xml, with -aN for re-run attempts
// after the first, so attempts never overwrite each other.
func ResultName(kind, tier string, shardNo, attempt int) string {
	s := fmt.Sprintf("%s-%s-%d", kind, tier, shardNo)
	if attempt > 1 {
		s += "-a" + strconv.Itoa(attempt)
	}
	return s + ".xml"
}

var resultNameRE = lazyre.New(`^(junit|coverage)-([a-z][a-z0-9_]*)-([0-9]+)(?:-a([0-9]+))?\.xml$`)

// ResultOf reads tier, shard and attempt back from a result file's name.
func ResultOf(name string) (kind, tier string, shardNo, attempt int, ok bool) {
	m := resultNameRE.FindStringSubmatch(path.Base(filepath.ToSlash(name)))
	if m == nil {
		return "", "", 0, 0, false
	}
	shardNo, err := strconv.Atoi(m[3])
	if err != nil || shardNo < 1 {
		return "", "", 0, 0, false // shards and attempts count from 1
	}
	attempt = 1
	if m[4] != "" {
		if attempt, err = strconv.Atoi(m[4]); err != nil || attempt < 1 {
			return "", "", 0, 0, false
		}
	}
	return m[1], m[2], shardNo, attempt, true
}

// Args are the exact pytest arguments of one job.
func (p *Plan) Args(tier string, shardNo, attempt int) ([]string, error) {
	tp, job, err := p.Job(tier, shardNo)
	if err != nil {
		return nil, err
	}
	var args []string
	if tp.Marker != "" {
		args = append(args, "-m", tp.Marker)
	}
	args = append(args, "--junitxml="+path.Join(p.ResultsDir, ResultName("junit", tier, shardNo, attempt)))
	if tp.Coverage {
		if !slices.ContainsFunc(tp.Args, func(a string) bool { return a == "--cov" || strings.HasPrefix(a, "--cov=") }) {
			args = append(args, "--cov")
		}
		args = append(args, "--cov-report=xml:"+path.Join(p.ResultsDir, ResultName("coverage", tier, shardNo, attempt)))
	}
	if tp.Workers != "" {
		args = append(args, "-n", tp.Workers)
	}
	args = append(args, tp.Args...)
	for _, d := range job.Deselect {
		if strings.HasPrefix(d, "-") {
			args = append(args, "--deselect=./"+d) // a test id of a file named like an option
			continue
		}
		args = append(args, "--deselect", d)
	}
	// A file named "--rootdir=x_test.py" is a path, not an option: pytest
	// reads "./--rootdir=x_test.py" as the file.
	for _, t := range job.Tests {
		if strings.HasPrefix(t, "-") {
			t = "./" + t
		}
		args = append(args, t)
	}
	return args, nil
}

// ShellQuote joins arguments for a POSIX shell, quoting where needed.
func ShellQuote(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

// checkAddressable refuses test files pytest cannot be given: "::" is its
// node-id separator (such a file was counted but left out of every shard),
// and a line break or other control character splits the files output one
// per line. Failing names the file, so it gets renamed.
func checkAddressable(files []string) error {
	for _, f := range files {
		if strings.Contains(f, "::") || strings.IndexFunc(f, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			return fmt.Errorf("test file %q has \"::\" or a control character in its name, which pytest cannot address: rename it", f)
		}
	}
	return nil
}

func readSource(o Options, f string) ([]byte, error) {
	return o.Jail.ReadFile("paths", f, workspace.KindConfig)
}

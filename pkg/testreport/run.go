package testreport

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/tiers"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// Request is one whole report: which files to read, the gates, where the
// changed lines come from and where the timings for the next plan go.
// Options carries the verdict's settings; Run fills its coverage fields.
type Request struct {
	Options
	ResultGlobs   []string // test result files, relative to Root (** spans directories, ! excludes)
	CoverageGlobs []string // coverage reports, relative to Root
	BaseRef       string   // commit to measure changed lines from; empty: no diff coverage
	OldTimings    string   // earlier timings file: tiers that did not run keep their timings from it
	TimingsFile   string   // where the merged timings are written (relative to Root unless absolute)

	Logf func(format string, args ...any) // progress lines; nil discards them
}

// Run reads the results and coverage the request names, measures diff
// coverage against BaseRef, builds the report and writes the merged
// timings. A field that cannot be used is an *inputerror.Error naming the
// test-report input it comes from (files, coverage, base-ref, timings),
// and then nothing is written. Warnings are findings about the run itself (no diff coverage),
// not about the tests. When only writing the timings fails, the report is
// returned with the error.
func Run(ctx context.Context, q Request) (*Report, []Annotation, error) {
	logf := q.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	root := q.Root
	o := q.Options
	if len(q.ResultGlobs) == 0 {
		return nil, nil, inputerror.Errorf("files", "give at least one glob of test result files")
	}
	files, err := tiers.Glob(ctx, root, q.ResultGlobs)
	if err != nil {
		return nil, nil, inputerror.Errorf("files", "%w", err)
	}
	logf("test results: %d files match %v", len(files), q.ResultGlobs)
	for i := range files {
		files[i] = filepath.Join(root, filepath.FromSlash(files[i]))
	}

	// Coverage, with paths as git prints them (relative to the repository).
	repo, repoErr := gitrepo.Open(root)
	if repo != nil {
		defer repo.Close()
	}
	repoRoot := root
	if repoErr == nil {
		repoRoot = repo.Dir()
	}
	if len(q.CoverageGlobs) > 0 {
		covFiles, err := tiers.Glob(ctx, root, q.CoverageGlobs)
		if err != nil {
			return nil, nil, inputerror.Errorf("coverage", "%w", err)
		}
		for i := range covFiles {
			covFiles[i] = filepath.Join(root, filepath.FromSlash(covFiles[i]))
		}
		if len(covFiles) > 0 {
			cov, errs := coverageFilesIn(ctx, q.Jail, covFiles, RepoPaths(repoRoot, root))
			if cov != nil {
				o.Coverage = cov
			}
			o.CoverageErrors = errs
			logf("coverage: %d files", len(covFiles))
		}
	}
	var warnings []Annotation
	if q.BaseRef != "" && o.Coverage != nil {
		changed, err := map[string][]int(nil), repoErr
		if err == nil {
			changed, err = repo.ChangedLines(ctx, q.BaseRef, "HEAD")
		}
		if err != nil {
			// Never "no changes": a gate fails on it, and without a gate it
			// is a warning saying what to fetch. The test verdict still comes.
			err = fmt.Errorf("changed lines since %s: %w", q.BaseRef, err)
			o.DiffCoverageErr = err
			if o.DiffCoverageThreshold == 0 {
				warnings = append(warnings, Annotation{Level: LevelWarning, Title: "No diff coverage", Message: err.Error(), Rank: 5})
			}
		} else {
			o.ChangedLines = changed
			if o.ChangedLines == nil {
				o.ChangedLines = map[string][]int{}
			}
		}
	} else if o.DiffCoverageThreshold > 0 && o.Coverage != nil {
		return nil, nil, inputerror.Errorf("base-ref", "diff-coverage-threshold is set but there is no base to compare with: set base-ref, or run on a pull request")
	}

	r, err := Build(ctx, files, o)
	if err != nil {
		return nil, warnings, err
	}
	// Timings for the next plan: this run's tiers replace the old ones.
	tm := r.Timings()
	if q.OldTimings != "" {
		old, err := readTimingsIn(ctx, q.Jail, "timings", underRoot(root, q.OldTimings))
		if err != nil {
			return nil, warnings, inputerror.Errorf("timings", "%w", err)
		}
		for tier, m := range old.Tiers {
			if _, ran := tm.Tiers[tier]; !ran {
				for id, s := range m {
					tm.Set(tier, id, s)
				}
			}
		}
	}
	if err := writeTimingsIn(q.Jail, underRoot(root, q.TimingsFile), tm); err != nil {
		return r, warnings, err
	}
	return r, warnings, nil
}

func underRoot(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

func writeTimings(path string, tm *shard.Timings) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write timings: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write timings: %w", err)
	}
	if _, err := tm.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write timings %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write timings %s: %w", path, err)
	}
	return nil
}

// SourceURL is where failure locations link to: the commit's files on
// GitHub, under the project directory root when it lies in the workspace.
// Empty when server, repository or commit is unknown (outside GitHub Actions).
func SourceURL(server, repository, sha, workspace, root string) string {
	if server == "" || repository == "" || sha == "" {
		return ""
	}
	u := strings.TrimSuffix(server, "/") + "/" + repository + "/blob/" + sha + "/"
	if rel, err := filepath.Rel(workspace, root); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		u += filepath.ToSlash(rel) + "/"
	}
	return u
}

// LoadTimings reads the timings of earlier runs from the files the globs
// match under root: a .json file is a timings file, anything else is read
// as test results. Unreadable files only cost their timings (warnings): a
// broken cache must not stop the tests from running.
func LoadTimings(ctx context.Context, root string, globs []string) (*shard.Timings, []string, error) {
	return LoadTimingsIn(ctx, root, nil, globs)
}

// LoadTimingsIn is LoadTimings reading every file through jail (rooted at
// root), so a FIFO or a symlink out among the matches is a warning, not a
// hang or a read outside.
func LoadTimingsIn(ctx context.Context, root string, jail *workspace.Workspace, globs []string) (*shard.Timings, []string, error) {
	tm := shard.NewTimings()
	if len(globs) == 0 {
		return tm, nil, nil
	}
	files, err := tiers.Glob(ctx, root, globs)
	if err != nil {
		return nil, nil, err
	}
	var junitFiles, warnings []string
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if strings.HasSuffix(f, ".json") {
			t, err := readTimingsIn(ctx, jail, "timings", p)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("timings file %s ignored: %v", f, err))
				continue
			}
			tm.Merge(t)
			continue
		}
		junitFiles = append(junitFiles, p)
	}
	if len(junitFiles) > 0 {
		r, err := Build(ctx, junitFiles, Options{Root: root, Jail: jail})
		if err != nil {
			return nil, nil, err
		}
		for _, fe := range r.FileErrors {
			warnings = append(warnings, fmt.Sprintf("timings from %s ignored: %s", fe.File, fe.Msg))
		}
		tm.Merge(r.Timings())
	}
	return tm, warnings, nil
}

// MaxBriefFailures bounds the failures, flaky tests and missed lines in
// Brief: step outputs share a 1 MiB budget.
const MaxBriefFailures = 50

// Brief is the report cut for a step output: at most MaxBriefFailures
// failures (the rest counted in Unlisted), flaky tests and missed changed
// lines, and failure messages cut at 500 bytes. r is not changed.
func (r *Report) Brief() *Report {
	brief := *r
	brief.Failures = append([]Test(nil), r.Failures...) // messages are cut below: not in r
	if len(brief.Failures) > MaxBriefFailures {
		brief.Unlisted += len(brief.Failures) - MaxBriefFailures
		brief.Failures = brief.Failures[:MaxBriefFailures]
	}
	brief.FlakyTests = brief.FlakyTests[:min(len(brief.FlakyTests), MaxBriefFailures)]
	brief.DiffMissed = brief.DiffMissed[:min(len(brief.DiffMissed), MaxBriefFailures)]
	for i := range brief.Failures {
		if len(brief.Failures[i].Message) > 500 {
			brief.Failures[i].Message = brief.Failures[i].Message[:500] + "…"
		}
	}
	// Every list grows with the number of result files (10^5 files made a
	// 12.9 MB output; GitHub takes 1 MB per job): each is cut, and if the
	// whole is still over MaxBriefBytes, the lists go and the counts stay.
	brief.FileErrors = brief.FileErrors[:min(len(brief.FileErrors), MaxBriefFailures)]
	if len(brief.Problems) > MaxBriefFailures {
		brief.Problems = append(brief.Problems[:MaxBriefFailures:MaxBriefFailures], fmt.Sprintf("%d more problems: see the job summary and the log", len(r.Problems)-MaxBriefFailures))
	}
	brief.Shards = brief.Shards[:min(len(brief.Shards), maxBriefShards)]
	brief.Tiers = brief.Tiers[:min(len(brief.Tiers), maxBriefShards)]
	if b, err := json.Marshal(&brief); err == nil && len(b) > MaxBriefBytes {
		brief.Unlisted += len(brief.Failures)
		brief.Failures, brief.FlakyTests, brief.DiffMissed, brief.FileErrors, brief.Shards = nil, nil, nil, nil, nil
		for i := range brief.Problems {
			brief.Problems[i] = cutText(brief.Problems[i], 200)
		}
		for i := range brief.Tiers {
			brief.Tiers[i].Name = cutText(brief.Tiers[i].Name, 100)
		}
	}
	return &brief
}

// MaxBriefBytes bounds Brief as JSON: a step output shares GitHub's 1 MB
// per job, counted in UTF-16 ("Size is approximated based on UTF-16
// encoding", https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs),
// so 128 KiB of ASCII is a quarter of it.
const MaxBriefBytes = 128 << 10

// maxBriefShards bounds the tiers and shards listed (a matrix holds 256 jobs).
const maxBriefShards = 256

func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

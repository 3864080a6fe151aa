package testreport

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// coverage applies the coverage thresholds and computes diff coverage.
func (b *builder) coverage(r *Report) {
	o := b.o
	if o.Coverage == nil {
		if o.CoverageThreshold > 0 || o.DiffCoverageThreshold > 0 {
			r.Problems = append(r.Problems, "a coverage threshold is set but no coverage report was found: check the coverage globs and that the tests wrote Cobertura XML (pytest --cov --cov-report=xml:…) or a Go cover profile")
		}
		return
	}
	pct := o.Coverage.Percent()
	r.Coverage = &pct
	if o.CoverageThreshold > 0 && pct+1e-9 < o.CoverageThreshold {
		r.Problems = append(r.Problems, fmt.Sprintf("coverage %.2f%% is below coverage-threshold %.2f%%", pct, o.CoverageThreshold))
	}
	if o.DiffCoverageErr != nil && o.DiffCoverageThreshold > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("diff coverage could not be measured for diff-coverage-threshold %.2f%%: %v", o.DiffCoverageThreshold, o.DiffCoverageErr))
	}
	if o.ChangedLines == nil {
		return
	}
	d := DiffCoverage(o.Coverage, o.ChangedLines, o.Root)
	r.DiffCoverage, r.DiffLines, r.DiffCovered, r.DiffMissed = &d.Percent, d.Lines, d.Covered, d.Missed
	if o.DiffCoverageThreshold > 0 && d.Percent+1e-9 < o.DiffCoverageThreshold {
		r.Problems = append(r.Problems, fmt.Sprintf("diff coverage %.2f%% (%d of %d changed coverable lines) is below diff-coverage-threshold %.2f%%", d.Percent, d.Covered, d.Lines, o.DiffCoverageThreshold))
	}
}

// DiffResult is the coverage of changed lines.
type DiffResult struct {
	Percent float64     // 100 when no changed line is coverable
	Lines   int         // changed lines the coverage report knows (coverable)
	Covered int         // of those, executed
	Missed  []FileLines // changed coverable lines not executed, by file
}

// DiffCoverage measures the changed lines (path → line numbers, from git)
// against a coverage report. Lines the report does not know (comments,
// blank lines, files outside the measured source) are not coverable and
// do not count. Report paths are often relative to a source directory
// (pytest --cov=app writes models.py for app/models.py), so a changed path
// is also tried without its leading directories, and under root.
func DiffCoverage(cov Coverage, changed map[string][]int, root string) DiffResult {
	var d DiffResult
	files := make([]string, 0, len(changed))
	for f := range changed {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		lines := changed[f]
		cands := candidates(f, root)
		var missed []int
		for _, ln := range lines {
			for _, c := range cands {
				hits, known := cov.Line(c, ln)
				if !known {
					continue
				}
				d.Lines++
				if hits > 0 {
					d.Covered++
				} else {
					missed = append(missed, ln)
				}
				break
			}
		}
		if len(missed) > 0 {
			d.Missed = append(d.Missed, FileLines{File: f, Lines: missed})
		}
	}
	d.Percent = 100
	if d.Lines > 0 {
		d.Percent = 100 * float64(d.Covered) / float64(d.Lines)
	}
	return d
}

func candidates(f, root string) []string {
	out := []string{f}
	if root != "" {
		out = append(out, path.Join(strings.ReplaceAll(root, "\\", "/"), f))
	}
	for rest := f; ; {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		out = append(out, rest)
	}
	return out
}

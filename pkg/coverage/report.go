package coverage

import (
	"cmp"
	"maps"
	"slices"
)

// Report is the coverage of a set of files, from one or more Cobertura
// reports or Go cover profiles.
type Report struct {
	// Mode is the Go cover mode (set, count, atomic); empty for Cobertura.
	Mode string
	// Sources are the Cobertura <source> directories, kept so that file
	// names can be made repository-relative later (see Normalize).
	Sources []string
	files   map[string]*File
}

// File is the coverage of one file.
type File struct {
	Name string
	// Statements and Covered count statements: Go blocks' statements, or
	// Cobertura <line> elements (coverage.py writes one per statement).
	Statements, Covered int
	// Branches and BranchesCovered come from Cobertura condition-coverage.
	Branches, BranchesCovered int

	lines  map[int]lineHits
	blocks []Block // Go profiles only, sorted and merged
}

type lineHits struct {
	hits             int
	branches, bcover int
}

// Block is one basic block of a Go cover profile.
type Block struct {
	StartLine, StartCol, EndLine, EndCol int
	NumStmt, Count                       int
}

func newReport() *Report { return &Report{files: make(map[string]*File)} }

func (r *Report) file(name string) *File {
	f := r.files[name]
	if f == nil {
		f = &File{Name: name, lines: make(map[int]lineHits)}
		r.files[name] = f
	}
	return f
}

// Files returns the files of the report, sorted by name.
func (r *Report) Files() []*File {
	fs := slices.Collect(maps.Values(r.files))
	slices.SortFunc(fs, func(a, b *File) int { return cmp.Compare(a.Name, b.Name) })
	return fs
}

// File returns the coverage of one file, or nil.
func (r *Report) File(name string) *File { return r.files[name] }

// Statements is the number of statements of all files.
func (r *Report) Statements() int {
	n := 0
	for _, f := range r.files {
		n += f.Statements
	}
	return n
}

// Covered is the number of statements run at least once.
func (r *Report) Covered() int {
	n := 0
	for _, f := range r.files {
		n += f.Covered
	}
	return n
}

// Percent is the statement coverage, 0 to 100. A report with no
// statements is 100% covered: there is nothing left untested, and a gate
// must not fail a change that adds no code.
func (r *Report) Percent() float64 { return percent(r.Covered(), r.Statements()) }

// Percent is the file's statement coverage (100 when it has none).
func (f *File) Percent() float64 { return percent(f.Covered, f.Statements) }

func percent(covered, statements int) float64 {
	if statements == 0 {
		return 100
	}
	return 100 * float64(covered) / float64(statements)
}

// Line returns how often a line ran. known is false when the line holds no
// statement (blank, comment, declaration) or the file is not in the
// report. For Go, a line shared by several blocks (as "if err != nil {"
// is) takes the highest count: it ran when any of its code ran.
func (r *Report) Line(file string, line int) (hits int, known bool) {
	f := r.files[file]
	if f == nil {
		return 0, false
	}
	h, ok := f.lines[line]
	return h.hits, ok
}

// Lines returns the lines holding statements, sorted.
func (f *File) Lines() []int {
	ls := slices.Collect(maps.Keys(f.lines))
	slices.Sort(ls)
	return ls
}

// Blocks returns the merged blocks of a Go profile (nil for Cobertura).
func (f *File) Blocks() []Block { return slices.Clone(f.blocks) }

// finishGo sorts and merges a file's blocks exactly as
// golang.org/x/tools/cover ParseProfilesFromReader does (same range: counts
// summed, or or-ed in set mode) and derives the totals and line hits.
func (f *File) finishGo(mode string) error {
	slices.SortFunc(f.blocks, func(a, b Block) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartCol, b.StartCol),
			cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndCol, b.EndCol))
	})
	j := 0
	for i, b := range f.blocks {
		if i > 0 {
			last := &f.blocks[j-1]
			if b.StartLine == last.StartLine && b.StartCol == last.StartCol && b.EndLine == last.EndLine && b.EndCol == last.EndCol {
				if b.NumStmt != last.NumStmt {
					return &inconsistentError{file: f.Name, line: b.StartLine, was: last.NumStmt, now: b.NumStmt}
				}
				if mode == "set" {
					last.Count |= b.Count
				} else {
					last.Count += b.Count
				}
				continue
			}
		}
		f.blocks[j] = b
		j++
	}
	f.blocks = f.blocks[:j]
	f.Statements, f.Covered = 0, 0
	clear(f.lines)
	for _, b := range f.blocks {
		f.Statements += b.NumStmt
		if b.Count > 0 {
			f.Covered += b.NumStmt
		}
		if b.NumStmt == 0 {
			continue
		}
		// A block whose end precedes its start (a corrupt profile) marks
		// only its first line.
		for l := b.StartLine; l <= max(b.EndLine, b.StartLine); l++ {
			h, ok := f.lines[l]
			if !ok || b.Count > h.hits {
				h.hits = b.Count
			}
			f.lines[l] = h
		}
	}
	return nil
}

// finishLines derives a Cobertura file's totals from its lines.
func (f *File) finishLines() {
	f.Statements, f.Covered, f.Branches, f.BranchesCovered = 0, 0, 0, 0
	for _, h := range f.lines {
		f.Statements++
		if h.hits > 0 {
			f.Covered++
		}
		f.Branches += h.branches
		f.BranchesCovered += h.bcover
	}
}

// Merge combines reports of the same code from several runs (shards,
// tiers, attempts): Go blocks are merged as go tool cover merges them,
// Cobertura line hits are summed (branches covered: the most any run
// covered). Files present in one report only are kept as they are.
func Merge(reports ...*Report) *Report {
	out := newReport()
	for _, r := range reports {
		if r == nil {
			continue
		}
		if out.Mode == "" {
			out.Mode = r.Mode
		}
		for _, s := range r.Sources {
			if !slices.Contains(out.Sources, s) {
				out.Sources = append(out.Sources, s)
			}
		}
		for name, f := range r.files {
			o := out.file(name)
			o.blocks = append(o.blocks, f.blocks...)
			if len(f.blocks) == 0 {
				for l, h := range f.lines {
					oh := o.lines[l]
					oh.hits += h.hits
					oh.branches = max(oh.branches, h.branches)
					oh.bcover = max(oh.bcover, h.bcover)
					o.lines[l] = oh
				}
			}
		}
	}
	for _, f := range out.files {
		if len(f.blocks) > 0 {
			lines := f.lines
			f.lines = make(map[int]lineHits)
			// Same ranges from different runs cannot disagree on NumStmt
			// unless the code changed between them; keep the first then.
			if err := f.finishGo(out.Mode); err != nil {
				f.blocks = dedupeFirst(f.blocks)
				_ = f.finishGo(out.Mode)
			}
			// A file covered by both a profile and line data keeps the
			// profile's statements and adds hits on the other lines.
			for l, h := range lines {
				if _, ok := f.lines[l]; !ok {
					f.lines[l] = h
				}
			}
			continue
		}
		f.finishLines()
	}
	return out
}

func dedupeFirst(bs []Block) []Block {
	type rng struct{ a, b, c, d int }
	seen := make(map[rng]int)
	var out []Block
	for _, b := range bs {
		k := rng{b.StartLine, b.StartCol, b.EndLine, b.EndCol}
		if i, ok := seen[k]; ok {
			if out[i].NumStmt == b.NumStmt {
				out[i].Count += b.Count
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, b)
	}
	return out
}

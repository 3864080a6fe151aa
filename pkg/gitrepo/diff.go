package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// ChangedLines returns, per file path in head, the line numbers (1-based,
// ascending) that head adds or changes relative to the merge base of base and
// head: what a pull request touches, for diff coverage. Deleted files, binary
// files and files whose change only removes lines are absent. Renames are
// detected, so a moved file lists only the lines that changed.
func (r *Repo) ChangedLines(ctx context.Context, base, head string) (map[string][]int, error) {
	baseHash, err := r.resolve(ctx, base)
	if err != nil {
		return nil, err
	}
	headHash, err := r.resolve(ctx, head)
	if err != nil {
		return nil, err
	}
	mb, err := r.MergeBase(ctx, baseHash.String(), headHash.String())
	if err != nil {
		return nil, err
	}
	fromTree, err := r.commitTree(plumbing.NewHash(mb))
	if err != nil {
		return nil, err
	}
	toTree, err := r.commitTree(headHash)
	if err != nil {
		return nil, err
	}
	d := &treeDiff{r: r, ctx: ctx}
	if err := d.trees("", fromTree, toTree); err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
	}
	changes, err := d.pairRenames()
	if err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
	}
	out := map[string][]int{}
	for _, c := range changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var old []byte
		if c.from != nil {
			if old, err = d.content(c.from); err != nil {
				return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
			}
		}
		cur, err := d.content(c.to)
		if err != nil {
			return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
		}
		if cur == nil || isBinary(old) || isBinary(cur) {
			continue // binary, or too large to read (git calls those binary too)
		}
		if lines := addedLines(old, cur); len(lines) > 0 {
			out[c.to.path] = lines
		}
	}
	return out, nil
}

// commitTree reads the tree hash of a commit.
func (r *Repo) commitTree(h plumbing.Hash) (plumbing.Hash, error) {
	data, err := r.commitData(r.objects, h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, r.missing(h.String(), err)
		}
		return plumbing.ZeroHash, err
	}
	c, err := decodeCommit(data)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c.tree, nil
}

// treeFile is a blob in a tree: a file or a symbolic link.
type treeFile struct {
	path string
	mode uint32
	hash plumbing.Hash
}

// fileChange is a file added (from nil), modified or renamed.
type fileChange struct{ from, to *treeFile }

type treeDiff struct {
	r        *Repo
	ctx      context.Context
	deleted  []*treeFile
	added    []*treeFile
	modified []fileChange
	blobs    map[plumbing.Hash][]byte
}

const (
	modeDir    = 0o040000
	modeGitlnk = 0o160000
	modeType   = 0o170000
)

type treeEntry struct {
	name string
	mode uint32
	hash plumbing.Hash
}

// readTree decodes a tree object: entries of "<octal mode> <name>\x00<20-byte hash>".
func (d *treeDiff) readTree(h plumbing.Hash) ([]treeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	typ, data, err := d.r.objects.get(h, -1, maxBigObject)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	if typ != plumbing.TreeObject {
		return nil, fmt.Errorf("%s is a %s, not a tree: %w", h, typ, errBadObject)
	}
	return parseTree(data)
}

func parseTree(data []byte) ([]treeEntry, error) {
	var out []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, errBadObject
		}
		mode, err := strconv.ParseUint(string(data[:sp]), 8, 32)
		if err != nil {
			return nil, errBadObject
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 || len(data) < nul+1+20 {
			return nil, errBadObject
		}
		e := treeEntry{name: string(data[:nul]), mode: uint32(mode)}
		copy(e.hash[:], data[nul+1:nul+21])
		data = data[nul+21:]
		out = append(out, e)
	}
	return out, nil
}

// trees compares two trees (either may be zero: absent), skipping subtrees
// whose hashes are equal.
func (d *treeDiff) trees(prefix string, from, to plumbing.Hash) error {
	if from == to {
		return nil
	}
	if err := d.ctx.Err(); err != nil {
		return err
	}
	a, err := d.readTree(from)
	if err != nil {
		return err
	}
	b, err := d.readTree(to)
	if err != nil {
		return err
	}
	old := make(map[string]treeEntry, len(a))
	for _, e := range a {
		old[e.name] = e
	}
	seen := make(map[string]bool, len(b))
	for _, e := range b {
		seen[e.name] = true
		o, ok := old[e.name]
		if !ok {
			o = treeEntry{}
		}
		if err := d.entry(prefix+e.name, o, e); err != nil {
			return err
		}
	}
	for _, e := range a {
		if !seen[e.name] {
			if err := d.entry(prefix+e.name, e, treeEntry{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry compares one name of both trees; a zero mode means absent.
func (d *treeDiff) entry(p string, o, n treeEntry) error {
	oDir, nDir := o.mode&modeType == modeDir, n.mode&modeType == modeDir
	oFile := o.mode != 0 && !oDir && o.mode&modeType != modeGitlnk
	nFile := n.mode != 0 && !nDir && n.mode&modeType != modeGitlnk
	var oTree, nTree plumbing.Hash
	if oDir {
		oTree = o.hash
	}
	if nDir {
		nTree = n.hash
	}
	if oDir || nDir {
		if err := d.trees(p+"/", oTree, nTree); err != nil {
			return err
		}
	}
	switch {
	case oFile && nFile:
		if o.hash != n.hash {
			d.modified = append(d.modified, fileChange{
				from: &treeFile{path: p, mode: o.mode, hash: o.hash},
				to:   &treeFile{path: p, mode: n.mode, hash: n.hash}})
		}
	case oFile:
		d.deleted = append(d.deleted, &treeFile{path: p, mode: o.mode, hash: o.hash})
	case nFile:
		d.added = append(d.added, &treeFile{path: p, mode: n.mode, hash: n.hash})
	}
	return nil
}

// renameScore is the similarity (percent) from which a deleted and an
// added file pair up as a rename: git's default (go-git's is 60).
const renameScore = 50

// maxRenameCandidates bounds the similarity search, as git's
// diff.renameLimit (1000) does: beyond it only exact renames are found.
const maxRenameCandidates = 1000

// pairRenames turns deleted and added files into renames where they match:
// first exactly (same blob), then by content similarity, best pairs first
// (on a tie, a file keeping its base name wins, then path order). The
// similarity is the share of the larger file's bytes that are lines also in
// the other (git counts copied chunks of up to 64 bytes instead: close for
// source code, and the test compares with go-git). Binary files pair only
// exactly: they add no lines either way.
func (d *treeDiff) pairRenames() ([]fileChange, error) {
	sort.Slice(d.deleted, func(i, j int) bool { return d.deleted[i].path < d.deleted[j].path })
	sort.Slice(d.added, func(i, j int) bool { return d.added[i].path < d.added[j].path })
	out := append([]fileChange(nil), d.modified...)
	// Exact renames.
	byHash := map[plumbing.Hash][]*treeFile{}
	for _, f := range d.deleted {
		byHash[f.hash] = append(byHash[f.hash], f)
	}
	paired := map[*treeFile]bool{}
	var added []*treeFile
	for _, f := range d.added {
		var best *treeFile
		for _, src := range byHash[f.hash] {
			if paired[src] {
				continue
			}
			if best == nil || path.Base(src.path) == path.Base(f.path) && path.Base(best.path) != path.Base(f.path) {
				best = src
			}
		}
		if best != nil {
			paired[best] = true
			out = append(out, fileChange{from: best, to: f})
			continue
		}
		added = append(added, f)
	}
	var deleted []*treeFile
	for _, f := range d.deleted {
		if !paired[f] {
			deleted = append(deleted, f)
		}
	}
	if len(deleted) == 0 || len(added) == 0 || len(deleted) > maxRenameCandidates || len(added) > maxRenameCandidates {
		for _, f := range added {
			out = append(out, fileChange{to: f})
		}
		return out, nil
	}
	// Similarity renames.
	type lineSet struct {
		lines map[string]int
		size  int
		ok    bool // text
	}
	sets := func(files []*treeFile) ([]lineSet, error) {
		s := make([]lineSet, len(files))
		for i, f := range files {
			data, err := d.content(f)
			if err != nil {
				return nil, err
			}
			if data == nil || isBinary(data) {
				continue
			}
			s[i] = lineSet{lines: map[string]int{}, size: len(data), ok: true}
			for _, l := range splitLines(data) {
				s[i].lines[string(l)]++
			}
		}
		return s, nil
	}
	src, err := sets(deleted)
	if err != nil {
		return nil, err
	}
	dst, err := sets(added)
	if err != nil {
		return nil, err
	}
	type pair struct{ i, j, score int }
	var pairs []pair
	for i, s := range src {
		for j, t := range dst {
			if !s.ok || !t.ok {
				continue
			}
			big, small := max(s.size, t.size), min(s.size, t.size)
			if big == 0 || small*100/big < renameScore {
				continue // too different in size to reach the score
			}
			common := 0
			for l, n := range t.lines {
				common += min(n, s.lines[l]) * len(l)
			}
			if score := common * 100 / big; score >= renameScore {
				pairs = append(pairs, pair{i, j, score})
			}
		}
	}
	sort.SliceStable(pairs, func(x, y int) bool {
		a, b := pairs[x], pairs[y]
		if a.score != b.score {
			return a.score > b.score
		}
		aBase := path.Base(deleted[a.i].path) == path.Base(added[a.j].path)
		bBase := path.Base(deleted[b.i].path) == path.Base(added[b.j].path)
		if aBase != bBase {
			return aBase
		}
		if a.j != b.j {
			return a.j < b.j
		}
		return a.i < b.i
	})
	usedSrc := make([]bool, len(deleted))
	from := make([]*treeFile, len(added))
	for _, p := range pairs {
		if !usedSrc[p.i] && from[p.j] == nil {
			usedSrc[p.i] = true
			from[p.j] = deleted[p.i]
		}
	}
	for j, f := range added {
		out = append(out, fileChange{from: from[j], to: f})
	}
	return out, nil
}

// content reads a blob (cached: rename detection and the diff both read
// it); nil without error when it is over maxBigObject.
func (d *treeDiff) content(f *treeFile) ([]byte, error) {
	if data, ok := d.blobs[f.hash]; ok {
		return data, nil
	}
	typ, data, err := d.r.objects.get(f.hash, -1, maxBigObject)
	var big *objectTooLarge
	switch {
	case errors.As(err, &big):
		data = nil
	case err != nil:
		return nil, fmt.Errorf("read %s (blob %s): %w", f.path, f.hash, err)
	case typ != plumbing.BlobObject:
		return nil, fmt.Errorf("%s: %s is a %s, not a blob: %w", f.path, f.hash, typ, errBadObject)
	}
	if d.blobs == nil {
		d.blobs = map[plumbing.Hash][]byte{}
	}
	d.blobs[f.hash] = data
	return data, nil
}

// isBinary is git's test: a NUL byte in the first 8000 bytes.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// splitLines cuts data into lines, each with its newline (the last one may
// have none).
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// addedLines numbers the lines of cur that a line diff from old adds.
//
// As git's xdiff does, a line found in only one of the files is settled
// before any search (it is added, or deleted) and the shortest edit script
// is searched between the lines the two files share; each search for a
// middle snake is capped, past which the furthest-reaching path splits the
// problem. Rewrites of large files (translation catalogues of 20,000 lines,
// half of them changed) then take milliseconds and stay close to git's
// answer, where a plain Myers search had to give up and count the rest of
// the file as added.
func addedLines(old, cur []byte) []int {
	a, b := splitLines(old), splitLines(cur)
	ids := map[string]int{}
	intern := func(lines [][]byte) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[string(l)]
			if !ok {
				id = len(ids)
				ids[string(l)] = id
			}
			out[i] = id
		}
		return out
	}
	ia, ib := intern(a), intern(b)
	inA := make([]bool, len(ids))
	inB := make([]bool, len(ids))
	for _, x := range ia {
		inA[x] = true
	}
	for _, x := range ib {
		inB[x] = true
	}
	added := make([]bool, len(b))
	var ra, rb, rbAt []int
	for _, x := range ia {
		if inB[x] {
			ra = append(ra, x)
		}
	}
	for j, x := range ib {
		if inA[x] {
			rb = append(rb, x)
			rbAt = append(rbAt, j)
		} else {
			added[j] = true
		}
	}
	addedShared := make([]bool, len(rb))
	budget := diffBudget
	diffLines(ra, rb, 0, addedShared, &budget)
	for k, ok := range addedShared {
		if ok {
			added[rbAt[k]] = true
		}
	}
	slideDown(ib, added)
	var lines []int
	for i, ok := range added {
		if ok {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// slideDown moves each run of added lines as far down as it can go, as
// git does before printing: where the line after a run equals its first
// line, the run may as well start one line later (an inserted function
// ends with the closing brace it shares with the next one, not starts
// with it). The lines kept still match the old file in order.
func slideDown(b []int, added []bool) {
	for i := 0; i < len(b); {
		if !added[i] {
			i++
			continue
		}
		j := i
		for j < len(b) && added[j] {
			j++
		}
		for j < len(b) && !added[j] && b[i] == b[j] {
			added[i], added[j] = false, true
			i++
			j++
			for j < len(b) && added[j] {
				j++ // the run met the next one: they move on together
			}
		}
		i = j
	}
}

// diffBudget bounds the work of one file's diff (snake steps), whatever the
// input: past it the remaining differing region counts as added whole. The
// cap per middle snake (snakeCost) keeps real files far below it.
const diffBudget = 50_000_000

// snakeCost is how many edit steps one middle-snake search may take before
// it settles for the furthest-reaching path: git's heuristic (the square
// root of the diagonals, at least 256).
func snakeCost(n, m int) int {
	c := 1
	for c*c < n+m+3 {
		c++
	}
	return max(c, 256)
}

// diffLines marks in added (indexed from boff) the lines of b outside a
// shortest edit script from a, by Myers' algorithm in linear space: the
// middle snake splits the problem in two.
func diffLines(a, b []int, boff int, added []bool, budget *int) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b, boff = a[1:], b[1:], boff+1
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(b) == 0 {
		return
	}
	if len(a) == 1 || len(b) == 1 {
		// At most one line is common: keep b's first line found in a.
		kept := -1
		for j := range b {
			if slicesIndex(a, b[j]) >= 0 {
				kept = j
				break
			}
		}
		for j := range b {
			if j != kept {
				added[boff+j] = true
			}
		}
		return
	}
	x, y, ok := 0, 0, false
	if len(a) > 0 && *budget > 0 {
		x, y, ok = middleSnake(a, b, budget)
	}
	if ok && (x == 0 && y == 0 || x == len(a) && y == len(b)) {
		ok = false // no progress: cannot happen after trimming, but never loop
	}
	if !ok {
		for i := range b {
			added[boff+i] = true
		}
		return
	}
	diffLines(a[:x], b[:y], boff, added, budget)
	diffLines(a[x:], b[y:], boff+y, added, budget)
}

// middleSnake finds a point (x, y) on a shortest edit path from a to b,
// searching forward and backward at once; ok is false when a and b share
// nothing, or the budget ran out.
func middleSnake(a, b []int, budget *int) (int, int, bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	off := maxD
	v1 := make([]int, 2*maxD+2)
	v2 := make([]int, 2*maxD+2)
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	maxCost := snakeCost(n, m)
	for d := 0; d < maxD; d++ {
		*budget -= 2*d + 1
		if *budget <= 0 {
			return 0, 0, false
		}
		if d > maxCost {
			return furthest(v1, v2, off, d-1, n, m, k1start, k1end, k2start, k2end)
		}
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				j := off + delta - k1
				if j >= 0 && j < len(v2) && v2[j] != -1 && x1 >= n-v2[j] {
					return x1, y1, true
				}
			}
		}
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				j := off + delta - k2
				if j >= 0 && j < len(v1) && v1[j] != -1 {
					x1 := v1[j]
					y1 := off + x1 - j
					if x1 >= n-x2 {
						return x1, y1, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// furthest is the split when a middle-snake search costs too much: the
// point furthest along (x+y from its end) of the forward or backward paths
// of edit distance d. Both are on an edit path from a to b, so either
// splits the problem; ok is false when neither makes progress.
func furthest(v1, v2 []int, off, d, n, m, k1start, k1end, k2start, k2end int) (int, int, bool) {
	bestX, bestY, best := 0, 0, 0
	for k := -d + k1start; k <= d-k1end; k += 2 {
		x := v1[off+k]
		y := x - k
		if x < 0 || x > n || y < 0 || y > m {
			continue
		}
		if x+y > best && x+y < n+m {
			bestX, bestY, best = x, y, x+y
		}
	}
	for k := -d + k2start; k <= d-k2end; k += 2 {
		x2 := v2[off+k]
		y2 := x2 - k
		if x2 < 0 || x2 > n || y2 < 0 || y2 > m {
			continue
		}
		if x2+y2 > best && x2+y2 < n+m {
			bestX, bestY, best = n-x2, m-y2, x2+y2
		}
	}
	return bestX, bestY, best > 0
}

func slicesIndex(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

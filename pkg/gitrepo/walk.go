package gitrepo

import (
	"container/heap"
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// CommitsBetween lists the commits reachable from `to` but not from `from`
// (git's from..to), newest first, merges included. An empty from means the
// whole history of to. Revisions are anything Resolve accepts.
func (r *Repo) CommitsBetween(ctx context.Context, from, to string) ([]Commit, error) {
	hashes, err := r.rangeHashes(ctx, from, to, -1)
	if err != nil {
		return nil, err
	}
	out := make([]Commit, 0, len(hashes))
	for _, h := range hashes {
		c, err := r.commit(h)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CountCommits counts the commits CommitsBetween would list, without decoding
// them: with a commit-graph file it reads no commit object at all.
func (r *Repo) CountCommits(ctx context.Context, from, to string) (int, error) {
	hashes, err := r.rangeHashes(ctx, from, to, -1)
	return len(hashes), err
}

// IsAncestor reports whether commit a is reachable from commit b (a commit is
// its own ancestor).
func (r *Repo) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	// b..a is empty exactly when a is reachable from b. No limit: with equal
	// commit times a commit can be taken before it is found reachable.
	n, err := r.rangeHashes(ctx, b, a, -1)
	if err != nil {
		return false, err
	}
	return len(n) == 0, nil
}

const (
	flagInteresting = 1 << iota
	flagUninteresting
	flagQueued
)

type walkNode struct {
	hash    plumbing.Hash
	parents []plumbing.Hash
	flags   int
	gen     uint64
	time    int64
}

// enqueue reads h's commit into a node marked seen with flags and queues it.
func (r *Repo) enqueue(seen map[plumbing.Hash]*walkNode, q *walkQueue, h plumbing.Hash, flags int) error {
	ci, gen, err := r.node(h)
	if err != nil {
		return err
	}
	w := &walkNode{hash: h, parents: ci.parents, flags: flags | flagQueued, gen: gen, time: ci.time}
	seen[h] = w
	heap.Push(q, w)
	return nil
}

// walkQueue orders nodes newest first: by generation number when the
// commit-graph knows it (exact), else by committer time, as git does.
type walkQueue []*walkNode

func (q walkQueue) Len() int { return len(q) }
func (q walkQueue) Less(i, j int) bool {
	if q[i].gen != q[j].gen {
		return q[i].gen > q[j].gen
	}
	if q[i].time != q[j].time {
		return q[i].time > q[j].time
	}
	// On a tie, settle reachability from `from` first.
	return q[i].flags&flagUninteresting > q[j].flags&flagUninteresting
}
func (q walkQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *walkQueue) Push(x any)   { *q = append(*q, x.(*walkNode)) }
func (q *walkQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}

// rangeHashes walks from..to and returns the commits of the range, newest
// first. It stops once every queued commit is reachable from `from`, so the
// cost is the size of the range, not of the history. limit > 0 stops after
// that many range commits.
func (r *Repo) rangeHashes(ctx context.Context, from, to string, limit int) ([]plumbing.Hash, error) {
	toHash, err := r.resolve(ctx, to)
	if err != nil {
		return nil, err
	}
	seen := map[plumbing.Hash]*walkNode{}
	q := &walkQueue{}
	interesting := 0 // queued commits not known to be reachable from `from`
	add := func(h plumbing.Hash, flags int) error {
		if w, ok := seen[h]; ok {
			if flags&flagUninteresting != 0 && w.flags&flagUninteresting == 0 {
				interesting -= markUninteresting(seen, w)
			}
			return nil
		}
		if err := r.enqueue(seen, q, h, flags); err != nil {
			if flags&flagUninteresting != 0 && r.Shallow() {
				return nil // below the shallow boundary; its history cannot matter to the range
			}
			return r.missing(h.String(), err)
		}
		if flags&flagUninteresting == 0 {
			interesting++
		}
		return nil
	}
	if err := add(toHash, flagInteresting); err != nil {
		return nil, err
	}
	if from != "" {
		fromHash, err := r.resolve(ctx, from)
		if err != nil {
			return nil, err
		}
		if err := add(fromHash, flagUninteresting); err != nil {
			return nil, err
		}
	}
	var out []*walkNode
	for q.Len() > 0 && interesting > 0 {
		if len(out)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		w := heap.Pop(q).(*walkNode)
		w.flags &^= flagQueued
		unint := w.flags&flagUninteresting != 0
		if !unint {
			interesting--
			out = append(out, w)
			if limit > 0 && len(out) >= limit {
				break
			}
			if r.shallow[w.hash] {
				return nil, fmt.Errorf("history of %s ends at %s before reaching %q: %w", to, w.hash, from, ErrShallow)
			}
		}
		parentFlags := flagInteresting
		if unint {
			parentFlags = flagUninteresting
		}
		for _, p := range w.parents {
			if err := add(p, parentFlags); err != nil {
				return nil, err
			}
		}
	}
	// Drop commits found reachable from `from` after they were taken (clock
	// skew without a commit-graph).
	res := make([]plumbing.Hash, 0, len(out))
	for _, w := range out {
		if w.flags&flagUninteresting == 0 {
			res = append(res, w.hash)
		}
	}
	return res, nil
}

// markUninteresting flags w and every already-seen ancestor as reachable from
// `from`, returning how many of them were queued as interesting.
func markUninteresting(seen map[plumbing.Hash]*walkNode, w *walkNode) int {
	flipped := 0
	stack := []*walkNode{w}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.flags&flagUninteresting != 0 {
			continue
		}
		n.flags |= flagUninteresting
		if n.flags&flagQueued != 0 {
			flipped++
		}
		for _, p := range n.parents {
			if pw, ok := seen[p]; ok {
				stack = append(stack, pw)
			}
		}
	}
	return flipped
}

// MergeBase returns the best common ancestor of a and b (git merge-base),
// walking only as far back as the fork point; when several are equally good
// it returns the newest. An error wrapping ErrShallow means the fork point
// lies beyond a shallow clone's history.
func (r *Repo) MergeBase(ctx context.Context, a, b string) (string, error) {
	ah, err := r.resolve(ctx, a)
	if err != nil {
		return "", err
	}
	bh, err := r.resolve(ctx, b)
	if err != nil {
		return "", err
	}
	h, err := r.mergeBase(ctx, ah, bh)
	if err != nil {
		return "", err
	}
	if h.IsZero() {
		if r.Shallow() {
			return "", fmt.Errorf("no common ancestor of %q and %q in the fetched history: %w", a, b, ErrShallow)
		}
		return "", fmt.Errorf("%q and %q share no history: compare against a branch of the same repository", a, b)
	}
	return h.String(), nil
}

// Paint flags share walkNode.flags with flagQueued, so they start above it.
const (
	paintA = flagQueued << (iota + 1)
	paintB
	paintStale
)

// mergeBase paints down from both commits, newest first, as git does: a
// commit reached from both sides is a common ancestor and everything below
// it is stale; the walk ends when only stale commits remain queued.
func (r *Repo) mergeBase(ctx context.Context, a, b plumbing.Hash) (plumbing.Hash, error) {
	if a == b {
		return a, nil
	}
	seen := map[plumbing.Hash]*walkNode{}
	q := &walkQueue{}
	live := 0 // queued commits that are not stale
	push := func(h plumbing.Hash, flags int) error {
		if w, ok := seen[h]; ok {
			if w.flags&flags == flags {
				return nil
			}
			wasLive := w.flags&paintStale == 0
			w.flags |= flags
			if w.flags&flagQueued != 0 {
				if wasLive && w.flags&paintStale != 0 {
					live--
				}
				return nil
			}
			w.flags |= flagQueued
			if w.flags&paintStale == 0 {
				live++
			}
			heap.Push(q, w)
			return nil
		}
		if err := r.enqueue(seen, q, h, flags); err != nil {
			if r.Shallow() {
				return nil // beyond the boundary: no answer from here
			}
			return r.missing(h.String(), err)
		}
		if flags&paintStale == 0 {
			live++
		}
		return nil
	}
	if err := push(a, paintA); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := push(b, paintB); err != nil {
		return plumbing.ZeroHash, err
	}
	var best *walkNode
	for steps := 0; q.Len() > 0 && live > 0; steps++ {
		if steps%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		w := heap.Pop(q).(*walkNode)
		w.flags &^= flagQueued
		if w.flags&paintStale == 0 {
			live--
		}
		flags := w.flags & (paintA | paintB | paintStale)
		if flags&(paintA|paintB) == paintA|paintB && flags&paintStale == 0 {
			if best == nil {
				best = w
			}
			flags |= paintStale
			w.flags |= paintStale
		}
		for _, p := range w.parents {
			if err := push(p, flags); err != nil {
				return plumbing.ZeroHash, err
			}
		}
	}
	if best == nil {
		return plumbing.ZeroHash, nil
	}
	return best.hash, nil
}

// Reachable reports which of commits are reachable from head (a commit
// reaches itself), in one walk of head's history: it stops once every one
// is found, else after the whole history. Deciding many commits at once this
// way costs one walk where IsAncestor for each would cost one walk per
// commit. In a shallow clone the walk ends at the shallow boundary: commits
// below it are reported unreachable.
func (r *Repo) Reachable(ctx context.Context, head string, commits []string) (map[string]bool, error) {
	headHash, err := r.resolve(ctx, head)
	if err != nil {
		return nil, err
	}
	want := make(map[plumbing.Hash]string, len(commits))
	for _, c := range commits {
		if h := plumbing.NewHash(c); isHex(c) && len(c) == 40 {
			want[h] = c
		}
	}
	found := make(map[string]bool, len(want))
	seen := map[plumbing.Hash]bool{headHash: true}
	stack := []plumbing.Hash{headHash}
	for n := 0; len(stack) > 0 && len(found) < len(want); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c, ok := want[h]; ok {
			found[c] = true
		}
		if r.shallow[h] {
			continue
		}
		ci, _, err := r.node(h)
		if err != nil {
			return nil, r.missing(h.String(), err)
		}
		for _, p := range ci.parents {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return found, nil
}

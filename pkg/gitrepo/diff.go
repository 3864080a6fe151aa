package gitrepo

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	fdiff "github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/plumbing/object"
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
	baseCommit, err := r.commit(plumbing.NewHash(mb))
	if err != nil {
		return nil, err
	}
	headCommit, err := r.commit(headHash)
	if err != nil {
		return nil, err
	}
	fromTree, err := baseCommit.Tree()
	if err != nil {
		return nil, r.missing(mb, err)
	}
	toTree, err := headCommit.Tree()
	if err != nil {
		return nil, r.missing(head, err)
	}
	changes, err := object.DiffTreeWithOptions(ctx, fromTree, toTree, object.DefaultDiffTreeOptions)
	if err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
	}
	patch, err := changes.PatchContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", base, head, err)
	}
	out := map[string][]int{}
	for _, fp := range patch.FilePatches() {
		_, to := fp.Files()
		if to == nil || fp.IsBinary() {
			continue
		}
		if lines := addedLines(fp.Chunks()); len(lines) > 0 {
			out[to.Path()] = lines
		}
	}
	return out, nil
}

// addedLines numbers the lines of the new file that Add chunks contribute.
func addedLines(chunks []fdiff.Chunk) []int {
	var lines []int
	line := 0
	for _, c := range chunks {
		n := countLines(c.Content())
		switch c.Type() {
		case fdiff.Equal:
			line += n
		case fdiff.Add:
			for i := 1; i <= n; i++ {
				lines = append(lines, line+i)
			}
			line += n
		}
	}
	return lines
}

func countLines(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

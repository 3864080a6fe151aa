package githubfake

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ImportGit copies a local repository's commits, branches and tags into the
// fake, with their real hashes, so that an end-to-end run's GITHUB_SHA and
// tags mean the same commits on both sides. The checked-out branch (or a
// detached HEAD) also becomes the fake's default branch.
func (s *Server) ImportGit(dir string) error {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return fmt.Errorf("fake GitHub: opening the repository to import at %s: %w", dir, err)
	}
	iter, err := repo.CommitObjects()
	if err != nil {
		return fmt.Errorf("fake GitHub: listing commits: %w", err)
	}
	commits := map[string]*commit{}
	err = iter.ForEach(func(c *object.Commit) error {
		x := &commit{sha: c.Hash.String(), message: c.Message, date: c.Committer.When.UTC(),
			author: Person{Name: c.Author.Name, Email: c.Author.Email, Login: noreplyLogin(c.Author.Email)}}
		for _, p := range c.ParentHashes {
			x.parents = append(x.parents, p.String())
		}
		commits[x.sha] = x
		return nil
	})
	if err != nil {
		return fmt.Errorf("fake GitHub: reading commits: %w", err)
	}
	refs := map[string]string{}
	riter, err := repo.References()
	if err != nil {
		return fmt.Errorf("fake GitHub: listing refs: %w", err)
	}
	err = riter.ForEach(func(r *plumbing.Reference) error {
		name := r.Name()
		if r.Type() != plumbing.HashReference || !name.IsBranch() && !name.IsTag() {
			return nil
		}
		h := r.Hash()
		if name.IsTag() { // peel annotated tags: the fake keeps lightweight ones
			if t, err := repo.TagObject(h); err == nil {
				c, err := t.Commit()
				if err != nil {
					return nil // a tag of something other than a commit
				}
				h = c.Hash
			}
		}
		refs[name.String()] = h.String()
		return nil
	})
	if err != nil {
		return fmt.Errorf("fake GitHub: reading refs: %w", err)
	}
	head, err := repo.Head()
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("fake GitHub: reading HEAD: %w", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// seq orders commits newest-first in listings: follow committer time.
	for _, c := range oldestFirst(commits) {
		s.seq++
		c.seq = s.seq
		s.commits[c.sha] = c
	}
	for ref, sha := range refs {
		s.refs[ref] = sha
	}
	if head != nil {
		s.refs["refs/heads/"+s.opts.DefaultBranch] = head.Hash().String()
	}
	return nil
}

func oldestFirst(m map[string]*commit) []*commit {
	out := make([]*commit, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].date.Equal(out[j].date) {
			return out[i].date.Before(out[j].date)
		}
		return out[i].sha < out[j].sha
	})
	return out
}

// noreplyLogin reads the login out of a GitHub noreply address.
func noreplyLogin(email string) string {
	local, ok := strings.CutSuffix(strings.ToLower(email), "@users.noreply.github.com")
	if !ok {
		return ""
	}
	if _, after, ok := strings.Cut(local, "+"); ok {
		return after
	}
	return local
}

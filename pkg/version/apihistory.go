package version

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-github/v60/github"
)

// APIHistory reads History through the GitHub REST API, for shallow clones:
// tags (already peeled by GitHub), comparisons and commits.
func APIHistory(c *github.Client, owner, repo string) History {
	return apiHistory{c: c, owner: owner, repo: repo}
}

type apiHistory struct {
	c           *github.Client
	owner, repo string
}

func (a apiHistory) Tags(ctx context.Context) ([]Tag, error) {
	var out []Tag
	opts := &github.ListOptions{PerPage: 100}
	for {
		tags, resp, err := a.c.Repositories.ListTags(ctx, a.owner, a.repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list tags of %s/%s through the GitHub API: %w", a.owner, a.repo, err)
		}
		for _, t := range tags {
			out = append(out, Tag{Name: t.GetName(), Commit: t.GetCommit().GetSHA()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// commits lists from..to oldest first; from "" lists the whole history.
func (a apiHistory) commits(ctx context.Context, from, to string) ([]*github.RepositoryCommit, error) {
	var out []*github.RepositoryCommit
	if from == "" {
		opts := &github.CommitsListOptions{SHA: to, ListOptions: github.ListOptions{PerPage: 100}}
		for {
			cs, resp, err := a.c.Repositories.ListCommits(ctx, a.owner, a.repo, opts)
			if err != nil {
				return nil, fmt.Errorf("list commits of %s through the GitHub API: %w", shortSHA(to), err)
			}
			out = append(out, cs...)
			if resp.NextPage == 0 {
				return out, nil
			}
			opts.Page = resp.NextPage
		}
	}
	opts := &github.ListOptions{PerPage: 100}
	for {
		cmp, resp, err := a.c.Repositories.CompareCommits(ctx, a.owner, a.repo, from, to, opts)
		if err != nil {
			return nil, fmt.Errorf("compare %s...%s through the GitHub API: %w", shortSHA(from), shortSHA(to), err)
		}
		out = append(out, cmp.Commits...)
		if resp.NextPage == 0 || len(cmp.Commits) == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

func (a apiHistory) CountCommits(ctx context.Context, from, to string) (int, error) {
	if from != "" {
		cmp, _, err := a.c.Repositories.CompareCommits(ctx, a.owner, a.repo, from, to, &github.ListOptions{PerPage: 1})
		if err != nil {
			return 0, fmt.Errorf("compare %s...%s through the GitHub API: %w", shortSHA(from), shortSHA(to), err)
		}
		return cmp.GetAheadBy(), nil
	}
	cs, err := a.commits(ctx, from, to)
	return len(cs), err
}

func (a apiHistory) Messages(ctx context.Context, from, to string) ([]string, error) {
	cs, err := a.commits(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.GetCommit().GetMessage()
	}
	return out, nil
}

func (a apiHistory) IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error) {
	if ancestor == descendant {
		return true, nil
	}
	cmp, _, err := a.c.Repositories.CompareCommits(ctx, a.owner, a.repo, ancestor, descendant, &github.ListOptions{PerPage: 1})
	if err != nil {
		return false, fmt.Errorf("compare %s...%s through the GitHub API: %w", shortSHA(ancestor), shortSHA(descendant), err)
	}
	return cmp.GetBehindBy() == 0, nil
}

func (a apiHistory) CommitTime(ctx context.Context, rev string) (time.Time, error) {
	c, _, err := a.c.Repositories.GetCommit(ctx, a.owner, a.repo, rev, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("read commit %s through the GitHub API: %w", shortSHA(rev), err)
	}
	return c.GetCommit().GetCommitter().GetDate().Time.UTC(), nil
}

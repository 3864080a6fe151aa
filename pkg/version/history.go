package version

import (
	"context"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
)

// Tag is a git tag peeled to the commit it names.
type Tag struct{ Name, Commit string }

// History is what Resolve reads from the repository. Revisions are full
// commit hashes.
type History interface {
	// Tags lists every tag with the commit it names.
	Tags(ctx context.Context) ([]Tag, error)
	// CountCommits counts the commits reachable from to but not from from
	// (git's from..to); an empty from counts the whole history of to.
	CountCommits(ctx context.Context, from, to string) (int, error)
	// Messages returns the messages of the commits in from..to.
	Messages(ctx context.Context, from, to string) ([]string, error)
	// IsAncestor reports whether ancestor is reachable from descendant.
	IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error)
	// CommitTime is the committer time of a commit.
	CommitTime(ctx context.Context, rev string) (time.Time, error)
}

// reachableHistory is a History that decides, in one walk of head's
// history, which of many commits it reaches. Resolve uses it, when the
// History has it, to find the highest release HEAD descends from among all
// releases instead of asking IsAncestor of the newest few.
type reachableHistory interface {
	Reachable(ctx context.Context, head string, commits []string) (map[string]bool, error)
}

// GitHistory reads History from a local clone. It lists the tags once.
func GitHistory(r *gitrepo.Repo) History { return &gitHistory{r: r} }

type gitHistory struct {
	r    *gitrepo.Repo
	tags []Tag
}

func (g *gitHistory) Tags(ctx context.Context) ([]Tag, error) {
	if g.tags != nil {
		return g.tags, nil
	}
	tags, err := g.r.Tags(ctx, gitrepo.PeelOnly())
	if err != nil {
		return nil, err
	}
	g.tags = make([]Tag, len(tags))
	for i, t := range tags {
		g.tags[i] = Tag{Name: t.Name, Commit: t.Commit}
	}
	return g.tags, nil
}

func (g *gitHistory) CountCommits(ctx context.Context, from, to string) (int, error) {
	return g.r.CountCommits(ctx, from, to)
}

func (g *gitHistory) Messages(ctx context.Context, from, to string) ([]string, error) {
	commits, err := g.r.CommitsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(commits))
	for i, c := range commits {
		out[i] = c.Message
	}
	return out, nil
}

func (g *gitHistory) IsAncestor(ctx context.Context, a, b string) (bool, error) {
	return g.r.IsAncestor(ctx, a, b)
}

func (g *gitHistory) Reachable(ctx context.Context, head string, commits []string) (map[string]bool, error) {
	return g.r.Reachable(ctx, head, commits)
}

func (g *gitHistory) CommitTime(ctx context.Context, rev string) (time.Time, error) {
	return g.r.CommitTime(ctx, rev)
}

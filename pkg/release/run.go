package release

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/org/timetracker-ci/pkg/changelog"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/version"
)

// Changelog kinds: conventional commits read from the checkout, GitHub's
// generated notes, or none.
const (
	ChangelogConventional = "conventional"
	ChangelogGitHub       = "github"
	ChangelogNone         = "none"
)

// Request is one run of the release action: the release, and what its body
// is made of.
type Request struct {
	Options
	// UserBody is the user's text (body or body-file), put above the changelog.
	UserBody string
	// Changelog is one of the Changelog kinds.
	Changelog string
	// PreviousTag bounds the changelog; empty means the highest release
	// below Tag (pre-releases skipped for a final release).
	PreviousTag string
	// RepoDir is the checkout the conventional changelog is read from.
	RepoDir string
	// ServerURL links commits and authors (https://github.com).
	ServerURL string
}

// Run writes the body (the user's text and the changelog, within GitHub's
// size limit) to release.md in WorkDir and publishes the release; client
// may be nil for a dry run. A previous tag that is not there and a body
// too long for any changelog are *inputerror.Error, found before anything
// is published.
func Run(ctx context.Context, client *github.Client, req Request) (*Result, string, error) {
	notes, err := notes(ctx, client, req)
	if err != nil {
		return nil, "", err
	}
	req.Body = joinBody(req.UserBody, notes)
	work, err := openWorkDir(req.WorkDir)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", WorkDirInput, err)
	}
	err = work.WriteFile(WorkDirInput, "release.md", []byte(req.Body), 0o644)
	work.Close()
	if err != nil {
		return nil, "", err
	}
	res, err := Publish(ctx, client, req.Options)
	return res, filepath.Join(req.WorkDir, "release.md"), err
}

func joinBody(user, notes string) string {
	switch {
	case user == "":
		return notes
	case notes == "":
		return user
	}
	return user + "\n\n" + notes
}

func (req Request) logf(format string, args ...any) {
	if req.Logf != nil {
		req.Logf(format, args...)
	}
}

// notes produces the changelog asked for, sized to leave room for the
// user's text under GitHub's body limit.
func notes(ctx context.Context, client *github.Client, req Request) (string, error) {
	limit := MaxBodyLength - changelog.Length(req.UserBody) - 2
	if limit < 200 {
		return "", inputerror.Errorf("body", "is %d characters, leaving no room under GitHub's %d-character limit for the changelog: shorten it or set changelog: none", changelog.Length(req.UserBody), MaxBodyLength)
	}
	switch req.Changelog {
	case ChangelogNone:
		return "", nil
	case ChangelogGitHub:
		if client == nil {
			req.logf("changelog: github needs a token; the dry-run body has no generated notes")
			return "", nil
		}
		opt := &github.GenerateNotesOptions{TagName: req.Tag, TargetCommitish: github.String(req.Target)}
		prev := req.PreviousTag
		if prev == "" {
			prev = localPreviousTag(ctx, req)
		}
		if prev != "" {
			opt.PreviousTagName = github.String(prev)
		}
		n, _, err := client.Repositories.GenerateReleaseNotes(ctx, req.Owner, req.Repo, opt)
		if githubapi.NotAccessible(err) {
			return "", &PermissionError{Permission: "contents: write", Err: err}
		}
		if err != nil {
			return "", fmt.Errorf("changelog: GitHub's generated notes: %w", err)
		}
		body := n.Body
		if changelog.Length(body) > limit {
			body = string([]rune(body)[:limit-60]) + "\n\n…(cut to stay within GitHub's size limit)\n"
		}
		return body, nil
	}
	return conventional(ctx, req, limit)
}

func localPreviousTag(ctx context.Context, req Request) string {
	repo, err := gitrepo.Open(req.RepoDir)
	if err != nil {
		return ""
	}
	defer repo.Close()
	tags, err := repo.Tags(ctx, gitrepo.PeelOnly())
	if err != nil {
		return ""
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return previousTag(req.Tag, names)
}

// previousTag is the version resolver's choice: the highest release below
// tag, skipping prereleases for a final release.
func previousTag(tag string, names []string) string {
	prefix := ""
	if strings.HasPrefix(tag, "v") {
		prefix = "v"
	}
	prev, _ := version.PreviousTag(names, prefix, tag)
	return prev
}

func conventional(ctx context.Context, req Request, limit int) (string, error) {
	repo, err := gitrepo.Open(req.RepoDir)
	if err != nil {
		return "", fmt.Errorf("changelog: the workspace is not a git checkout (%v): run actions/checkout with fetch-depth: 0 first, or set changelog: github or none", err)
	}
	defer repo.Close()
	if repo.Shallow() {
		return "", errors.New("changelog: the checkout is shallow, so the commits since the previous tag are not all there: set fetch-depth: 0 on actions/checkout, or set changelog: github")
	}
	tags, err := repo.Tags(ctx, gitrepo.PeelOnly())
	if err != nil {
		return "", fmt.Errorf("changelog: reading tags: %w", err)
	}
	names := make([]string, len(tags))
	head := ""
	for i, t := range tags {
		names[i] = t.Name
		if t.Name == req.Tag {
			head = t.Commit
		}
	}
	if head == "" { // the tag is created through the API: read up to the target
		rev := req.Target
		if rev == "" {
			rev = "HEAD"
		}
		if head, err = repo.Resolve(ctx, rev); err != nil {
			return "", fmt.Errorf("changelog: the target %s: %w", rev, err)
		}
	}
	prev := req.PreviousTag
	if prev == "" {
		prev = previousTag(req.Tag, names)
	} else if _, err := repo.Resolve(ctx, prev); err != nil {
		// Checked before anything is published: a named tag that is not there is bad input.
		return "", inputerror.Errorf("previous-tag", "%w", err)
	}
	commits, err := repo.CommitsBetween(ctx, prev, head)
	if err != nil {
		return "", fmt.Errorf("changelog: commits %s..%s: %w", prev, req.Tag, err)
	}
	var known map[string]bool
	if prev != "" {
		before, err := repo.CommitsBetween(ctx, "", prev)
		if err != nil {
			return "", fmt.Errorf("changelog: commits before %s: %w", prev, err)
		}
		known = map[string]bool{}
		for _, b := range before {
			known[changelog.Identity(changelog.Person{Name: b.Author.Name, Email: b.Author.Email})] = true
		}
	}
	values := make([]changelog.Commit, len(commits))
	for i, x := range commits {
		values[i] = changelog.Commit{SHA: x.Hash, Parents: x.Parents, Message: x.Message, Time: x.Time,
			Author: changelog.Person{Name: x.Author.Name, Email: x.Author.Email}}
	}
	return changelog.Build(values, changelog.Options{Repository: req.Owner + "/" + req.Repo, ServerURL: req.ServerURL,
		Tag: req.Tag, PreviousTag: prev, KnownAuthors: known, Limit: limit}).Markdown(), nil
}

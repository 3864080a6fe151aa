package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/internal/tlsroots"
	"github.com/org/timetracker-ci/pkg/githubapi"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Options is what to publish.
type Options struct {
	Owner, Repo string
	Tag         string
	Name        string // defaults to the tag
	Target      string // commit-ish for a tag that does not exist yet
	Body        string
	Prerelease  bool
	Draft       bool   // leave the release a draft
	MakeLatest  string // auto (default), true, false, legacy
	Assets      []Asset
	Checksums   bool     // attach SHA256SUMS
	MoveTags    []string // major, minor
	Rolling     int      // keep this many development prereleases; 0 keeps all
	Concurrency int      // parallel uploads (default 4)
	// WorkDir receives SHA256SUMS and, in dry-run mode, release.md and
	// assets.txt. Required when Checksums or DryRun.
	WorkDir string
	DryRun  bool
	// Download fetches asset bytes to hash when GitHub gives no digest; a
	// client without the token by default, since downloads redirect to
	// another host.
	Download *http.Client
	Logf     func(string, ...any)
}

// Step is one change the publisher made (or, in dry-run, would make).
type Step struct {
	Verb   string // create, update, publish, upload, replace, delete, move, keep
	Object string // tag, release, asset, draft
	Name   string
	Detail string
}

func (s Step) String() string {
	out := s.Verb + " " + s.Object + " " + s.Name
	if s.Detail != "" {
		out += " (" + s.Detail + ")"
	}
	return out
}

// AssetResult is an output entry: where the asset is and its checksum.
type AssetResult struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
}

// Result is what happened.
type Result struct {
	ID      int64
	URL     string
	Created bool
	Assets  map[string]AssetResult
	Steps   []Step
	Counts  map[string]int // steps by verb (uploaded files: Counts["upload"]+Counts["replace"])
}

// PermissionError is GitHub's 403 "Resource not accessible by integration".
type PermissionError struct {
	Permission string
	Err        error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("the token may not change releases or tags (GitHub answered %q): add\n  permissions:\n    %s\nto the job that runs this action (or pass a token that has it)", "Resource not accessible by integration", e.Permission)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// Publish creates or updates the release. c may be nil only in dry-run mode
// (no token): the plan then assumes nothing exists yet.
func Publish(ctx context.Context, c *github.Client, o Options) (*Result, error) {
	p, err := newPublisher(c, o)
	if err != nil {
		return nil, err
	}
	res, err := p.run(ctx)
	if githubapi.NotAccessible(err) {
		return res, &PermissionError{Permission: "contents: write", Err: err}
	}
	return res, err
}

type publisher struct {
	c   *github.Client
	o   Options
	dry bool

	mu    sync.Mutex
	steps []Step
}

func newPublisher(c *github.Client, o Options) (*publisher, error) {
	if o.Owner == "" || o.Repo == "" {
		return nil, errors.New("release: the repository is unknown: set GITHUB_REPOSITORY (owner/name)")
	}
	if _, err := ParseTag(o.Tag); err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = o.Tag
	}
	if n := len([]rune(o.Body)); n > MaxBodyLength {
		return nil, fmt.Errorf("release body is %d characters, over GitHub's limit of %d: shorten body or body-file", n, MaxBodyLength)
	}
	switch o.MakeLatest {
	case "":
		o.MakeLatest = "auto"
	case "auto", "true", "false", "legacy":
	default:
		return nil, fmt.Errorf("make-latest: %q is not one of auto, true, false, legacy", o.MakeLatest)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Download == nil {
		tlsroots.Install()
		o.Download = &http.Client{}
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if c == nil && !o.DryRun {
		return nil, errors.New("release: no GitHub token: pass github-token (the default ${{ github.token }} works with permissions: contents: write) or set dry-run: true")
	}
	if (o.Checksums || o.DryRun) && o.WorkDir == "" {
		return nil, errors.New("release: no work folder for SHA256SUMS and the dry-run files")
	}
	if o.Checksums && len(o.Assets) > 0 { // an empty SHA256SUMS would only puzzle people
		work, err := openWorkDir(o.WorkDir)
		if err != nil {
			return nil, fmt.Errorf("release: %w", err)
		}
		defer work.Close()
		if err := work.WriteFile(WorkDirInput, ChecksumsName, Checksums(o.Assets), 0o644); err != nil {
			return nil, fmt.Errorf("release: writing %s: %w", ChecksumsName, err)
		}
		a, err := hashAsset(work, ChecksumsName)
		if err != nil {
			return nil, err
		}
		dir := o.WorkDir
		a.Open = func() (*os.File, error) { // work is closed by then
			w, err := workspace.Open(dir)
			if err != nil {
				return nil, err
			}
			defer w.Close()
			f, err := w.Open(WorkDirInput, ChecksumsName, workspace.KindAsset)
			if err != nil {
				return nil, err
			}
			return f.File, nil
		}
		o.Assets = append(append([]Asset(nil), o.Assets...), a)
	}
	if err := CheckAssets(o.Assets); err != nil {
		return nil, err
	}
	if _, err := MovingTags(o.Tag, o.MoveTags); err != nil {
		return nil, err
	}
	return &publisher{c: c, o: o, dry: o.DryRun}, nil
}

func (p *publisher) step(verb, object, name, detail string) {
	p.mu.Lock()
	p.steps = append(p.steps, Step{Verb: verb, Object: object, Name: name, Detail: detail})
	p.mu.Unlock()
	prefix := ""
	if p.dry {
		prefix = "would "
	}
	p.o.Logf("%s%s", prefix, Step{Verb: verb, Object: object, Name: name, Detail: detail})
}

func (p *publisher) result(rel *github.RepositoryRelease, created bool, assets map[string]AssetResult) *Result {
	r := &Result{ID: rel.GetID(), URL: rel.GetHTMLURL(), Created: created, Assets: assets, Steps: p.steps, Counts: map[string]int{}}
	for _, s := range p.steps {
		r.Counts[s.Verb]++
	}
	return r
}

func (p *publisher) run(ctx context.Context) (*Result, error) {
	if p.c == nil { // dry-run without a token: nothing can be looked up
		p.step("create", "tag", p.o.Tag, "at "+orUnknown(p.o.Target))
		p.step("create", "draft", p.o.Tag, "")
		assets := map[string]AssetResult{}
		for _, a := range p.o.Assets {
			p.step("upload", "asset", a.Name, fmt.Sprintf("%d bytes", a.Size))
			assets[a.Name] = AssetResult{SHA256: a.SHA256}
		}
		p.planPublish()
		res := p.result(&github.RepositoryRelease{}, true, assets)
		return res, p.writeDryRun(res)
	}

	sha, err := p.ensureTag(ctx)
	if err != nil {
		return nil, err
	}
	rel, created, err := p.findOrCreate(ctx, sha)
	if err != nil {
		return nil, err
	}
	if !created {
		if rel, err = p.updateFields(ctx, rel); err != nil {
			return nil, err
		}
	}
	assets, err := p.syncAssets(ctx, rel)
	if err != nil {
		return p.result(rel, created, assets), err
	}
	if rel, err = p.publish(ctx, rel); err != nil {
		return p.result(rel, created, assets), err
	}
	// A draft's download URLs name "untagged-…"; report the published ones.
	for _, a := range rel.Assets {
		if r, ok := assets[a.GetName()]; ok && a.GetBrowserDownloadURL() != "" {
			r.URL = a.GetBrowserDownloadURL()
			assets[a.GetName()] = r
		}
	}
	if err := p.moveTags(ctx, sha); err != nil {
		return p.result(rel, created, assets), err
	}
	if err := p.roll(ctx, rel.GetID()); err != nil {
		return p.result(rel, created, assets), err
	}
	res := p.result(rel, created, assets)
	if p.dry {
		return res, p.writeDryRun(res)
	}
	return res, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "the default branch"
	}
	return s
}

var fullSHA = lazyre.New(`^[0-9a-f]{40}$`)

// ensureTag returns the commit the tag points at, creating the tag at the
// target when it does not exist yet.
func (p *publisher) ensureTag(ctx context.Context) (string, error) {
	sha, err := p.refSHA(ctx, "tags/"+p.o.Tag)
	if err != nil {
		return "", err
	}
	if sha != "" {
		if fullSHA.MatchString(p.o.Target) && p.o.Target != sha {
			p.o.Logf("note: tag %s already exists at %s; releasing that commit, not the target %s", p.o.Tag, sha[:7], p.o.Target[:7])
		}
		return sha, nil
	}
	target := p.o.Target
	if target == "" {
		return "", fmt.Errorf("tag %s does not exist and no target was given: set the target input to the commit (e.g. ${{ github.sha }})", p.o.Tag)
	}
	if !fullSHA.MatchString(target) {
		rc, _, err := p.c.Repositories.GetCommit(ctx, p.o.Owner, p.o.Repo, target, nil)
		if err != nil {
			return "", fmt.Errorf("target %q: %w", target, err)
		}
		target = rc.GetSHA()
	}
	p.step("create", "tag", p.o.Tag, "at "+target[:7])
	if p.dry {
		return target, nil
	}
	_, _, err = p.c.Git.CreateRef(ctx, p.o.Owner, p.o.Repo, &github.Reference{Ref: github.String("refs/tags/" + p.o.Tag), Object: &github.GitObject{SHA: github.String(target)}})
	if err != nil && githubapi.StatusCode(err) == http.StatusUnprocessableEntity {
		// Another run (or our own lost response) created it: use what is there.
		if sha, err2 := p.refSHA(ctx, "tags/"+p.o.Tag); err2 == nil && sha != "" {
			if sha != target {
				return "", fmt.Errorf("tag %s was just created at %s by someone else, not at the target %s: check which commit should be released", p.o.Tag, sha, target)
			}
			return sha, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("creating tag %s: %w", p.o.Tag, err)
	}
	return target, nil
}

// refSHA returns the commit a ref ("tags/v1") points at, or "" when absent.
func (p *publisher) refSHA(ctx context.Context, ref string) (string, error) {
	r, _, err := p.c.Git.GetRef(ctx, p.o.Owner, p.o.Repo, ref)
	if githubapi.StatusCode(err) == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", ref, err)
	}
	sha := r.GetObject().GetSHA()
	if r.GetObject().GetType() == "tag" { // annotated: peel to the commit
		t, _, err := p.c.Git.GetTag(ctx, p.o.Owner, p.o.Repo, sha)
		if err != nil {
			return "", fmt.Errorf("reading annotated tag %s: %w", ref, err)
		}
		sha = t.GetObject().GetSHA()
	}
	return sha, nil
}

// listReleases pages through every release, drafts included, keeping those
// keep accepts.
func (p *publisher) listReleases(ctx context.Context, keep func(*github.RepositoryRelease) bool) ([]*github.RepositoryRelease, error) {
	var out []*github.RepositoryRelease
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := p.c.Repositories.ListReleases(ctx, p.o.Owner, p.o.Repo, opt)
		if err != nil {
			return nil, fmt.Errorf("listing releases: %w", err)
		}
		for _, r := range page {
			if keep(r) {
				out = append(out, r)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// releasesForTag lists every release (drafts included) for the tag, lowest id first.
func (p *publisher) releasesForTag(ctx context.Context) ([]*github.RepositoryRelease, error) {
	out, err := p.listReleases(ctx, func(r *github.RepositoryRelease) bool { return r.GetTagName() == p.o.Tag })
	sort.Slice(out, func(i, j int) bool { return out[i].GetID() < out[j].GetID() })
	return out, err
}

// winner is the release every run agrees on: the published one, else the
// lowest-numbered draft (created first, so every later creator sees it).
func winner(rels []*github.RepositoryRelease) *github.RepositoryRelease {
	for _, r := range rels {
		if !r.GetDraft() {
			return r
		}
	}
	if len(rels) > 0 {
		return rels[0]
	}
	return nil
}

func (p *publisher) byTag(ctx context.Context) (*github.RepositoryRelease, error) {
	r, _, err := p.c.Repositories.GetReleaseByTag(ctx, p.o.Owner, p.o.Repo, p.o.Tag)
	if githubapi.StatusCode(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up the release for %s: %w", p.o.Tag, err)
	}
	return r, nil
}

func (p *publisher) findOrCreate(ctx context.Context, sha string) (*github.RepositoryRelease, bool, error) {
	if r, err := p.byTag(ctx); r != nil || err != nil {
		return r, false, err
	}
	rels, err := p.releasesForTag(ctx)
	if err != nil {
		return nil, false, err
	}
	if w := winner(rels); w != nil {
		return w, false, p.dropDuplicates(ctx, rels, w)
	}
	p.step("create", "draft", p.o.Tag, "")
	if p.dry {
		return &github.RepositoryRelease{TagName: github.String(p.o.Tag), Draft: github.Bool(true)}, true, nil
	}
	mine, _, err := p.c.Repositories.CreateRelease(ctx, p.o.Owner, p.o.Repo, &github.RepositoryRelease{
		TagName: github.String(p.o.Tag), TargetCommitish: github.String(sha), Name: github.String(p.o.Name),
		Body: github.String(p.o.Body), Draft: github.Bool(true), Prerelease: github.Bool(p.o.Prerelease),
	})
	if githubapi.HasErrorCode(err, "Release", "already_exists") {
		// Published by a run that won the race: adopt it.
		r, err := p.byTag(ctx)
		if err == nil && r == nil {
			err = fmt.Errorf("GitHub says a release for %s exists but does not show it: re-run the job", p.o.Tag)
		}
		return r, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("creating the release for %s: %w", p.o.Tag, explain404(err))
	}
	// Converge with racing runs: everyone keeps the same one.
	if rels, err = p.releasesForTag(ctx); err != nil {
		return nil, false, err
	}
	w := winner(rels)
	if w == nil {
		w = mine
	}
	if err := p.dropDuplicates(ctx, rels, w); err != nil {
		return nil, false, err
	}
	return w, w.GetID() == mine.GetID(), nil
}

// dropDuplicates deletes the other drafts for the tag that hold no assets;
// non-empty ones are someone's work and are reported, not deleted.
func (p *publisher) dropDuplicates(ctx context.Context, rels []*github.RepositoryRelease, keep *github.RepositoryRelease) error {
	for _, r := range rels {
		if r.GetID() == keep.GetID() || !r.GetDraft() {
			continue
		}
		if len(r.Assets) > 0 {
			p.o.Logf("warning: draft release %d for %s also holds %d assets; left in place", r.GetID(), p.o.Tag, len(r.Assets))
			continue
		}
		p.step("delete", "draft", fmt.Sprint(r.GetID()), "empty duplicate for "+p.o.Tag)
		if p.dry {
			continue
		}
		if _, err := p.c.Repositories.DeleteRelease(ctx, p.o.Owner, p.o.Repo, r.GetID()); err != nil && githubapi.StatusCode(err) != http.StatusNotFound {
			return fmt.Errorf("deleting duplicate draft %d: %w", r.GetID(), err)
		}
	}
	return nil
}

func (p *publisher) updateFields(ctx context.Context, rel *github.RepositoryRelease) (*github.RepositoryRelease, error) {
	var changed []string
	if rel.GetName() != p.o.Name {
		changed = append(changed, "name")
	}
	if rel.GetBody() != p.o.Body {
		changed = append(changed, "body")
	}
	if rel.GetPrerelease() != p.o.Prerelease {
		changed = append(changed, "prerelease")
	}
	if len(changed) == 0 {
		return rel, nil
	}
	p.step("update", "release", p.o.Tag, strings.Join(changed, ", "))
	if p.dry {
		return rel, nil
	}
	edit := &github.RepositoryRelease{Name: github.String(p.o.Name), Body: github.String(p.o.Body), Prerelease: github.Bool(p.o.Prerelease)}
	r, _, err := p.c.Repositories.EditRelease(ctx, p.o.Owner, p.o.Repo, rel.GetID(), edit)
	if err != nil {
		return nil, fmt.Errorf("updating release %d: %w", rel.GetID(), err)
	}
	return r, nil
}

func (p *publisher) planPublish() {
	if !p.o.Draft {
		p.step("publish", "release", p.o.Tag, "make_latest "+p.o.MakeLatest)
	}
}

func (p *publisher) publish(ctx context.Context, rel *github.RepositoryRelease) (*github.RepositoryRelease, error) {
	if p.o.Draft || !rel.GetDraft() {
		return rel, nil
	}
	latest, err := p.makeLatest(ctx)
	if err != nil {
		return rel, err
	}
	p.step("publish", "release", p.o.Tag, "make_latest "+latest)
	if p.dry {
		return rel, nil
	}
	r, _, err := p.c.Repositories.EditRelease(ctx, p.o.Owner, p.o.Repo, rel.GetID(), &github.RepositoryRelease{Draft: github.Bool(false), MakeLatest: github.String(latest)})
	if githubapi.HasErrorCode(err, "Release", "already_exists") {
		// Someone published another release for the tag meanwhile: finish
		// that one and drop ours.
		other, err := p.byTag(ctx)
		if err != nil || other == nil {
			return rel, fmt.Errorf("publishing %s: another release for the tag appeared and vanished: re-run the job", p.o.Tag)
		}
		if _, err := p.syncAssets(ctx, other); err != nil {
			return rel, err
		}
		p.step("delete", "draft", fmt.Sprint(rel.GetID()), "superseded by release "+fmt.Sprint(other.GetID()))
		if _, err := p.c.Repositories.DeleteRelease(ctx, p.o.Owner, p.o.Repo, rel.GetID()); err != nil && githubapi.StatusCode(err) != http.StatusNotFound {
			return rel, fmt.Errorf("deleting superseded draft %d: %w", rel.GetID(), err)
		}
		return other, nil
	}
	if err != nil {
		return rel, fmt.Errorf("publishing release %d: %w", rel.GetID(), explain404(err))
	}
	return r, nil
}

// makeLatest resolves "auto": latest only for a release that is not a
// prerelease and is at least as high as the current latest.
func (p *publisher) makeLatest(ctx context.Context) (string, error) {
	if p.o.Prerelease {
		return "false", nil
	}
	if p.o.MakeLatest != "auto" {
		return p.o.MakeLatest, nil
	}
	cur, _, err := p.c.Repositories.GetLatestRelease(ctx, p.o.Owner, p.o.Repo)
	if githubapi.StatusCode(err) == http.StatusNotFound {
		return "true", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the latest release: %w", err)
	}
	mine, _ := ParseTag(p.o.Tag)
	theirs, perr := ParseTag(cur.GetTagName())
	if perr != nil || !mine.LessThan(theirs) {
		return "true", nil
	}
	return "false", nil
}

func (p *publisher) moveTags(ctx context.Context, sha string) error {
	names, _ := MovingTags(p.o.Tag, p.o.MoveTags)
	if len(names) > 0 && p.o.Prerelease {
		p.o.Logf("move-tags: %s is a prerelease; %s stay where they are", p.o.Tag, strings.Join(names, ", "))
		return nil
	}
	for _, n := range names {
		cur, err := p.refSHA(ctx, "tags/"+n)
		if err != nil {
			return err
		}
		switch {
		case cur == sha:
			continue
		case cur == "":
			p.step("create", "tag", n, "at "+sha[:7])
			if !p.dry {
				_, _, err = p.c.Git.CreateRef(ctx, p.o.Owner, p.o.Repo, &github.Reference{Ref: github.String("refs/tags/" + n), Object: &github.GitObject{SHA: github.String(sha)}})
			}
		default:
			p.step("move", "tag", n, cur[:7]+" → "+sha[:7])
			if !p.dry {
				_, _, err = p.c.Git.UpdateRef(ctx, p.o.Owner, p.o.Repo, &github.Reference{Ref: github.String("refs/tags/" + n), Object: &github.GitObject{SHA: github.String(sha)}}, true)
			}
		}
		if err != nil {
			return fmt.Errorf("moving tag %s: %w", n, err)
		}
	}
	return nil
}

// roll keeps the newest Rolling development prereleases (this one included)
// and deletes older ones with their tags.
func (p *publisher) roll(ctx context.Context, keepID int64) error {
	if p.o.Rolling <= 0 || !IsDevelopment(p.o.Tag) {
		return nil
	}
	dev, err := p.listReleases(ctx, func(r *github.RepositoryRelease) bool {
		return r.GetPrerelease() && !r.GetDraft() && IsDevelopment(r.GetTagName()) && r.GetID() != keepID && r.GetTagName() != p.o.Tag
	})
	if err != nil {
		return err
	}
	sort.Slice(dev, func(i, j int) bool { // newest first
		ti, tj := dev[i].GetCreatedAt().Time, dev[j].GetCreatedAt().Time
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return dev[i].GetID() > dev[j].GetID()
	})
	for i, r := range dev {
		if i < p.o.Rolling-1 {
			continue
		}
		p.step("delete", "release", r.GetTagName(), "older development prerelease")
		if p.dry {
			continue
		}
		if _, err := p.c.Repositories.DeleteRelease(ctx, p.o.Owner, p.o.Repo, r.GetID()); err != nil && githubapi.StatusCode(err) != http.StatusNotFound {
			return fmt.Errorf("deleting old development release %s: %w", r.GetTagName(), err)
		}
		_, err := p.c.Git.DeleteRef(ctx, p.o.Owner, p.o.Repo, "tags/"+r.GetTagName())
		if err != nil && githubapi.StatusCode(err) != http.StatusUnprocessableEntity && githubapi.StatusCode(err) != http.StatusNotFound {
			return fmt.Errorf("deleting tag %s: %w", r.GetTagName(), err)
		}
	}
	return nil
}

// WorkflowScopeError is GitHub's 404 (sometimes 403) on a release write
// whose commit changes .github/workflows/: the token lacks the workflow scope.
type WorkflowScopeError struct{ Err error }

func (e *WorkflowScopeError) Error() string {
	return "GitHub answered 404 to a release write: when the release commit adds or changes files under .github/workflows/, the token needs the workflow scope, which GITHUB_TOKEN never has: use a GitHub App token or a fine-grained token with Workflows: write (" + e.Err.Error() + ")"
}

func (e *WorkflowScopeError) Unwrap() error { return e.Err }

// explain404 names the likely cause of a 404 on a release the repository
// certainly has (we just read or created it).
func explain404(err error) error {
	if githubapi.StatusCode(err) == http.StatusNotFound {
		return &WorkflowScopeError{Err: err}
	}
	return err
}

// hashRemote downloads an asset and hashes it (GitHub gave no digest).
func (p *publisher) hashRemote(ctx context.Context, id int64) (string, error) {
	body, err := githubapi.OpenAsset(ctx, p.c, p.o.Download, p.o.Owner, p.o.Repo, id)
	if err != nil {
		return "", fmt.Errorf("downloading asset %d to compare: %w", id, err)
	}
	defer body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		return "", fmt.Errorf("downloading asset %d to compare: %w", id, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WorkDirInput is the input work-folder refusals are reported against.
const WorkDirInput = "output-dir"

// openWorkDir creates WorkDir and opens it as a jail: the files written
// there (SHA256SUMS, the dry-run files) never go through a symlink a
// repository placed in it.
func openWorkDir(dir string) (*workspace.Workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return workspace.Open(dir)
}

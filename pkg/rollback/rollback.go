package rollback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/registry"
)

// Registry is what a rollback needs of the registries; *registry.Client
// has it.
type Registry interface {
	Tags(ctx context.Context, repository string) ([]string, error)
	Head(ctx context.Context, ref string) (digest string, found bool, err error)
	Publish(ctx context.Context, req registry.Request) (*registry.Result, error)
}

// GitHub says where the releases live. A nil Client leaves GitHub alone
// (a registry-only rollback).
type GitHub struct {
	Client      *github.Client
	Owner, Repo string
	// Download follows asset redirects to their storage host without the
	// API token.
	Download *http.Client
}

// Options say what to roll back.
type Options struct {
	// Images are the repositories ("ghcr.io/org/app"); the first is the one
	// whose tags decide.
	Images []string
	// To is the version to go back to ("1.2.3" or "v1.2.3"). Empty: the
	// release before the one latest points at; when latest already points
	// below the newest release, the rollback was done and To is that
	// release (so a re-run changes nothing).
	To string
	// Tags are the moving tags to move back; "major" and "minor" stand for
	// the target's own major ("1") and minor ("1.2") tags. Default: latest,
	// stable, major.
	Tags []string
	// Platforms that the target's index must hold (as the image action).
	Platforms []string
	// ReleaseTagPrefix is put before the version to find the GitHub
	// release and its git tag ("v" for v1.2.3); the bare version is tried
	// too.
	ReleaseTagPrefix string
	GitHub           GitHub
	// DeployDir receives the target versionTag's deployment files (compose,
	// Kubernetes, deployment.json, SHA256SUMS). Empty skips them.
	DeployDir string
	DryRun    bool
	Now       func() time.Time
	Logf      func(format string, args ...any)
}

// DefaultTags are the moving tags a rollback moves when none are given.
var DefaultTags = []string{"latest", "stable", "major"}

// TagMove is what happened (or, in a dry run, would happen) to one tag.
type TagMove struct {
	Image  string `json:"image"`
	Tag    string `json:"tag"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new"`
	Change string `json:"change"` // moved, unchanged, absent, kept
	Why    string `json:"why,omitempty"`
}

// Result is what the rollback did.
type Result struct {
	Version string    `json:"version"` // the release now current
	Digest  string    `json:"digest"`  // its index digest
	From    []string  `json:"from"`    // the newer releases rolled back past
	Tags    []TagMove `json:"tags"`
	// Moved lists image:tag for every tag that moved (or would move).
	Moved    []string `json:"moved"`
	Release  string   `json:"release,omitempty"` // the GitHub release made latest
	Marked   []string `json:"marked,omitempty"`  // releases whose notes now say they were rolled back
	Files    []string `json:"files,omitempty"`   // deployment files written to DeployDir
	DryRun   bool     `json:"dryRun"`
	NoChange bool     `json:"noChange"` // everything was already in place
}

// release is one version tag in the first repository.
type versionTag struct {
	tag string
	v   *semver.Version
}

// ParseVersionTag reads an image version tag ("1.2.3", "v1.2.3",
// "1.3.0-rc.1"); moving tags and other tags are not versions.
func ParseVersionTag(tag string) (*semver.Version, bool) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v"))
	if err != nil {
		return nil, false
	}
	return v, true
}

// Run rolls back. Every check happens before the first write.
func Run(ctx context.Context, reg Registry, o Options) (*Result, error) {
	if len(o.Images) == 0 {
		return nil, errors.New("no image given: name the repositories to roll back (ghcr.io/org/app)")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if len(o.Tags) == 0 {
		o.Tags = DefaultTags
	}
	first := o.Images[0]
	releases, err := versionTags(ctx, reg, first)
	if err != nil {
		return nil, err
	}
	target, err := chooseTarget(ctx, reg, first, releases, o.To)
	if err != nil {
		return nil, err
	}
	res := &Result{Version: target.v.String(), DryRun: o.DryRun, Tags: []TagMove{}, Moved: []string{}, From: []string{}}

	// The target must be the same index in every repository.
	for _, img := range o.Images {
		d, ok, err := reg.Head(ctx, img+":"+target.tag)
		if err != nil {
			return nil, fmt.Errorf("reading %s:%s: %w", img, target.tag, err)
		}
		if !ok {
			return nil, fmt.Errorf("%s:%s does not exist: version %s was never published there, so it cannot be rolled back to; nothing was changed", img, target.tag, target.v)
		}
		if res.Digest == "" {
			res.Digest = d
		} else if d != res.Digest {
			return nil, fmt.Errorf("%s:%s is %s but %s:%s is %s: the repositories disagree about version %s; publish it again with the image action before rolling back; nothing was changed",
				first, target.tag, res.Digest, img, target.tag, d, target.v)
		}
	}

	// Digests of the releases newer than the target: a moving tag that
	// points at one of them is moved back.
	newer := map[string]string{} // digest -> version
	for _, r := range releases {
		if !r.v.GreaterThan(target.v) {
			continue
		}
		d, ok, err := reg.Head(ctx, first+":"+r.tag)
		if err != nil {
			return nil, fmt.Errorf("reading %s:%s: %w", first, r.tag, err)
		}
		if ok && d != res.Digest {
			if _, seen := newer[d]; !seen {
				newer[d] = r.v.String()
			}
		}
		res.From = append(res.From, r.v.String())
	}
	sort.Slice(res.From, func(i, j int) bool { return semver.MustParse(res.From[i]).LessThan(semver.MustParse(res.From[j])) })

	tags, err := expandTags(o.Tags, target.v)
	if err != nil {
		return nil, err
	}
	perImage := map[string][]string{}
	for _, img := range o.Images {
		for _, t := range tags {
			m := TagMove{Image: img, Tag: t, New: res.Digest}
			cur, ok, err := reg.Head(ctx, img+":"+t)
			if err != nil {
				return nil, fmt.Errorf("reading %s:%s: %w", img, t, err)
			}
			switch {
			case !ok:
				m.Change, m.New, m.Why = "absent", "", "the tag does not exist; a rollback does not create tags"
			case cur == res.Digest:
				m.Change, m.Old = "unchanged", cur
			case newer[cur] != "":
				m.Change, m.Old, m.Why = "moved", cur, "pointed at "+newer[cur]
				perImage[img] = append(perImage[img], t)
				res.Moved = append(res.Moved, img+":"+t)
			default:
				m.Change, m.Old, m.New, m.Why = "kept", cur, cur, "points at neither the target nor a newer release"
			}
			res.Tags = append(res.Tags, m)
		}
	}

	var gh *ghPlan
	if o.GitHub.Client != nil {
		if gh, err = planGitHub(ctx, o, target, res.From); err != nil {
			return nil, err
		}
		if err := checkPinned(gh.files, res.Digest); err != nil {
			return nil, err
		}
	}

	// Check each index and platform list with a dry run of the publish
	// that will move the tags: a gone index is refused before any write.
	imgs := make([]string, 0, len(perImage))
	for img := range perImage {
		imgs = append(imgs, img)
	}
	sort.Strings(imgs)
	for _, dry := range []bool{true, false} {
		if !dry && o.DryRun {
			break
		}
		for _, img := range imgs {
			_, err := reg.Publish(ctx, registry.Request{Sources: []string{img + "@" + res.Digest}, Images: []string{img},
				Tags: perImage[img], Platforms: o.Platforms, DryRun: dry})
			if err != nil {
				if dry {
					return nil, fmt.Errorf("checking %s@%s: %w; nothing was changed", img, res.Digest, err)
				}
				return res, fmt.Errorf("moving %s back to %s: %w; run the rollback again to finish", strings.Join(perImage[img], ", "), target.v, err)
			}
		}
	}

	if gh != nil {
		if err := gh.apply(ctx, o, res); err != nil {
			return res, err
		}
		if len(gh.files) > 0 {
			for _, f := range gh.files {
				res.Files = append(res.Files, f.name)
			}
			if !o.DryRun {
				if _, err := writeDeployment(o.DeployDir, gh.files); err != nil {
					return res, fmt.Errorf("%w; run the rollback again to finish", err)
				}
			}
		}
	}
	res.NoChange = len(res.Moved) == 0 && (gh == nil || !gh.changes)
	return res, nil
}

// versionTags lists the version tags of a repository, newest first.
func versionTags(ctx context.Context, reg Registry, image string) ([]versionTag, error) {
	tags, err := reg.Tags(ctx, image)
	if err != nil {
		return nil, err
	}
	var out []versionTag
	for _, t := range tags {
		if v, ok := ParseVersionTag(t); ok {
			out = append(out, versionTag{tag: t, v: v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].v.GreaterThan(out[j].v) })
	return out, nil
}

// chooseTarget finds the release to go back to.
func chooseTarget(ctx context.Context, reg Registry, image string, releases []versionTag, to string) (versionTag, error) {
	if to != "" {
		v, ok := ParseVersionTag(to)
		if !ok {
			return versionTag{}, &InputError{Input: "to", Err: fmt.Errorf("%q is not a version (1.2.3): give the released version to roll back to", to)}
		}
		for _, r := range releases {
			if r.v.Equal(v) && r.v.Original() != "" && strings.TrimPrefix(r.tag, "v") == strings.TrimPrefix(to, "v") {
				return r, nil
			}
		}
		for _, r := range releases {
			if r.v.Equal(v) {
				return r, nil
			}
		}
		return versionTag{}, &InputError{Input: "to", Err: fmt.Errorf("version %s was never released to %s (no such version tag): pick one of %s; nothing was changed", v, image, listVersions(releases, 5))}
	}
	var stable []versionTag
	for _, r := range releases {
		if r.v.Prerelease() == "" {
			stable = append(stable, r)
		}
	}
	if len(stable) < 2 {
		return versionTag{}, fmt.Errorf("%s has %d release(s): there is no earlier release to roll back to; nothing was changed", image, len(stable))
	}
	latest, ok, err := reg.Head(ctx, image+":latest")
	if err != nil {
		return versionTag{}, fmt.Errorf("reading %s:latest: %w", image, err)
	}
	if !ok {
		return versionTag{}, &InputError{Input: "to", Err: fmt.Errorf("%s has no latest tag to find the current release from: give to (the version to roll back to)", image)}
	}
	for i, r := range stable {
		d, ok, err := reg.Head(ctx, image+":"+r.tag)
		if err != nil {
			return versionTag{}, fmt.Errorf("reading %s:%s: %w", image, r.tag, err)
		}
		if !ok || d != latest {
			continue
		}
		if i > 0 {
			// latest is already below the newest release: rolled back.
			return r, nil
		}
		if i+1 < len(stable) {
			return stable[i+1], nil
		}
	}
	return versionTag{}, &InputError{Input: "to", Err: fmt.Errorf("%s:latest points at %s, which no release version tag names: give to (the version to roll back to)", image, latest)}
}

func listVersions(rs []versionTag, n int) string {
	var out []string
	for i, r := range rs {
		if i == n {
			out = append(out, "…")
			break
		}
		out = append(out, r.tag)
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, ", ")
}

// expandTags resolves the "major" and "minor" keywords and checks the rest
// are moving tags: version tags never move.
func expandTags(tags []string, v *semver.Version) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		switch strings.ToLower(t) {
		case "major":
			t = strconv.FormatUint(v.Major(), 10)
		case "minor":
			t = fmt.Sprintf("%d.%d", v.Major(), v.Minor())
		default:
			if _, ok := ParseVersionTag(t); ok {
				return nil, &InputError{Input: "tags", Err: fmt.Errorf("%q is a version tag, and version tags never move: list moving tags (latest, stable, major, minor)", t)}
			}
			if err := registry.ValidateTag(t); err != nil {
				return nil, &InputError{Input: "tags", Err: err}
			}
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// InputError is a problem with one option, named as the action's input.
type InputError struct {
	Input string
	Err   error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

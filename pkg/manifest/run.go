package manifest

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// Request is one run of the manifest action: the image, what decides its
// build time, and where the files go.
type Request struct {
	// Options are the render options; Options.Image holds the name and the
	// tag and/or digest as given, Options.BuildTime the build-time input.
	Options
	// Platforms the image must have; empty checks none.
	Platforms []string
	// Registry reaches the image's registry: resolving a tag, checking the
	// platforms, reading the created time.
	Registry []registry.Option
	// SourceDateEpoch, GitDir (a checkout holding Revision) and HeadCommit
	// (the push event's head commit) are where the build time comes from
	// when Options.BuildTime is empty, in that order, before the image's
	// own config.
	SourceDateEpoch string
	GitDir          string
	HeadCommit      struct{ ID, Timestamp string }
	// Out is the workspace the files are written through, into OutDir
	// (workspace-relative): inside the workspace, never through a symlink.
	Out    *workspace.Workspace
	OutDir string
	Logf   func(format string, args ...any)
}

// Result is what a run made.
type Result struct {
	Image     Image
	Files     []File
	BuildTime string
	// Deployment is deployment.json's content, also when that file is not selected.
	Deployment string
}

// Run decides the build time, resolves the image (digest and platforms),
// renders and validates the files and writes them. Bad input is an
// *inputerror.Error naming the input; nothing is written unless every file
// rendered and validated.
func Run(ctx context.Context, req Request) (*Result, error) {
	logf := req.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var err error
	if req.BuildTime, err = buildTime(ctx, req, logf); err != nil {
		return nil, err
	}
	if req.Image, err = resolve(ctx, req, logf); err != nil {
		return nil, err
	}
	files, err := Render(ctx, req.Options)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := req.Out.WriteFile("output-dir", path.Join(req.OutDir, f.Name), f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	deployment, err := DeploymentOf(req.Options)
	if err != nil {
		return nil, err
	}
	return &Result{Image: req.Image, Files: files, BuildTime: req.BuildTime, Deployment: deployment}, nil
}

// buildTime comes from the input, SOURCE_DATE_EPOCH, the commit, or the
// image's own config (its created label or time: a job that deploys without
// a checkout), never the clock: the same commit must give the same files.
func buildTime(ctx context.Context, req Request, logf func(string, ...any)) (string, error) {
	if v := req.BuildTime; v != "" {
		t, err := ParseBuildTime(v)
		if err != nil {
			return "", inputerror.Errorf("build-time", "build-time %q is neither RFC 3339 (2026-01-02T15:04:05Z) nor Unix seconds", v)
		}
		return t, nil
	}
	if v := req.SourceDateEpoch; v != "" {
		t, err := ParseBuildTime(v)
		if err != nil {
			return "", fmt.Errorf("SOURCE_DATE_EPOCH %q is not Unix seconds", v)
		}
		return t, nil
	}
	if req.Revision != "" {
		if req.GitDir != "" {
			if repo, err := gitrepo.Open(req.GitDir); err == nil {
				defer repo.Close()
				if t, err := repo.CommitTime(ctx, req.Revision); err == nil {
					return t.UTC().Format(time.RFC3339), nil
				}
			}
		}
		if req.HeadCommit.ID == req.Revision {
			if t, err := ParseBuildTime(req.HeadCommit.Timestamp); err == nil {
				return t, nil
			}
		}
	}
	t, err := registry.Created(ctx, req.Image.reference(), req.Registry...)
	if err == nil {
		logf("build time %s from the image's config", t.Format(time.RFC3339))
		return t.Format(time.RFC3339), nil
	}
	return "", inputerror.Errorf("build-time", "cannot tell when revision %q was built (%v): set build-time (RFC 3339), check out the repository so the commit time can be read, or label the image %s", req.Revision, err, registry.CreatedLabel)
}

// A build time lies between the Unix epoch and the end of year 9999:
// -99999999999999 was accepted and written as a year before Christ.
var (
	minBuildTime = time.Unix(0, 0).UTC()
	maxBuildTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// ParseBuildTime reads RFC 3339 or Unix seconds between 1970 and 9999 and
// gives RFC 3339 in UTC.
func ParseBuildTime(v string) (string, error) {
	var t time.Time
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < minBuildTime.Unix() || n > maxBuildTime.Unix() {
			return "", fmt.Errorf("%d is outside 0 to %d", n, maxBuildTime.Unix())
		}
		t = time.Unix(n, 0)
	} else if t, err = time.Parse(time.RFC3339, v); err != nil {
		return "", err
	}
	if t.Before(minBuildTime) || t.After(maxBuildTime) {
		return "", fmt.Errorf("%s is before 1970 or after 9999", v)
	}
	return t.UTC().Format(time.RFC3339), nil
}

// reference is the image as given: name:tag, name@digest or both.
func (img Image) reference() string {
	ref := img.Name
	if img.Tag != "" {
		ref += ":" + img.Tag
	}
	if img.Digest != "" {
		ref += "@" + img.Digest
	}
	return ref
}

// resolve asks the registry for the digest (of a tag) and the platforms. An
// image given by digest alone, with no platforms to check, needs no
// registry; a tag is always checked, since the files name it beside the
// digest.
func resolve(ctx context.Context, req Request, logf func(string, ...any)) (Image, error) {
	img := req.Image
	if img.Digest != "" && len(req.Platforms) == 0 && img.Tag == "" {
		return img, nil
	}
	lookup := img.Name + "@" + img.Digest
	if img.Tag != "" {
		lookup = img.Name + ":" + img.Tag
	}
	d, err := registry.Resolve(ctx, lookup, req.Registry...)
	if err != nil {
		return img, fmt.Errorf("resolving %s: %w", lookup, err)
	}
	if img.Digest != "" && d.Digest != img.Digest {
		return img, fmt.Errorf("tag %s:%s points to %s, not to %s: the tag moved or the digest is wrong; give the image by tag alone to deploy what the tag points to", img.Name, img.Tag, d.Digest, img.Digest)
	}
	img.Digest = d.Digest
	img.Platforms = d.Platforms
	logf("%s resolves to %s (%s)", lookup, d.Digest, strings.Join(d.Platforms, ", "))
	if missing := MissingPlatforms(d.Platforms, req.Platforms); len(missing) > 0 {
		return img, fmt.Errorf("image %s lacks platform(s) %s (it has: %s): build and merge them first, or change the platforms input",
			img.Ref(), strings.Join(missing, ", "), strings.Join(d.Platforms, ", "))
	}
	return img, nil
}

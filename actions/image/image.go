package imageaction

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/registry"
)

// inputs turns the action's inputs into a publish request and client
// options; every problem is an input error naming the input.
func inputs(rt *action.Runtime) (registry.Request, []registry.Option, error) {
	var req registry.Request
	var opts []registry.Option
	req.Sources = rt.List("sources")
	if len(req.Sources) == 0 {
		return req, nil, action.InputErrorf("sources", "lists no image: give the per-platform image digests, one per line")
	}
	images := rt.List("images")
	seenImage := map[string]bool{}
	addImage := func(r registry.Reference) {
		if !seenImage[r.Name()] {
			seenImage[r.Name()] = true
			req.Images = append(req.Images, r.Name())
		}
	}
	for _, s := range images {
		r, err := registry.ParseRepository(s)
		if err != nil {
			return req, nil, action.InputErrorf("images", "%w", err)
		}
		addImage(r)
	}
	tags := rt.List("tags")
	seenTag := map[string]bool{}
	for _, t := range tags {
		tag := t
		if strings.ContainsAny(t, "/:") {
			// A full reference from the version action's tags output.
			r, err := registry.ParseReference(t)
			if err != nil {
				return req, nil, action.InputErrorf("tags", "%w", err)
			}
			if r.Tag == "" || !strings.HasSuffix(t, ":"+r.Tag) {
				return req, nil, action.InputErrorf("tags", "%q has no tag: give tags (1.2.3) or image references with a tag", t)
			}
			addImage(registry.Reference{Registry: r.Registry, Repository: r.Repository})
			tag = r.Tag
		} else if err := registry.ValidateTag(t); err != nil {
			return req, nil, action.InputErrorf("tags", "%w", err)
		}
		if !seenTag[tag] {
			seenTag[tag] = true
			req.Tags = append(req.Tags, tag)
		}
	}
	if len(req.Images) == 0 {
		return req, nil, action.InputErrorf("images", "is empty and tags names no repository: give the target repositories, e.g. ghcr.io/org/app")
	}
	for _, s := range req.Sources {
		if strings.HasPrefix(s, "sha256:") {
			s = req.Images[0] + "@" + s // a bare digest lives in the first repository
		}
		if _, err := registry.ParseReference(s); err != nil {
			return req, nil, action.InputErrorf("sources", "%w", err)
		}
	}
	platforms := rt.List("platforms")
	for _, p := range platforms {
		if _, err := registry.ParsePlatform(p); err != nil {
			return req, nil, action.InputErrorf("platforms", "%w", err)
		}
	}
	req.Platforms = platforms
	var err error
	if req.Force, err = rt.Bool("force"); err != nil {
		return req, nil, err
	}
	if req.DryRun, err = rt.Bool("dry-run"); err != nil {
		return req, nil, err
	}

	opts, err = credentials(rt).Options(req.Images[0])
	var ce *registry.CredentialError
	if errors.As(err, &ce) {
		return req, nil, action.InputErrorf(ce.Input, "%w", ce.Err)
	}
	opts = append(opts, registry.WithInsecure(rt.List("insecure-registries")...))
	retries, err := rt.Int("retries")
	if err != nil {
		return req, nil, err
	}
	if retries < 1 || retries > 20 {
		return req, nil, action.InputErrorf("retries", "must be between 1 and 20, not %d", retries)
	}
	opts = append(opts, registry.WithRetry(retries, 500*time.Millisecond), registry.WithTempDir(rt.TempDir()),
		registry.WithLogf(rt.Logf), registry.WithUserAgent("timetracker-ci/image"))
	return req, opts, nil
}

func credentials(rt *action.Runtime) registry.Credentials {
	return registry.Credentials{Username: rt.Input("username"), Password: rt.Input("password"), Lines: rt.Input("registry-auth")}
}

// maskCredentials masks every registry password and the base64 of
// user:password (what a Basic header carries, and what the runner does not
// mask by itself) before anything else is printed, even on a run that then
// fails on a bad registry-auth line.
func maskCredentials(rt *action.Runtime) {
	for _, a := range credentials(rt).Secrets() {
		rt.MaskCredential(a.Username, a.Password)
	}
}

func run(ctx context.Context, rt *action.Runtime) error {
	maskCredentials(rt)
	req, opts, err := inputs(rt)
	if err != nil {
		return err
	}
	ctx, cancel, timeout, err := rt.Timeout(ctx, "timeout")
	if err != nil {
		return err
	}
	defer cancel()
	var res *registry.Result
	err = rt.Group("Publish "+strings.Join(req.Images, ", "), func() error {
		var err error
		res, err = registry.New(opts...).Publish(ctx, req)
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("publishing took longer than the timeout input (%v): check the registries' status, or raise timeout; tags already moved point at the complete index: %w", timeout, err)
		}
		return err
	})
	var ite *registry.ImmutableTagError
	if errors.As(err, &ite) {
		for _, c := range ite.Conflicts {
			rt.Annotate(action.Annotation{Level: action.LevelError, Title: "Version tag is immutable",
				Message: fmt.Sprintf("%s points at %s; this run would move it to %s. Publish a new version, or set force: true.", c.Ref, c.Current, c.Want), Rank: 10})
		}
	}
	if res != nil {
		if oerr := setOutputs(rt, res); oerr != nil {
			return errors.Join(err, oerr)
		}
		rt.SetSummary(func(d action.Detail) string { return summary(res, err, d) })
	}
	return err
}

func setOutputs(rt *action.Runtime, res *registry.Result) error {
	return errors.Join(
		rt.SetOutput("digest", res.Digest),
		rt.SetOutput("refs", strings.Join(res.Refs, "\n")),
		rt.SetOutput("platforms", strings.Join(res.Platforms, ",")),
		rt.SetOutput("media-type", res.MediaType),
		rt.SetOutputJSON("json", res),
	)
}

// summary renders the step summary; lower detail drops the per-tag table.
func summary(res *registry.Result, runErr error, d action.Detail) string {
	var b strings.Builder
	b.WriteString("## Image\n\n")
	b.WriteString(action.SummaryFailure(runErr))
	what := "Merged into a new index"
	if res.Promoted {
		what = "Promoted an existing index"
	}
	if res.DryRun {
		b.WriteString("**Dry run:** nothing was written; below is what a real run would do.\n\n")
	}
	fmt.Fprintf(&b, "%s: `%s` (%s), platforms %s.\n\n", what, res.Digest, res.MediaType, strings.Join(res.Platforms, ", "))
	if len(res.Refs) > 0 {
		b.WriteString("Pinned references:\n\n")
		for _, r := range res.Refs {
			fmt.Fprintf(&b, "- `%s`\n", r)
		}
		b.WriteString("\n")
	}
	counts := map[registry.TagChange]int{}
	for _, t := range res.Tags {
		counts[t.Change]++
	}
	if counts[registry.TagFailed] > 0 {
		fmt.Fprintf(&b, "**%d tag(s) could not be written** and still point at their previous digest; run again once the registry is healthy.\n\n", counts[registry.TagFailed])
	}
	fmt.Fprintf(&b, "Tags: %d created, %d moved, %d forced, %d unchanged. Copied: %d manifests, %d blobs uploaded (%d bytes), %d mounted, %d already there.\n\n",
		counts[registry.TagCreated], counts[registry.TagMoved], counts[registry.TagForced], counts[registry.TagUnchanged],
		res.Copy.Manifests, res.Copy.BlobsUploaded, res.Copy.BytesUploaded, res.Copy.BlobsMounted, res.Copy.BlobsExisting)
	if d == action.DetailFull && len(res.Tags) > 0 {
		b.WriteString("| Tag | Change | Previous digest |\n|---|---|---|\n")
		for _, t := range res.Tags {
			old := t.Old
			if old == "" {
				old = "–"
			} else {
				old = "`" + old + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Ref, t.Change, old)
		}
	}
	return b.String()
}

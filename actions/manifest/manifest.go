package manifestaction

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/gitrepo"
	"github.com/org/timetracker-ci/pkg/manifest"
	"github.com/org/timetracker-ci/pkg/registry"
)

type config struct {
	name, tag, digest string
	version, revision string
	buildTime         string
	outDir            string
	templatesDir      string
	templates         *action.Workspace // the templates folder as a jail
	ws                *action.Workspace
	outRel            string // output-dir, workspace-relative
	values            manifest.Values
	platforms, files  []string
	regOpts           []registry.Option
}

func run(ctx context.Context, rt *action.Runtime) error {
	c, err := readInputs(ctx, rt)
	if err != nil {
		return err
	}
	img, err := resolve(ctx, rt, c)
	if err != nil {
		return err
	}
	opts := manifest.Options{
		Image: img, Version: c.version, Revision: c.revision, BuildTime: c.buildTime,
		Values: c.values, Files: c.files,
	}
	if c.templatesDir != "" {
		opts.Templates, opts.TemplatesLabel = c.templates.ReadFS("templates", action.KindConfig), rt.Input("templates")
		defer c.templates.Close()
	}
	files, err := manifest.Render(ctx, opts)
	if err != nil {
		var te *manifest.TemplateError
		if errors.As(err, &te) {
			annotateTemplate(rt, c, te)
		}
		return err
	}
	// Written through the jail: inside the workspace, never through a symlink.
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.ws.WriteFile("output-dir", path.Join(c.outRel, f.Name), f.Data, 0o644); err != nil {
			return err
		}
	}
	var written []string
	for _, f := range files {
		rel := relDir(rt.Workspace(), filepath.Join(c.outDir, f.Name))
		written = append(written, rel)
		rt.Logf("wrote %s (%s, sha256 %s)", rel, f.Kind, f.SHA256()[:12])
	}
	// The same content as deployment.json, also when that file is not selected.
	deployment, err := manifest.DeploymentOf(opts)
	if err != nil {
		return err
	}
	rt.SetSummary(func(d action.Detail) string { return summary(d, img, c, files) })
	for _, set := range []error{
		rt.SetOutputJSON("files", written),
		rt.SetOutput("output-dir", relDir(rt.Workspace(), c.outDir)),
		rt.SetOutput("digest", img.Digest),
		rt.SetOutput("ref", img.Ref()),
		rt.SetOutput("platforms", strings.Join(img.Platforms, ",")),
		rt.SetOutput("json", deployment),
	} {
		if set != nil {
			return set
		}
	}
	return nil
}

func readInputs(ctx context.Context, rt *action.Runtime) (*config, error) {
	c := &config{}
	var err error
	image := rt.Input("image")
	if c.name, c.tag, c.digest, err = manifest.ParseImageRef(image); err != nil {
		return nil, action.InputErrorf("image", "%w", err)
	}
	if t := rt.Input("tag"); t != "" {
		if _, _, _, err := manifest.ParseImageRef(c.name + ":" + t); err != nil {
			return nil, action.InputErrorf("tag", "%w", err)
		}
		if c.tag != "" && c.tag != t {
			return nil, action.InputErrorf("tag", "tag %q differs from the tag in image (%q): give one of them", t, c.tag)
		}
		c.tag = t
	}
	c.version = rt.Input("version")
	if c.version == "" {
		c.version = c.tag
	}
	c.revision = rt.Input("revision")
	if c.revision == "" {
		c.revision = rt.Getenv("GITHUB_SHA")
	}
	for _, in := range []struct{ name, v string }{{"version", c.version}, {"revision", c.revision}} {
		if err := manifest.CheckScalar(in.name, in.v); err != nil {
			return nil, action.InputErrorf(in.name, "%v", err)
		}
	}
	if c.ws, err = rt.Jail(); err != nil {
		return nil, err
	}
	if c.outRel, err = c.ws.Rel("output-dir", rt.Input("output-dir")); err != nil {
		return nil, err
	}
	if st, err := c.ws.Stat("output-dir", c.outRel); err == nil && !st.IsDir() {
		return nil, action.InputErrorf("output-dir", "%s is not a folder", c.outRel)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	c.outDir = c.ws.Abs(c.outRel)
	if d := rt.Input("templates"); d != "" {
		if st, err := c.ws.Stat("templates", d); err != nil || !st.IsDir() {
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err // outside the workspace
			}
			return nil, action.InputErrorf("templates", "templates folder %s does not exist in the workspace (check out the repository first, and give a path relative to it)", d)
		}
		if c.templates, err = c.ws.Sub("templates", d); err != nil {
			return nil, err
		}
		c.templatesDir = c.templates.Dir()
	}
	if c.values, err = manifest.ParseValues(rt.Input("values"), c.templatesDir == ""); err != nil {
		return nil, action.InputErrorf("values", "%w", err)
	}
	c.platforms = rt.List("platforms")
	c.files = rt.List("files")
	insecure := rt.List("insecure-registries")
	ref, err := registry.ParseReference(image)
	if err != nil {
		return nil, action.InputErrorf("image", "%w", err)
	}
	c.regOpts = []registry.Option{registry.WithInsecure(insecure...), registry.WithLogf(rt.Debugf)}
	user, pass := rt.Input("username"), rt.Input("password")
	switch {
	case user != "" && pass != "":
		c.regOpts = append(c.regOpts, registry.WithAuth(ref.Registry, registry.Auth{Username: user, Password: pass}))
	case user != "" || pass != "":
		return nil, action.InputErrorf("password", "give both username and password, or neither for anonymous access")
	}
	if c.buildTime, err = buildTime(ctx, rt, c.revision, image, c.regOpts); err != nil {
		return nil, err
	}
	return c, nil
}

// buildTime comes from the input, SOURCE_DATE_EPOCH, the commit, or the
// image's own config (its created label or time: a job that deploys without
// a checkout), never the clock: the same commit must give the same files.
func buildTime(ctx context.Context, rt *action.Runtime, revision, image string, regOpts []registry.Option) (string, error) {
	if v := rt.Input("build-time"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return "", action.InputErrorf("build-time", "build-time %q is neither RFC 3339 (2026-01-02T15:04:05Z) nor Unix seconds", v)
		}
		return t, nil
	}
	if v := rt.Getenv("SOURCE_DATE_EPOCH"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return "", fmt.Errorf("SOURCE_DATE_EPOCH %q is not Unix seconds", v)
		}
		return t, nil
	}
	if revision != "" {
		if repo, err := gitrepo.Open(rt.Workspace()); err == nil {
			defer repo.Close()
			if t, err := repo.CommitTime(ctx, revision); err == nil {
				return t.UTC().Format(time.RFC3339), nil
			}
		}
		if ev, err := rt.Event(); err == nil && ev.Push != nil && ev.Push.HeadCommit != nil && ev.Push.HeadCommit.ID == revision {
			if t, err := parseTime(ev.Push.HeadCommit.Timestamp); err == nil {
				return t, nil
			}
		}
	}
	t, err := registry.Created(ctx, image, regOpts...)
	if err == nil {
		rt.Logf("build time %s from the image's config", t.Format(time.RFC3339))
		return t.Format(time.RFC3339), nil
	}
	return "", action.InputErrorf("build-time", "cannot tell when revision %q was built (%v): set build-time (RFC 3339), check out the repository so the commit time can be read, or label the image %s", revision, err, registry.CreatedLabel)
}

// A build time lies between the Unix epoch and the end of year 9999:
// -99999999999999 was accepted and written as a year before Christ.
var (
	minBuildTime = time.Unix(0, 0).UTC()
	maxBuildTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

func parseTime(v string) (string, error) {
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

// resolve asks the registry for the digest (of a tag) and the platforms. An
// image given by digest alone, with no platforms to check, needs no
// registry; a tag is always checked, since the files name it beside the
// digest.
func resolve(ctx context.Context, rt *action.Runtime, c *config) (manifest.Image, error) {
	img := manifest.Image{Name: c.name, Tag: c.tag, Digest: c.digest}
	if c.digest != "" && len(c.platforms) == 0 && c.tag == "" {
		return img, nil
	}
	lookup := c.name + "@" + c.digest
	if c.tag != "" {
		lookup = c.name + ":" + c.tag
	}
	d, err := registry.Resolve(ctx, lookup, c.regOpts...)
	if err != nil {
		return img, fmt.Errorf("resolving %s: %w", lookup, err)
	}
	if c.digest != "" && d.Digest != c.digest {
		return img, fmt.Errorf("tag %s:%s points to %s, not to %s: the tag moved or the digest is wrong; give the image by tag alone to deploy what the tag points to", c.name, c.tag, d.Digest, c.digest)
	}
	img.Digest = d.Digest
	img.Platforms = d.Platforms
	rt.Logf("%s resolves to %s (%s)", lookup, d.Digest, strings.Join(d.Platforms, ", "))
	if missing := manifest.MissingPlatforms(d.Platforms, c.platforms); len(missing) > 0 {
		return img, fmt.Errorf("image %s lacks platform(s) %s (it has: %s): build and merge them first, or change the platforms input",
			img.Ref(), strings.Join(missing, ", "), strings.Join(d.Platforms, ", "))
	}
	return img, nil
}

// relDir is path relative to the workspace: the workspace is mounted at
// another path in the action's container than on the runner, so later steps
// can only use relative paths.
func relDir(ws, path string) string {
	rel, err := filepath.Rel(ws, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

var templatePos = lazyre.New(`template: ([^:\s]+):(\d+)(?::(\d+))?:`)

// annotateTemplate points the error at the template file and line.
func annotateTemplate(rt *action.Runtime, c *config, te *manifest.TemplateError) {
	a := action.Annotation{Level: action.LevelError, Title: "manifest template " + te.Template, Message: te.Error(), Rank: 10}
	if c.templatesDir != "" {
		a.File = filepath.ToSlash(filepath.Join(rt.Input("templates"), te.Template))
	}
	if m := templatePos.FindStringSubmatch(te.Error()); m != nil && m[1] == te.Template {
		a.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			a.Col, _ = strconv.Atoi(m[3])
		}
	}
	rt.Annotate(a)
}

func summary(d action.Detail, img manifest.Image, c *config, files []manifest.File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Deployment files\n\n`%s`", img.Ref())
	if img.Tag != "" {
		fmt.Fprintf(&b, " (tag `%s`)", img.Tag)
	}
	if len(img.Platforms) > 0 {
		fmt.Fprintf(&b, ", platforms %s", strings.Join(img.Platforms, ", "))
	}
	b.WriteString("\n\n")
	if d == action.DetailMinimal {
		fmt.Fprintf(&b, "%d files written.\n", len(files))
		return b.String()
	}
	b.WriteString("| File | Validated as | SHA-256 |\n|---|---|---|\n")
	for _, f := range files {
		kind := string(f.Kind)
		if f.Kind == manifest.KindText {
			kind = "not validated (no validator for this file type)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", f.Name, kind, f.SHA256()[:16])
	}
	if d == action.DetailFull {
		b.WriteString("\n")
		for _, p := range [][2]string{{"Version", c.version}, {"Revision", c.revision}, {"Built", c.buildTime}} {
			if p[1] != "" {
				fmt.Fprintf(&b, "%s `%s`. ", p[0], p[1])
			}
		}
		b.WriteString("Check downloads with `sha256sum -c SHA256SUMS`.\n")
	}
	return b.String()
}

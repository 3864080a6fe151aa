package manifestaction

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/manifest"
	"github.com/org/timetracker-ci/pkg/registry"
)

type config struct {
	req          manifest.Request
	outDir       string            // output-dir, absolute
	templatesDir string            // templates, absolute; "" for the built-in ones
	templates    *action.Workspace // the templates folder as a jail
}

func run(ctx context.Context, rt *action.Runtime) error {
	c, err := readInputs(rt)
	if err != nil {
		return err
	}
	if c.templates != nil {
		defer c.templates.Close()
	}
	res, err := manifest.Run(ctx, c.req)
	if err != nil {
		var te *manifest.TemplateError
		if errors.As(err, &te) {
			annotateTemplate(rt, c, te)
		}
		return err
	}
	var written []string
	for _, f := range res.Files {
		rel := relDir(rt.Workspace(), filepath.Join(c.outDir, f.Name))
		written = append(written, rel)
		rt.Logf("wrote %s (%s, sha256 %s)", rel, f.Kind, f.SHA256()[:12])
	}
	img := res.Image
	rt.SetSummary(func(d action.Detail) string { return summary(d, res, c) })
	return errors.Join(
		rt.SetOutputJSON("files", written),
		rt.SetOutput("output-dir", relDir(rt.Workspace(), c.outDir)),
		rt.SetOutput("digest", img.Digest),
		rt.SetOutput("ref", img.Ref()),
		rt.SetOutput("platforms", strings.Join(img.Platforms, ",")),
		rt.SetOutput("json", res.Deployment),
	)
}

func readInputs(rt *action.Runtime) (*config, error) {
	c := &config{}
	r := &c.req
	var err error
	image := rt.Input("image")
	img := &r.Image
	if img.Name, img.Tag, img.Digest, err = manifest.ParseImageRef(image); err != nil {
		return nil, action.InputErrorf("image", "%w", err)
	}
	if t := rt.Input("tag"); t != "" {
		if _, _, _, err := manifest.ParseImageRef(img.Name + ":" + t); err != nil {
			return nil, action.InputErrorf("tag", "%w", err)
		}
		if img.Tag != "" && img.Tag != t {
			return nil, action.InputErrorf("tag", "tag %q differs from the tag in image (%q): give one of them", t, img.Tag)
		}
		img.Tag = t
	}
	r.Version = rt.Input("version")
	if r.Version == "" {
		r.Version = img.Tag
	}
	r.Revision = rt.Input("revision")
	if r.Revision == "" {
		r.Revision = rt.Getenv("GITHUB_SHA")
	}
	for _, in := range []struct{ name, v string }{{"version", r.Version}, {"revision", r.Revision}} {
		if err := manifest.CheckScalar(in.name, in.v); err != nil {
			return nil, action.InputErrorf(in.name, "%v", err)
		}
	}
	if r.Out, r.OutDir, err = rt.PathInput("output-dir"); err != nil {
		return nil, err
	}
	if st, err := r.Out.Stat("output-dir", r.OutDir); err == nil && !st.IsDir() {
		return nil, action.InputErrorf("output-dir", "%s is not a folder", r.OutDir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	c.outDir = r.Out.Abs(r.OutDir)
	if d := rt.Input("templates"); d != "" {
		if st, err := r.Out.Stat("templates", d); err != nil || !st.IsDir() {
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err // outside the workspace
			}
			return nil, action.InputErrorf("templates", "templates folder %s does not exist in the workspace (check out the repository first, and give a path relative to it)", d)
		}
		if c.templates, err = r.Out.Sub("templates", d); err != nil {
			return nil, err
		}
		c.templatesDir = c.templates.Dir()
		r.Templates, r.TemplatesLabel = c.templates.ReadFS("templates", action.KindConfig), d
	}
	if r.Values, err = manifest.ParseValues(rt.Input("values"), c.templatesDir == ""); err != nil {
		return nil, action.InputErrorf("values", "%w", err)
	}
	r.Platforms = rt.List("platforms")
	r.Files = rt.List("files")
	r.BuildTime = rt.Input("build-time")
	r.SourceDateEpoch = rt.Getenv("SOURCE_DATE_EPOCH")
	r.GitDir = rt.Workspace()
	if ev, err := rt.Event(); err == nil && ev.Push != nil && ev.Push.HeadCommit != nil {
		r.HeadCommit.ID, r.HeadCommit.Timestamp = ev.Push.HeadCommit.ID, ev.Push.HeadCommit.Timestamp
	}
	creds := registry.Credentials{Username: rt.Input("username"), Password: rt.Input("password")}
	rt.MaskCredential(creds.Username, creds.Password)
	if r.Registry, err = creds.Options(img.Name); err != nil {
		var ce *registry.CredentialError
		if errors.As(err, &ce) {
			return nil, action.InputErrorf(ce.Input, "%v", ce.Err)
		}
		return nil, err
	}
	r.Registry = append(r.Registry, registry.WithInsecure(rt.List("insecure-registries")...), registry.WithLogf(rt.Debugf))
	r.Logf = rt.Logf
	return c, nil
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

var templatePos = regexp.MustCompile(`template: ([^:\s]+):(\d+)(?::(\d+))?:`)

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

func summary(d action.Detail, res *manifest.Result, c *config) string {
	img, files := res.Image, res.Files
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
		for _, p := range [][2]string{{"Version", c.req.Version}, {"Revision", c.req.Revision}, {"Built", res.BuildTime}} {
			if p[1] != "" {
				fmt.Fprintf(&b, "%s `%s`. ", p[0], p[1])
			}
		}
		b.WriteString("Check downloads with `sha256sum -c SHA256SUMS`.\n")
	}
	return b.String()
}

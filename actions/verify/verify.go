package verifyaction

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/supplychain"
)

// maxFile bounds a deployment file read.
const maxFile = 4 << 20

func run(ctx context.Context, rt *action.Runtime) error {
	image := strings.TrimSpace(rt.Input("image"))
	if image == "" {
		return action.InputErrorf("image", "is empty: give the released image, e.g. ghcr.io/org/app@sha256:… or ghcr.io/org/app:1.2.3")
	}
	if _, err := registry.ParseReference(image); err != nil {
		return action.InputErrorf("image", "%v", err)
	}
	req := supplychain.VerifyRequest{Image: image}
	var err error
	req.Platforms = rt.List("platforms")
	for _, p := range req.Platforms {
		if _, err := registry.ParsePlatform(p); err != nil {
			return action.InputErrorf("platforms", "%v", err)
		}
	}
	req.Tags = rt.List("tags")
	for _, t := range req.Tags {
		if strings.ContainsAny(t, "/:") {
			if _, err := registry.ParseReference(t); err != nil {
				return action.InputErrorf("tags", "%v", err)
			}
		} else if err := registry.ValidateTag(t); err != nil {
			return action.InputErrorf("tags", "%v", err)
		}
	}
	switch req.SBOMFormat = rt.Input("sbom-format"); req.SBOMFormat {
	case supplychain.FormatSPDX, supplychain.FormatCycloneDX:
	default:
		return action.InputErrorf("sbom-format", "is %q: use spdx or cyclonedx", req.SBOMFormat)
	}
	prov, err := rt.Bool("provenance")
	if err != nil {
		return err
	}
	req.NoProvenance = !prov
	paths := rt.List("deployment-files")
	jail, err := rt.Jail()
	if err != nil {
		return err
	}
	if req.Files, err = readFiles(jail, paths); err != nil {
		return err
	}
	opts, err := registryOptions(rt)
	if err != nil {
		return err
	}
	rep, err := supplychain.Verify(ctx, registry.New(opts...), req)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimRight(rep.String(), "\n"), "\n") {
		rt.Logf("%s", line)
	}
	gaps := rep.Gaps()
	if gaps == nil {
		gaps = []supplychain.Check{}
	}
	rt.SetSummary(func(action.Detail) string { return summary(rep) })
	if err := errors.Join(
		rt.SetOutput("ok", fmt.Sprint(rep.OK())),
		rt.SetOutput("digest", rep.Digest),
		rt.SetOutputJSON("gaps", gaps),
		rt.SetOutputJSON("report", rep),
	); err != nil {
		return err
	}
	if !rep.OK() {
		var names []string
		for _, g := range gaps {
			rt.Annotate(action.Annotation{Level: action.LevelError, Title: "Release gap: " + g.What, Message: g.Detail})
			names = append(names, g.What)
		}
		return fmt.Errorf("%s is not verified: %s", rep.Image, strings.Join(names, "; "))
	}
	return nil
}

// readFiles reads the deployment files, by name relative to the
// workspace; a folder stands for its .yml, .yaml and .json files. Each is
// read through the jail: inside the workspace after symlinks, a regular
// file of at most 4 MiB (a symlink in a folder is skipped, as before).
func readFiles(jail *action.Workspace, paths []string) (map[string][]byte, error) {
	const input = "deployment-files"
	kind := action.Kind{Name: "deployment file", Max: maxFile}
	out := map[string][]byte{}
	for _, p := range paths {
		clean, err := jail.Rel(input, p)
		if err != nil {
			return nil, err
		}
		st, err := jail.Stat(input, clean)
		if err != nil {
			return nil, err
		}
		files := []string{clean}
		if st.IsDir() {
			files = nil
			entries, err := jail.ReadDir(input, clean)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				switch path.Ext(e.Name()) {
				case ".yml", ".yaml", ".json":
					if e.Type().IsRegular() {
						files = append(files, path.Join(clean, e.Name()))
					}
				}
			}
			if len(files) == 0 {
				return nil, action.InputErrorf(input, "folder %q holds no .yml, .yaml or .json file", p)
			}
		}
		for _, f := range files {
			data, err := jail.ReadFile(input, f, kind)
			if err != nil {
				return nil, err
			}
			out[f] = data
		}
	}
	return out, nil
}

func registryOptions(rt *action.Runtime) ([]registry.Option, error) {
	insecure := rt.List("insecure-registries")
	opts := []registry.Option{registry.WithInsecure(insecure...), registry.WithLogf(rt.Debugf), registry.WithUserAgent("timetracker-ci/verify"),
		registry.WithTempDir(rt.TempDir())}
	user, pass := rt.Input("username"), rt.Input("password")
	if (user == "") != (pass == "") {
		return nil, action.InputErrorf("password", "username and password go together: set both (or neither, for anonymous access)")
	}
	if user != "" {
		rt.Mask(pass)
		r, err := registry.ParseReference(rt.Input("image"))
		if err != nil {
			return nil, action.InputErrorf("image", "%v", err)
		}
		opts = append(opts, registry.WithAuth(r.Registry, registry.Auth{Username: user, Password: pass}))
	}
	return opts, nil
}

func summary(rep *supplychain.Report) string {
	var b strings.Builder
	verdict := "verified"
	if !rep.OK() {
		verdict = fmt.Sprintf("**not verified**: %d gap(s)", len(rep.Gaps()))
	}
	fmt.Fprintf(&b, "## Verify\n\n`%s`: %s.\n\n| Check | | Detail |\n|---|---|---|\n", rep.Image, verdict)
	checks := append([]supplychain.Check(nil), rep.Checks...)
	sort.SliceStable(checks, func(i, j int) bool { return !checks[i].OK && checks[j].OK })
	for _, c := range checks {
		mark := "✅"
		if !c.OK {
			mark = "❌"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.What, mark, strings.ReplaceAll(c.Detail, "|", "\\|"))
	}
	return b.String()
}

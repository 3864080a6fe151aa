package attestaction

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/sbom"
	"github.com/org/timetracker-ci/pkg/supplychain"
)

func run(ctx context.Context, rt *action.Runtime) error {
	image := strings.TrimSpace(rt.Input("image"))
	r, err := registry.ParseReference(image)
	if err != nil {
		return action.InputErrorf("image", "%v", err)
	}
	req := supplychain.AttestRequest{Image: image, Format: rt.Input("sbom-format"), Tool: "timetracker-ci"}
	if req.Format != supplychain.FormatSPDX && req.Format != supplychain.FormatCycloneDX {
		return action.InputErrorf("sbom-format", "is %q: use spdx or cyclonedx", req.Format)
	}
	// output-dir is written through the jail: inside the workspace after
	// symlinks, never through a symlinked file.
	jail, outDir, err := rt.PathInput("output-dir")
	if err != nil {
		return err
	}
	maxMiB, err := rt.Int("max-binary-size")
	if err != nil {
		return err
	}
	if maxMiB < 1 || maxMiB > 4096 {
		return action.InputErrorf("max-binary-size", "must be between 1 and 4096 (MiB), not %d", maxMiB)
	}
	req.SBOMOptions = []sbom.Option{sbom.WithMaxBinarySize(int64(maxMiB) << 20), sbom.WithTempDir(rt.TempDir()),
		sbom.WithWarnf(func(f string, a ...any) { rt.Logf("warning: "+f, a...) })}
	withProv, err := rt.Bool("provenance")
	if err != nil {
		return err
	}
	if withProv {
		var payload []byte
		if ev, err := rt.Event(); err == nil && ev != nil {
			payload = ev.Payload
		}
		b, err := provenance.FromGitHub(rt.Getenv, payload)
		if err != nil {
			return action.InputErrorf("provenance", "%v; or set provenance: false", err)
		}
		if b.Parameters, err = keyValues(rt.Lines("build-parameters")); err != nil {
			return action.InputErrorf("build-parameters", "%v", err)
		}
		req.Build = b
	}
	insecure := rt.List("insecure-registries")
	opts := []registry.Option{registry.WithInsecure(insecure...), registry.WithLogf(rt.Logf), registry.WithUserAgent("timetracker-ci/attest"),
		registry.WithTempDir(rt.TempDir())}
	user, pass := rt.Input("username"), rt.Input("password")
	if (user == "") != (pass == "") {
		return action.InputErrorf("password", "username and password go together: set both (or neither, for anonymous access)")
	}
	if user != "" {
		rt.Mask(pass)
		opts = append(opts, registry.WithAuth(r.Registry, registry.Auth{Username: user, Password: pass}))
	}

	res, err := supplychain.Attest(ctx, registry.New(opts...), req)
	if err != nil {
		return err
	}
	if _, err := jail.MkdirAll("output-dir", outDir); err != nil {
		return err
	}
	var sboms []string
	for _, s := range res.SBOMs {
		if s.Document == nil {
			// Already attached by an earlier run: read it back so the
			// files (and the attestations made from them) are the same.
			data, _, err := registry.New(opts...).ArtifactContent(ctx, r.Name(), s.Attached.Digest)
			if err != nil {
				return err
			}
			s.Document = data
		}
		name := path.Join(outDir, "sbom-"+strings.ReplaceAll(s.Platform, "/", "-")+"."+req.Format+".json")
		if err := jail.WriteFile("output-dir", name, s.Document, 0o644); err != nil {
			return err
		}
		sboms = append(sboms, name)
		state := "attached"
		if s.Attached.Existing {
			state = "already attached"
		}
		rt.Logf("%s %s: SBOM %s (%d packages), %s", s.Platform, s.Digest, s.Attached.Digest, s.Packages, state)
	}
	provFile := ""
	if res.Provenance != nil {
		data := res.Statement
		if res.Provenance.Existing {
			if data, _, err = registry.New(opts...).ArtifactContent(ctx, r.Name(), res.Provenance.Digest); err != nil {
				return err
			}
		}
		provFile = path.Join(outDir, "provenance.intoto.json")
		if err := jail.WriteFile("output-dir", provFile, data, 0o644); err != nil {
			return err
		}
	}
	rt.SetSummary(func(action.Detail) string { return summary(res) })
	first := ""
	if len(sboms) > 0 {
		first = sboms[0]
	}
	return errors.Join(
		rt.SetOutput("digest", res.Digest),
		rt.SetOutputJSON("sboms", sboms),
		rt.SetOutput("sbom", first),
		rt.SetOutput("provenance", provFile),
		rt.SetOutputJSON("json", res),
	)
}

func keyValues(lines []string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("line %q is not key=value", l)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func summary(res *supplychain.AttestResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Attestations\n\n`%s`\n\n| Platform | Image digest | Packages | SBOM referrer |\n|---|---|---|---|\n", res.Image)
	for _, s := range res.SBOMs {
		n := fmt.Sprint(s.Packages)
		if s.Attached.Existing {
			n = "(attached earlier)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | `%s` |\n", s.Platform, s.Digest, n, s.Attached.Digest)
	}
	if res.Provenance != nil {
		fmt.Fprintf(&b, "\nProvenance (in-toto, SLSA v1) on the index: `%s`.\n", res.Provenance.Digest)
	}
	return b.String()
}

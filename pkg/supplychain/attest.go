package supplychain

import (
	"context"
	"fmt"

	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/sbom"
)

// SBOM formats.
const (
	FormatSPDX      = "spdx"
	FormatCycloneDX = "cyclonedx"
)

// ArtifactTypeOf is the referrer artifact type of an SBOM format.
func ArtifactTypeOf(format string) string {
	if format == FormatCycloneDX {
		return sbom.MediaTypeCycloneDX
	}
	return sbom.MediaTypeSPDX
}

// AttestRequest says what to attach to which image.
type AttestRequest struct {
	Image  string           // the published index (or image): name@sha256:… or name:tag
	Format string           // FormatSPDX (default) or FormatCycloneDX
	Build  provenance.Build // who built it from what; Repository empty: no provenance
	Tool   string           // creator named in the SBOM, e.g. "timetracker-ci-1.2.3"
	// SBOMOptions tune the layer scan (temporary directory, size cap, warnings).
	SBOMOptions []sbom.Option
}

// PlatformSBOM is the SBOM of one platform image.
type PlatformSBOM struct {
	Platform string             `json:"platform"`
	Digest   string             `json:"digest"`
	Packages int                `json:"packages"`
	Document []byte             `json:"-"`
	Attached *registry.Attached `json:"attached"`
}

// AttestResult says what Attest attached.
type AttestResult struct {
	Image      string             `json:"image"` // name@digest of the index
	Digest     string             `json:"digest"`
	SBOMs      []PlatformSBOM     `json:"sboms"`
	Provenance *registry.Attached `json:"provenance,omitempty"`
	Statement  []byte             `json:"-"`
}

// Attest scans every platform image of req.Image, attaches an SBOM to each
// platform digest and a provenance statement to the index. What is already
// attached is not scanned or written again.
func Attest(ctx context.Context, c *registry.Client, req AttestRequest) (*AttestResult, error) {
	if req.Format == "" {
		req.Format = FormatSPDX
	}
	if req.Format != FormatSPDX && req.Format != FormatCycloneDX {
		return nil, fmt.Errorf("SBOM format %q is not spdx or cyclonedx", req.Format)
	}
	idx, err := c.Index(ctx, req.Image)
	if err != nil {
		return nil, err
	}
	if len(idx.Children) == 0 {
		return nil, fmt.Errorf("%s holds no platform image: nothing to describe", req.Image)
	}
	ref, err := registry.ParseReference(idx.Ref)
	if err != nil {
		return nil, err
	}
	repo := ref.Name()
	res := &AttestResult{Image: repo + "@" + idx.Digest, Digest: idx.Digest}
	artifactType := ArtifactTypeOf(req.Format)
	for _, ch := range idx.Children {
		ps := PlatformSBOM{Platform: ch.Platform, Digest: ch.Digest}
		existing, err := c.Referrers(ctx, repo, ch.Digest)
		if err != nil {
			return res, err
		}
		if a := find(existing, artifactType); a != nil {
			ps.Attached = &registry.Attached{Subject: ch.Digest, Digest: a.Digest, ArtifactType: artifactType, Ref: repo + "@" + a.Digest, Existing: true}
			res.SBOMs = append(res.SBOMs, ps)
			continue
		}
		img, err := c.Image(ctx, repo+"@"+ch.Digest)
		if err != nil {
			return res, err
		}
		pkgs, err := sbom.Scan(ctx, img, req.SBOMOptions...)
		if err != nil {
			return res, fmt.Errorf("listing the packages of %s (%s): %w", ch.Platform, ch.Digest, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return res, fmt.Errorf("reading the config of %s: %w", ch.Digest, err)
		}
		subj := sbom.Subject{Name: repo, Digest: ch.Digest, Platform: ch.Platform, Created: cf.Created.Time, Tool: req.Tool}
		if req.Format == FormatCycloneDX {
			ps.Document, err = sbom.CycloneDX(subj, pkgs)
		} else {
			ps.Document, err = sbom.SPDX(subj, pkgs)
		}
		if err != nil {
			return res, err
		}
		ps.Packages = len(pkgs)
		ps.Attached, err = c.Attach(ctx, repo, ch.Digest, registry.Artifact{ArtifactType: artifactType, Data: ps.Document,
			Annotations: map[string]string{"org.opencontainers.image.title": "sbom-" + sanitize(ch.Platform) + "." + req.Format + ".json"}})
		if err != nil {
			return res, fmt.Errorf("attaching the SBOM of %s: %w", ch.Platform, err)
		}
		res.SBOMs = append(res.SBOMs, ps)
	}
	if req.Build.Repository == "" {
		return res, nil
	}
	subjects := []provenance.Subject{}
	for _, d := range append([]string{idx.Digest}, childDigests(idx)...) {
		s, err := provenance.SubjectFor(repo, d)
		if err != nil {
			return res, err
		}
		subjects = append(subjects, s)
	}
	st, err := provenance.New(req.Build, subjects)
	if err != nil {
		return res, err
	}
	if res.Statement, err = st.Marshal(); err != nil {
		return res, err
	}
	res.Provenance, err = c.Attach(ctx, repo, idx.Digest, registry.Artifact{ArtifactType: provenance.MediaType, Data: res.Statement,
		Annotations: map[string]string{"org.opencontainers.image.title": "provenance.intoto.json", "in-toto.io/predicate-type": provenance.PredicateType}})
	if err != nil {
		return res, fmt.Errorf("attaching the provenance: %w", err)
	}
	return res, nil
}

func childDigests(idx *registry.Index) []string {
	var out []string
	for _, ch := range idx.Children {
		if ch.Digest != idx.Digest {
			out = append(out, ch.Digest)
		}
	}
	return out
}

func find(refs []registry.Referrer, artifactType string) *registry.Referrer {
	for i := range refs {
		if refs[i].ArtifactType == artifactType {
			return &refs[i]
		}
	}
	return nil
}

func sanitize(platform string) string {
	out := []byte(platform)
	for i, b := range out {
		if b == '/' {
			out[i] = '-'
		}
	}
	return string(out)
}

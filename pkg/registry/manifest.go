package registry

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Platform is an image's os/architecture[/variant].
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	OSVersion    string `json:"os.version,omitempty"`
}

func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// normalize drops the variants that are implied by the architecture, so
// "linux/arm64/v8" satisfies a requirement for "linux/arm64".
func (p Platform) normalize() string {
	v := p.Variant
	if (p.Architecture == "arm64" && v == "v8") || (p.Architecture == "amd64" && v == "v1") {
		v = ""
	}
	return Platform{OS: p.OS, Architecture: p.Architecture, Variant: v}.String()
}

// ParsePlatform parses "os/arch[/variant]".
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] == "") {
		return Platform{}, fmt.Errorf("platform %q is not os/architecture[/variant]: write it like linux/amd64 or linux/arm/v7", s)
	}
	p := Platform{OS: strings.ToLower(parts[0]), Architecture: strings.ToLower(parts[1])}
	if len(parts) == 3 {
		p.Variant = strings.ToLower(parts[2])
	}
	return p, nil
}

// descriptor is an OCI content descriptor.
type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Size        int64             `json:"size"`
	Digest      string            `json:"digest"`
	Platform    *Platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// isAttestation reports the descriptors BuildKit adds for provenance and
// SBOMs: they are not runnable platforms.
func (d descriptor) isAttestation() bool {
	if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// manifestDoc is the union of an image manifest and an index: enough to
// walk what has to be copied.
type manifestDoc struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType,omitempty"`
	Config        *descriptor  `json:"config,omitempty"`
	Layers        []descriptor `json:"layers,omitempty"`
	Manifests     []descriptor `json:"manifests,omitempty"`
}

func isIndexType(mt string) bool {
	return mt == string(types.OCIImageIndex) || mt == string(types.DockerManifestList)
}

func isImageType(mt string) bool {
	return mt == string(types.OCIManifestSchema1) || mt == string(types.DockerManifestSchema2)
}

// parseManifest decodes a manifest and settles its media type from the
// document when the registry's Content-Type is missing or generic.
func parseManifest(raw []byte, contentType string) (*manifestDoc, string, error) {
	var m manifestDoc
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", fmt.Errorf("manifest is not JSON: %w", err)
	}
	mt := m.MediaType
	if mt == "" {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.TrimSpace(mt)
	}
	if !isIndexType(mt) && !isImageType(mt) {
		switch {
		case m.Manifests != nil:
			mt = string(types.OCIImageIndex)
		case m.Config != nil:
			mt = string(types.OCIManifestSchema1)
		default:
			return nil, "", fmt.Errorf("manifest has media type %q, which is neither an image nor an index (schema 1 manifests are not supported: push the image again with a current Docker)", mt)
		}
	}
	if m.SchemaVersion != 2 {
		return nil, "", fmt.Errorf("manifest has schemaVersion %d: only schema 2 (and OCI) manifests are supported", m.SchemaVersion)
	}
	return &m, mt, nil
}

// indexPlatforms lists the runnable platforms of an index, sorted.
func indexPlatforms(m *manifestDoc) []string {
	var out []string
	for _, d := range m.Manifests {
		if d.Platform == nil || d.isAttestation() {
			continue
		}
		out = append(out, d.Platform.String())
	}
	sort.Strings(out)
	return out
}

// blobs lists the config and layers of an image manifest.
func (m *manifestDoc) blobs() []descriptor {
	var out []descriptor
	if m.Config != nil {
		out = append(out, *m.Config)
	}
	for _, l := range m.Layers {
		// Foreign layers (Windows base layers) live elsewhere by design.
		if strings.Contains(l.MediaType, "foreign") || strings.Contains(l.MediaType, "nondistributable") {
			continue
		}
		out = append(out, l)
	}
	return out
}

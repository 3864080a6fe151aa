package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// Descriptor is what a reference resolves to.
type Descriptor struct {
	Ref       string   // the reference resolved, normalized ("ghcr.io/org/app:1.2.3")
	Digest    string   // "sha256:…" of the manifest
	MediaType string   // manifest media type (image or index)
	Size      int64    // manifest size in bytes
	Platforms []string // "os/arch[/variant]", sorted; attestation manifests are left out
}

// Pinned is the repository at the digest: "ghcr.io/org/app@sha256:…".
func (d Descriptor) Pinned() string {
	r, err := ParseReference(d.Ref)
	if err != nil {
		return ""
	}
	return r.WithDigest(d.Digest).String()
}

// IsIndex reports whether the descriptor is an OCI index or Docker manifest list.
func (d Descriptor) IsIndex() bool { return isIndexType(d.MediaType) }

// Resolve looks a reference up in its registry: its digest, media type and
// platforms (from the index, or from the image's config).
func Resolve(ctx context.Context, ref string, opts ...Option) (Descriptor, error) {
	return New(opts...).Resolve(ctx, ref)
}

// Resolve looks a reference up in its registry; see [Resolve].
func (c *Client) Resolve(ctx context.Context, ref string) (Descriptor, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return Descriptor{}, err
	}
	img, err := c.fetch(ctx, r)
	if err != nil {
		return Descriptor{}, err
	}
	return img.descriptor(), nil
}

// fetched is a manifest read from a registry, with what we learned about it.
type fetched struct {
	ref       Reference // where it was read (tag or digest)
	raw       []byte
	digest    string
	mediaType string
	doc       *manifestDoc
	platform  *Platform // of an image, from its config
}

func (f *fetched) descriptor() Descriptor {
	d := Descriptor{Ref: f.ref.String(), Digest: f.digest, MediaType: f.mediaType, Size: int64(len(f.raw))}
	if isIndexType(f.mediaType) {
		d.Platforms = indexPlatforms(f.doc)
	} else if f.platform != nil {
		d.Platforms = []string{f.platform.String()}
	}
	if d.Platforms == nil {
		d.Platforms = []string{}
	}
	return d
}

func digestOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// fetch reads a manifest (and, for an image, its config to learn the
// platform) and checks that a digest reference got the bytes it names.
func (c *Client) fetch(ctx context.Context, r Reference) (*fetched, error) {
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return nil, err
	}
	return c.fetchWith(ctx, hc, r)
}

func (c *Client) fetchWith(ctx context.Context, hc *hostClient, r Reference) (*fetched, error) {
	raw, ct, err := hc.getManifest(ctx, r.Repository, r.identifier())
	if isNotFound(err) {
		return nil, fmt.Errorf("image %s does not exist: check the reference, or that the job that builds it pushed it (%w)", r, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", r, err)
	}
	doc, mt, err := parseManifest(raw, ct)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", r, err)
	}
	f := &fetched{ref: r, raw: raw, digest: digestOf(raw), mediaType: mt, doc: doc}
	if r.Digest != "" && r.Digest != f.digest {
		return nil, fmt.Errorf("registry %s returned a manifest with digest %s for %s: refusing content that does not match its digest", r.Registry, f.digest, r)
	}
	if isImageType(mt) {
		if doc.Config == nil {
			return nil, fmt.Errorf("image %s has no config: it cannot be published", r)
		}
		p, err := c.readPlatform(ctx, hc, r, doc.Config.Digest)
		if err != nil {
			return nil, err
		}
		f.platform = p
	}
	return f, nil
}

func (c *Client) readPlatform(ctx context.Context, hc *hostClient, r Reference, digest string) (*Platform, error) {
	body, _, err := hc.getBlob(ctx, r.Repository, digest)
	if err != nil {
		return nil, fmt.Errorf("reading the config of image %s: %w", r, err)
	}
	defer body.Close()
	var p Platform
	if err := json.NewDecoder(io.LimitReader(body, 8<<20)).Decode(&p); err != nil {
		return nil, fmt.Errorf("the config of image %s is not JSON: %w", r, err)
	}
	if p.OS == "" || p.Architecture == "" {
		return nil, fmt.Errorf("the config of image %s names no os/architecture: rebuild it with docker build (or set them in the config)", r)
	}
	return &p, nil
}

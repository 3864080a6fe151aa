package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Child is one runnable image of an index.
type Child struct {
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Platform  string `json:"platform"` // "linux/amd64"
}

// Index is a reference resolved with the images it holds: the index's
// runnable children, or the image itself when the reference is one image.
type Index struct {
	Descriptor
	Children []Child `json:"children"`
}

// Index resolves ref and lists its platform images (attestation manifests
// left out).
func (c *Client) Index(ctx context.Context, ref string) (*Index, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	f, err := c.fetch(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &Index{Descriptor: f.descriptor()}
	if isIndexType(f.mediaType) {
		for _, d := range f.doc.Manifests {
			if d.Platform == nil || d.isAttestation() {
				continue
			}
			out.Children = append(out.Children, Child{Digest: d.Digest, MediaType: d.MediaType, Platform: d.Platform.String()})
		}
	} else if f.platform != nil {
		out.Children = []Child{{Digest: f.digest, MediaType: f.mediaType, Platform: f.platform.String()}}
	}
	return out, nil
}

// Image opens a single-platform image (repository@digest) for reading its
// layers with go-containerregistry, over this client's authenticated
// connection; layers are fetched when read.
func (c *Client) Image(ctx context.Context, ref string) (v1.Image, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return nil, err
	}
	var opts []name.Option
	if hc.scheme == "http" {
		opts = append(opts, name.Insecure)
	}
	nr, err := name.ParseReference(r.String(), opts...)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", r, err)
	}
	img, err := remote.Image(nr, remote.WithContext(ctx), remote.WithTransport(hc.http.Transport))
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", r, err)
	}
	return img, nil
}

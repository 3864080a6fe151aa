package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// CreatedLabel is the OCI annotation a build sets to its build time (the
// version action's labels output carries it).
const CreatedLabel = "org.opencontainers.image.created"

// ErrNoCreated is returned when an image's config carries no build time.
var ErrNoCreated = errors.New("the image's config has neither the " + CreatedLabel + " label nor a created time")

// Created is when the image ref was built, read from its config: the
// org.opencontainers.image.created label when set, else the config's
// created field. For an index, the first runnable platform's image is read
// (one build makes every platform). The Unix epoch counts as unset: it is
// what reproducible builds write when they know no time.
func Created(ctx context.Context, ref string, opts ...Option) (time.Time, error) {
	return New(opts...).Created(ctx, ref)
}

// Created reads the build time of an image; see [Created].
func (c *Client) Created(ctx context.Context, ref string) (time.Time, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return time.Time{}, err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return time.Time{}, err
	}
	f, err := c.fetchWith(ctx, hc, r)
	if err != nil {
		return time.Time{}, err
	}
	if isIndexType(f.mediaType) {
		var child *descriptor
		for i := range f.doc.Manifests {
			if d := f.doc.Manifests[i]; !d.isAttestation() && isImageType(d.MediaType) {
				child = &f.doc.Manifests[i]
				break
			}
		}
		if child == nil {
			return time.Time{}, fmt.Errorf("index %s lists no image: %w", r, ErrNoCreated)
		}
		cr := r
		cr.Tag, cr.Digest = "", child.Digest
		if f, err = c.fetchWith(ctx, hc, cr); err != nil {
			return time.Time{}, err
		}
	}
	if f.doc.Config == nil {
		return time.Time{}, fmt.Errorf("image %s has no config: %w", r, ErrNoCreated)
	}
	body, _, err := hc.getBlob(ctx, r.Repository, f.doc.Config.Digest)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the config of image %s: %w", r, err)
	}
	defer body.Close()
	var cfg struct {
		Created string `json:"created"`
		Config  struct {
			Labels map[string]string `json:"Labels"`
		} `json:"config"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 8<<20)).Decode(&cfg); err != nil {
		return time.Time{}, fmt.Errorf("the config of image %s is not JSON: %w", r, err)
	}
	var bad error // a label that is no time does not hide the created field
	for _, v := range []string{cfg.Config.Labels[CreatedLabel], cfg.Created} {
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad = fmt.Errorf("image %s: build time %q is not RFC 3339: %w", r, v, err)
			continue
		}
		if t.Unix() > 0 {
			return t.UTC(), nil
		}
	}
	if bad != nil {
		return time.Time{}, bad
	}
	return time.Time{}, fmt.Errorf("image %s: %w", r, ErrNoCreated)
}

package registry

import (
	"context"
	"fmt"
	"sort"
)

// Tags lists the tags of a repository ("ghcr.io/org/app"), sorted; a
// repository that does not exist has none.
func (c *Client) Tags(ctx context.Context, repository string) ([]string, error) {
	r, err := ParseRepository(repository)
	if err != nil {
		return nil, err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return nil, err
	}
	set, err := hc.listTags(ctx, r.Repository)
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", r.Name(), err)
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}

// Head returns the digest a reference ("ghcr.io/org/app:1.2.3") points
// at, and false when the tag or digest does not exist there. It is one
// HEAD request, where Resolve also reads the manifest and platforms.
func (c *Client) Head(ctx context.Context, ref string) (string, bool, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return "", false, err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return "", false, err
	}
	d, ok, err := hc.headManifest(ctx, r.Repository, r.identifier())
	if err != nil || !ok {
		return "", ok, err
	}
	if d.Digest == "" {
		// No Docker-Content-Digest on the HEAD: digest the manifest itself.
		raw, _, err := hc.getManifest(ctx, r.Repository, r.identifier())
		if err != nil {
			return "", false, err
		}
		d.Digest = digestOf(raw)
	}
	return d.Digest, true, nil
}

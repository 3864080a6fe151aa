package registry

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pushBuildKitIndex pushes what docker buildx pushes for one platform: an
// index with the image and an attestation manifest (platform unknown/unknown).
func pushBuildKitIndex(t *testing.T, repo, arch string) string {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	att, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	att = mutate.MediaType(att, types.OCIManifestSchema1)
	imgDigest, _ := img.Digest()
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": imgDigest.String()},
		}})
	idx = mutate.IndexMediaType(idx, types.OCIImageIndex)
	d, _ := idx.Digest()
	ref, _ := name.ParseReference(repo+"@"+d.String(), name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

func TestAttestationManifests(t *testing.T) {
	ctx := testContext(t)
	a, b := testRegistry(t, nil), testRegistry(t, nil)
	amd := pushBuildKitIndex(t, a+"/build/app", "amd64")
	arm := pushBuildKitIndex(t, a+"/build/app", "arm64")

	d, err := Resolve(ctx, amd, WithInsecure(a))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Platforms, ",") != "linux/amd64" || !d.IsIndex() {
		t.Errorf("Resolve of a BuildKit index: %+v, want only linux/amd64", d)
	}

	// Promoting one keeps it byte for byte, attestation included.
	c := New(WithInsecure(a, b))
	res, err := c.Publish(ctx, Request{Sources: []string{amd}, Images: []string{b + "/org/app"}, Platforms: []string{"linux/amd64"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Promoted || !strings.HasSuffix(amd, "@"+res.Digest) || res.Copy.Manifests != 3 {
		t.Errorf("promotion %+v", res)
	}

	// Merging two takes their images; their attestations describe the
	// per-platform indexes, not the merged one, and are left out.
	res, err = c.Publish(ctx, Request{Sources: []string{amd, arm}, Images: []string{b + "/org/app"}, Tags: []string{"latest"},
		Platforms: []string{"linux/amd64", "linux/arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Promoted || res.Digest == "" {
		t.Errorf("merge %+v", res)
	}
	checkIndex(t, b+"/org/app:latest", types.OCIImageIndex, "linux/amd64,linux/arm64")
}

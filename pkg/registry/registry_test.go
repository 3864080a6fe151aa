package registry

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testRegistry starts go-containerregistry's in-process registry, optionally
// behind a wrapping handler, and returns its host.
func testRegistry(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushImage pushes a random single-platform image and returns name@digest.
func pushImage(t testing.TB, repo string, mt types.MediaType, os, arch, variant string) string {
	t.Helper()
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, mt)
	if mt == types.OCIManifestSchema1 {
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = os, arch, variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(repo+"@"+d.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

// pushIndex pushes a two-platform index (amd64, arm64) and returns name@digest.
func pushIndex(t testing.TB, repo string, mt types.MediaType, opts ...remote.Option) string {
	t.Helper()
	imgMT := types.DockerManifestSchema2
	if mt == types.OCIImageIndex {
		imgMT = types.OCIManifestSchema1
	}
	var adds []mutate.IndexAddendum
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}} {
		img, err := random.Image(1024, 2)
		if err != nil {
			t.Fatal(err)
		}
		img = mutate.MediaType(img, imgMT)
		p := p
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.IndexMediaType(mutate.AppendManifests(empty.Index, adds...), mt)
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(repo+"@"+d.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx, opts...); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestResolve(t *testing.T) {
	host := testRegistry(t, nil)
	ctx := testContext(t)
	amd := pushImage(t, host+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	arm := pushImage(t, host+"/org/app", types.OCIManifestSchema1, "linux", "arm", "v7")
	idx := pushIndex(t, host+"/org/app", types.OCIImageIndex)

	tests := []struct {
		ref           string
		wantMT        string
		wantPlatforms string
	}{
		{amd, string(types.DockerManifestSchema2), "linux/amd64"},
		{arm, string(types.OCIManifestSchema1), "linux/arm/v7"},
		{idx, string(types.OCIImageIndex), "linux/amd64,linux/arm64"},
	}
	for _, tt := range tests {
		d, err := Resolve(ctx, tt.ref, WithInsecure(host))
		if err != nil {
			t.Fatalf("Resolve(%s): %v", tt.ref, err)
		}
		if d.MediaType != tt.wantMT || strings.Join(d.Platforms, ",") != tt.wantPlatforms {
			t.Errorf("Resolve(%s) = %+v, want media type %s platforms %s", tt.ref, d, tt.wantMT, tt.wantPlatforms)
		}
		if d.Pinned() != tt.ref || !strings.HasSuffix(tt.ref, "@"+d.Digest) {
			t.Errorf("Resolve(%s): pinned %s digest %s", tt.ref, d.Pinned(), d.Digest)
		}
	}

	// A tag resolves to the digest it points at.
	tagRef, _ := name.ParseReference(host+"/org/app:1.2.3", name.Insecure)
	digRef, _ := name.ParseReference(idx, name.Insecure)
	desc, err := remote.Get(digRef)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Tag(tagRef.(name.Tag), desc); err != nil {
		t.Fatal(err)
	}
	d, err := Resolve(ctx, host+"/org/app:1.2.3", WithInsecure(host))
	if err != nil {
		t.Fatal(err)
	}
	if d.Pinned() != idx || d.Ref != host+"/org/app:1.2.3" {
		t.Errorf("Resolve(tag) = %+v, pinned %s, want %s", d, d.Pinned(), idx)
	}

	if _, err := Resolve(ctx, host+"/org/app:nope", WithInsecure(host)); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Resolve(missing tag) error = %v, want 'does not exist'", err)
	}
	if _, err := Resolve(ctx, host+"/Org/app:1", WithInsecure(host)); err == nil || !strings.Contains(err.Error(), "upper-case") {
		t.Errorf("Resolve(upper case) error = %v", err)
	}
}

func pushIndexWith(t testing.TB, repo string, opts ...remote.Option) string {
	t.Helper()
	return pushIndex(t, repo, types.DockerManifestList, opts...)
}

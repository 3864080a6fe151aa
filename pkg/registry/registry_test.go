package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

func testRegistry(t testing.TB, wrap func(http.Handler) http.Handler) string {
	return registrytest.New(t, wrap)
}

func pushImage(t testing.TB, repo string, mt types.MediaType, os, arch, variant string) string {
	t.Helper()
	return registrytest.PushImage(t, repo, mt, os, arch, variant)
}

func pushIndex(t testing.TB, repo string, mt types.MediaType, opts ...remote.Option) string {
	t.Helper()
	return registrytest.PushIndex(t, repo, mt, opts...)
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

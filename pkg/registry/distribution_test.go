package registry

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

func TestDistributionPublish(t *testing.T) {
	a, b := registrytest.StartDistribution(t, "", ""), registrytest.StartDistribution(t, "", "")
	ctx := testContext(t)
	amd := pushImage(t, a+"/build/app", types.DockerManifestSchema2, "linux", "amd64", "")
	arm := pushImage(t, a+"/build/app", types.DockerManifestSchema2, "linux", "arm64", "")

	// Merge into an index in another repository of A (blobs mounted) and in B (uploaded).
	var merged Counter
	c := New(WithInsecure(a, b), WithCounter(&merged))
	req := Request{Sources: []string{amd, arm}, Images: []string{a + "/org/app", b + "/org/app"}, Tags: sixTags,
		Platforms: []string{"linux/amd64", "linux/arm64"}}
	res, err := c.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("merge 2 platform images into an index with 6 tags in 2 registries: %d requests\n%s", merged.Total(), describe(merged.ByKind()))
	if res.Copy.BlobsMounted != 6 || res.Copy.BlobsUploaded != 6 {
		t.Errorf("copy stats %+v: want 6 blobs mounted across repositories in A and 6 uploaded to B", res.Copy)
	}
	for _, img := range req.Images {
		checkIndex(t, img+":1.2.3", types.DockerManifestList, "linux/amd64,linux/arm64")
	}

	// Idempotent re-run.
	var counter Counter
	again, err := New(WithInsecure(a, b), WithCounter(&counter)).Publish(ctx, req)
	if err != nil || again.Digest != res.Digest || writes(&counter) != 0 {
		t.Errorf("re-run: %v, digest %s (want %s), %d writes", err, again.Digest, res.Digest, writes(&counter))
	}

	// A version tag does not move; a floating one does.
	other := pushImage(t, a+"/build/app", types.DockerManifestSchema2, "linux", "arm64", "")
	req.Sources = []string{amd, other}
	var ite *ImmutableTagError
	if _, err := c.Publish(ctx, req); !errors.As(err, &ite) || len(ite.Conflicts) != 2 {
		t.Fatalf("moving 1.2.3 in 2 registries: %v, want 2 conflicts", err)
	}
	req.Tags = []string{"latest"}
	moved, err := c.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range []string{a + "/org/app", b + "/org/app"} {
		if got := tagDigest(t, img+":latest"); got != moved.Digest {
			t.Errorf("%s:latest = %s, want %s", img, got, moved.Digest)
		}
		if got := tagDigest(t, img+":1.2.3"); got != res.Digest {
			t.Errorf("%s:1.2.3 = %s, want it unchanged at %s", img, got, res.Digest)
		}
	}
}

func TestDistributionBasicAuth(t *testing.T) {
	host := registrytest.StartDistribution(t, "ci", "s3cret")
	ctx := testContext(t)
	// Seed with go-containerregistry's client and the right password.
	ggcrAuth := remote.WithAuth(&authn.Basic{Username: "ci", Password: "s3cret"})
	idx := pushIndexWith(t, host+"/org/app", ggcrAuth)

	if _, err := Resolve(ctx, idx, WithInsecure(host)); err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "give credentials") {
		t.Errorf("anonymous Resolve: error = %v, want a 401 naming the fix", err)
	}
	if _, err := Resolve(ctx, idx, WithInsecure(host), WithAuth(host, Auth{Username: "ci", Password: "wrong"})); err == nil {
		t.Error("Resolve with a wrong password succeeded")
	}
	c := New(WithInsecure(host), WithAuth(host, Auth{Username: "ci", Password: "s3cret"}))
	res, err := c.Publish(ctx, Request{Sources: []string{idx}, Images: []string{host + "/org/app"}, Tags: []string{"1.0.0", "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(host+"/org/app:1.0.0", name.Insecure)
	d, err := remote.Head(r, ggcrAuth, remote.WithContext(context.Background()))
	if err != nil || d.Digest.String() != res.Digest {
		t.Errorf("1.0.0 = %v, %v; want %s", d, err, res.Digest)
	}
}

// proxyTo puts a fault proxy in front of a registry host. The incoming Host
// header is kept, so the registry's upload Locations point at the proxy.
func proxyTo(t testing.TB, backend string, p *faultProxy) string {
	t.Helper()
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	rp.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(p.wrap(rp))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

package registry

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

// backend is a registry implementation the scenarios below run against:
// go-containerregistry's in-process registry, and Debian's docker-registry
// (the distribution server; the scenario is skipped when it is missing).
type backend struct {
	name  string
	start func(t testing.TB) string // a fresh, empty registry's host (plain HTTP)
}

var backends = []backend{
	{"in-process", func(t testing.TB) string { return testRegistry(t, nil) }},
	{"docker-registry", func(t testing.TB) string { return registrytest.StartDistribution(t, "", "") }},
}

// TestPromoteRequestCount holds the promotion to its request budget on
// both registries, and a re-run to reads only.
func TestPromoteRequestCount(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			a, b := be.start(t), be.start(t)
			res, counter, elapsed := promoteScenario(t, a, b, "org/app")
			checkCounts(t, "promote a 2-platform index to 6 tags in 2 registries ("+be.name+")", counter, minimumPromote)
			t.Logf("took %v; %d blobs uploaded (%d bytes), %d manifests pushed", elapsed.Round(time.Microsecond), res.Copy.BlobsUploaded, res.Copy.BytesUploaded, res.Copy.Manifests)

			counter.Reset()
			c := New(WithInsecure(a, b), WithCounter(counter))
			if _, err := c.Publish(testContext(t), Request{
				Sources: []string{a + "/org/app@" + res.Digest}, Images: []string{a + "/org/app", b + "/org/app"},
				Tags: sixTags, Platforms: []string{"linux/amd64", "linux/arm64"},
			}); err != nil {
				t.Fatal(err)
			}
			checkCounts(t, "the same promotion again (no-op, "+be.name+")", counter, rerunPromote)
		})
	}
}

// BenchmarkPromote times the promotion on each registry, a fresh
// repository each iteration.
func BenchmarkPromote(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			ra, rb := be.start(b), be.start(b)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				repo := fmt.Sprintf("org/app-%d", i)
				idx := pushIndex(b, ra+"/"+repo, types.OCIImageIndex)
				c := New(WithInsecure(ra, rb))
				b.StartTimer()
				if _, err := c.Publish(testContext(b), Request{
					Sources: []string{idx}, Images: []string{ra + "/" + repo, rb + "/" + repo},
					Tags: sixTags, Platforms: []string{"linux/amd64", "linux/arm64"},
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPublishThroughFailingProxy runs the merge-and-tag through a proxy in
// front of each registry that spoils every third request, both ways (see
// faultProxy); the result must be whole, and a re-run must write nothing.
func TestPublishThroughFailingProxy(t *testing.T) {
	for _, be := range backends {
		for _, mode := range []string{"fail", "lose"} {
			t.Run(be.name+"/"+mode, func(t *testing.T) {
				ctx := testContext(t)
				backA, backB := be.start(t), be.start(t)
				pa, pb := &faultProxy{mode: mode}, &faultProxy{mode: mode}
				a, b := proxyTo(t, backA, pa), proxyTo(t, backB, pb)
				amd := pushImage(t, a+"/build/app", types.DockerManifestSchema2, "linux", "amd64", "")
				arm := pushImage(t, a+"/build/app", types.DockerManifestSchema2, "linux", "arm64", "")
				pa.on.Store(true)
				pb.on.Store(true)
				var counter Counter
				// Every third request fails, and parallel requests share the
				// count, so one request can be unlucky several times running:
				// 10 attempts make that a one in 59049 event per request.
				opts := []Option{WithInsecure(a, b), WithCounter(&counter), WithRetry(10, time.Millisecond)}
				req := Request{Sources: []string{amd, arm}, Images: []string{a + "/org/app", b + "/org/app"}, Tags: sixTags,
					Platforms: []string{"linux/amd64", "linux/arm64"}}
				res, err := New(opts...).Publish(ctx, req)
				if err != nil {
					t.Fatalf("publish through a failing proxy: %v", err)
				}
				if pa.hits.Load() == 0 || pb.hits.Load() == 0 {
					t.Fatalf("the proxies spoiled %d and %d requests; the test proves nothing", pa.hits.Load(), pb.hits.Load())
				}
				t.Logf("%d requests, %d and %d of them spoiled", counter.Total(), pa.hits.Load(), pb.hits.Load())
				counter.Reset()
				again, err := New(opts...).Publish(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if n := writes(&counter); n != 0 || again.Digest != res.Digest {
					t.Errorf("re-run wrote %d times (digest %s, want %s):\n%s", n, again.Digest, res.Digest, counter.String())
				}
				pa.on.Store(false)
				pb.on.Store(false)
				for _, img := range []string{backA + "/org/app", backB + "/org/app"} {
					checkIndex(t, img+"@"+res.Digest, types.DockerManifestList, "linux/amd64,linux/arm64")
					for _, tag := range sixTags {
						if got := tagDigest(t, img+":"+tag); got != res.Digest {
							t.Errorf("%s:%s = %s, want %s", img, tag, got, res.Digest)
						}
					}
				}
			})
		}
	}
}

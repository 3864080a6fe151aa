package registry

import (
	"errors"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var sixTags = []string{"1.2.3", "1.2", "1", "latest", "stable", "sha-0123abc"}

// tagDigest reads where a tag points with go-containerregistry's own client,
// independent of the code under test.
func tagDigest(t testing.TB, ref string) string {
	t.Helper()
	return registrytest.Head(t, ref)
}

// checkIndex reads the index at ref and checks its type and platforms, and
// that every child and blob can be pulled.
func checkIndex(t testing.TB, ref string, wantMT types.MediaType, wantPlatforms string) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatalf("reading index %s: %v", ref, err)
	}
	mt, _ := idx.MediaType()
	if mt != wantMT {
		t.Errorf("%s: media type %s, want %s", ref, mt, wantMT)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for _, d := range im.Manifests {
		ps = append(ps, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatalf("%s: child %s: %v", ref, d.Digest, err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				t.Fatalf("%s: layer of %s: %v", ref, d.Digest, err)
			}
			rc.Close()
		}
		if _, err := img.RawConfigFile(); err != nil {
			t.Fatalf("%s: config of %s: %v", ref, d.Digest, err)
		}
	}
	sort.Strings(ps)
	if got := strings.Join(ps, ","); got != wantPlatforms {
		t.Errorf("%s: platforms %s, want %s", ref, got, wantPlatforms)
	}
}

func writes(c *Counter) int {
	n := 0
	for k, v := range c.ByKind() {
		if strings.HasPrefix(k, "PUT") || strings.HasPrefix(k, "POST") || strings.HasPrefix(k, "PATCH") || strings.HasPrefix(k, "DELETE") {
			n += v
		}
	}
	return n
}

func TestPublishMergesPlatformImages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		amd, arm types.MediaType
		want     types.MediaType
	}{
		{"docker", types.DockerManifestSchema2, types.DockerManifestSchema2, types.DockerManifestList},
		{"oci", types.OCIManifestSchema1, types.OCIManifestSchema1, types.OCIImageIndex},
		{"mixed", types.DockerManifestSchema2, types.OCIManifestSchema1, types.OCIImageIndex},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			a, b := testRegistry(t, nil), testRegistry(t, nil)
			amd := pushImage(t, a+"/org/app", tc.amd, "linux", "amd64", "")
			arm := pushImage(t, a+"/org/app", tc.arm, "linux", "arm64", "v8")
			var counter Counter
			c := New(WithInsecure(a, b), WithCounter(&counter))
			req := Request{
				Sources:   []string{arm, strings.TrimPrefix(amd, a+"/org/app@")}, // a bare digest means the first image
				Images:    []string{a + "/org/app", b + "/mirror/app"},
				Tags:      sixTags,
				Platforms: []string{"linux/amd64", "linux/arm64"},
			}
			res, err := c.Publish(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.MediaType != string(tc.want) || res.Promoted {
				t.Errorf("media type %s promoted %v, want %s, false", res.MediaType, res.Promoted, tc.want)
			}
			if got := strings.Join(res.Platforms, ","); got != "linux/amd64,linux/arm64/v8" {
				t.Errorf("platforms %s", got)
			}
			wantRefs := a + "/org/app@" + res.Digest + " " + b + "/mirror/app@" + res.Digest
			if got := strings.Join(res.Refs, " "); got != wantRefs {
				t.Errorf("refs %s, want %s", got, wantRefs)
			}
			for _, img := range req.Images {
				checkIndex(t, img+"@"+res.Digest, tc.want, "linux/amd64,linux/arm64/v8")
				for _, tag := range sixTags {
					if got := tagDigest(t, img+":"+tag); got != res.Digest {
						t.Errorf("%s:%s = %s, want %s", img, tag, got, res.Digest)
					}
				}
			}
			if len(res.Tags) != 12 {
				t.Errorf("%d tag results, want 12", len(res.Tags))
			}
			for _, tr := range res.Tags {
				if tr.Change != TagCreated {
					t.Errorf("%s: %s, want created", tr.Ref, tr.Change)
				}
			}

			// Same inputs again, sources in another order: nothing is written.
			counter.Reset()
			req.Sources = []string{amd, arm}
			again, err := New(WithInsecure(a, b), WithCounter(&counter)).Publish(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if again.Digest != res.Digest {
				t.Errorf("re-run digest %s, want %s", again.Digest, res.Digest)
			}
			if n := writes(&counter); n != 0 {
				t.Errorf("re-run wrote %d times:\n%s", n, counter.String())
			}
			for _, tr := range again.Tags {
				if tr.Change != TagUnchanged {
					t.Errorf("re-run: %s %s", tr.Ref, tr.Change)
				}
			}
		})
	}
}

func TestPublishPromotesIndex(t *testing.T) {
	ctx := testContext(t)
	a, b := testRegistry(t, nil), testRegistry(t, nil)
	idx := pushIndex(t, a+"/staging/app", types.OCIImageIndex)
	res, err := New(WithInsecure(a, b)).Publish(ctx, Request{
		Sources:   []string{idx},
		Images:    []string{a + "/org/app", b + "/org/app"},
		Tags:      []string{"2.0.0", "latest"},
		Platforms: []string{"linux/amd64", "linux/arm64"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Promoted || !strings.HasSuffix(idx, "@"+res.Digest) {
		t.Errorf("promoted %v digest %s, want the source index %s", res.Promoted, res.Digest, idx)
	}
	for _, img := range []string{a + "/org/app", b + "/org/app"} {
		checkIndex(t, img+":2.0.0", types.OCIImageIndex, "linux/amd64,linux/arm64")
	}
	// 2 images x (config + 2 layers) = 6 blobs. The second registry gets
	// them uploaded; the in-process registry offers no mount but shares blobs
	// between repositories, so in the first they are found in place.
	// Each repository gets 2 image manifests and the index.
	want := CopyStats{Manifests: 6, BlobsUploaded: 6, BlobsExisting: 6, BytesUploaded: res.Copy.BytesUploaded}
	if res.Copy != want || res.Copy.BytesUploaded <= 0 {
		t.Errorf("copy stats %+v, want %+v", res.Copy, want)
	}
}

func TestPublishVersionTagsAreImmutable(t *testing.T) {
	ctx := testContext(t)
	a := testRegistry(t, nil)
	repo := a + "/org/app"
	first := pushIndex(t, repo, types.OCIImageIndex)
	second := pushIndex(t, repo, types.OCIImageIndex)
	c := New(WithInsecure(a))
	req := Request{Sources: []string{first}, Images: []string{repo}, Tags: []string{"1.2.3", "latest"}}
	r1, err := c.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}

	req.Sources = []string{second}
	_, err = c.Publish(ctx, req)
	var ite *ImmutableTagError
	if !errors.As(err, &ite) || len(ite.Conflicts) != 1 || ite.Conflicts[0].Ref != repo+":1.2.3" || ite.Conflicts[0].Current != r1.Digest {
		t.Fatalf("moving 1.2.3: error = %v, want an ImmutableTagError for %s:1.2.3", err, repo)
	}
	// Nothing moved, not even the floating tag.
	for _, tag := range req.Tags {
		if got := tagDigest(t, repo+":"+tag); got != r1.Digest {
			t.Errorf("after the refused run %s = %s, want %s", tag, got, r1.Digest)
		}
	}

	// A floating tag alone moves.
	req.Tags = []string{"latest", "1.2"}
	r2, err := c.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := tagDigest(t, repo+":latest"); got != r2.Digest || r2.Tags[0].Change != TagMoved || r2.Tags[0].Old != r1.Digest {
		t.Errorf("latest = %s (%+v), want moved to %s", got, r2.Tags[0], r2.Digest)
	}

	// force moves a version tag.
	req.Tags, req.Force = []string{"1.2.3"}, true
	r3, err := c.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := tagDigest(t, repo+":1.2.3"); got != r3.Digest || r3.Tags[0].Change != TagForced {
		t.Errorf("forced 1.2.3 = %s (%+v), want %s", got, r3.Tags[0], r3.Digest)
	}
}

func TestPublishRequiresPlatforms(t *testing.T) {
	ctx := testContext(t)
	a := testRegistry(t, nil)
	amd := pushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	var counter Counter
	_, err := New(WithInsecure(a), WithCounter(&counter)).Publish(ctx, Request{
		Sources: []string{amd}, Images: []string{a + "/org/app"}, Tags: []string{"latest"},
		Platforms: []string{"linux/amd64", "linux/arm64"},
	})
	var mpe *MissingPlatformsError
	if !errors.As(err, &mpe) || strings.Join(mpe.Missing, ",") != "linux/arm64" {
		t.Fatalf("error = %v, want MissingPlatformsError for linux/arm64", err)
	}
	if n := writes(&counter); n != 0 {
		t.Errorf("a refused publish wrote %d times", n)
	}
	if got := tagDigest(t, a+"/org/app:latest"); got != "" {
		t.Errorf("latest exists (%s) after a refused publish", got)
	}
}

func TestPublishRefusesBadInput(t *testing.T) {
	ctx := testContext(t)
	a := testRegistry(t, nil)
	amd := pushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	amd2 := pushImage(t, a+"/org/app", types.DockerManifestSchema2, "linux", "amd64", "")
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"upper-case image", Request{Sources: []string{amd}, Images: []string{a + "/Org/App"}}, "upper-case"},
		{"no images", Request{Sources: []string{amd}}, "no target image"},
		{"no sources", Request{Images: []string{a + "/org/app"}}, "no source"},
		{"bad tag", Request{Sources: []string{amd}, Images: []string{a + "/org/app"}, Tags: []string{"v1 2"}}, "not a valid image tag"},
		{"bad platform", Request{Sources: []string{amd}, Images: []string{a + "/org/app"}, Platforms: []string{"amd64"}}, "not os/architecture"},
		{"two images for one platform", Request{Sources: []string{amd, amd2}, Images: []string{a + "/org/app"}}, "both provide linux/amd64"},
		{"missing source", Request{Sources: []string{a + "/org/app:nope"}, Images: []string{a + "/org/app"}}, "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(WithInsecure(a)).Publish(ctx, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// faultProxy sits in front of a registry and, while on, spoils every third
// request: "fail" answers 503 without forwarding it, "lose" forwards it and
// then answers 502, so the registry did the work but the client cannot know.
type faultProxy struct {
	mode string
	on   atomic.Bool
	n    atomic.Int64
	hits atomic.Int64
}

func (p *faultProxy) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.on.Load() || p.n.Add(1)%3 != 0 {
			h.ServeHTTP(w, r)
			return
		}
		p.hits.Add(1)
		if p.mode == "lose" {
			h.ServeHTTP(discard{}, r)
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"test proxy"}]}`, http.StatusServiceUnavailable)
	})
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// Blobs over the spool limit go through a temporary file, which must be
// replayable when the registry fails the upload, and removed afterwards.
func TestPublishSpoolsLargeBlobsToFiles(t *testing.T) {
	ctx := testContext(t)
	proxy := &faultProxy{mode: "fail"}
	a, b := testRegistry(t, nil), testRegistry(t, proxy.wrap)
	idx := pushIndex(t, a+"/org/app", types.DockerManifestList)
	dir := t.TempDir()
	c := New(WithInsecure(a, b), WithTempDir(dir), WithRetry(10, time.Millisecond))
	c.o.spoolLimit = 1
	proxy.on.Store(true)
	res, err := c.Publish(ctx, Request{Sources: []string{idx}, Images: []string{b + "/org/app"}, Tags: []string{"latest"}})
	if err != nil {
		t.Fatal(err)
	}
	proxy.on.Store(false)
	if proxy.hits.Load() == 0 {
		t.Fatal("the proxy failed no request")
	}
	if res.Copy.BlobsUploaded != 6 {
		t.Errorf("copy stats %+v, want 6 blobs uploaded", res.Copy)
	}
	checkIndex(t, b+"/org/app:latest", types.DockerManifestList, "linux/amd64,linux/arm64")
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
}

func TestPublishDryRun(t *testing.T) {
	ctx := testContext(t)
	a, b := testRegistry(t, nil), testRegistry(t, nil)
	first := pushIndex(t, a+"/org/app", types.OCIImageIndex)
	second := pushIndex(t, a+"/org/app", types.OCIImageIndex)
	req := Request{Sources: []string{first}, Images: []string{a + "/org/app", b + "/org/app"}, Tags: []string{"1.0.0", "latest"}}
	r1, err := New(WithInsecure(a, b)).Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Sources, req.Tags, req.DryRun = []string{second}, []string{"latest", "edge"}, true
	var counter Counter
	plan, err := New(WithInsecure(a, b), WithCounter(&counter)).Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := writes(&counter); n != 0 || !plan.DryRun {
		t.Fatalf("dry run wrote %d times (dryRun %v)", n, plan.DryRun)
	}
	want := map[string]TagChange{a + "/org/app:latest": TagMoved, a + "/org/app:edge": TagCreated, b + "/org/app:latest": TagMoved, b + "/org/app:edge": TagCreated}
	for _, tr := range plan.Tags {
		if want[tr.Ref] != tr.Change {
			t.Errorf("plan %s: %s, want %s", tr.Ref, tr.Change, want[tr.Ref])
		}
	}
	if got := tagDigest(t, b+"/org/app:latest"); got != r1.Digest {
		t.Errorf("dry run moved latest to %s", got)
	}
	// A dry run still refuses to plan a version tag move.
	req.Tags = []string{"1.0.0"}
	var ite *ImmutableTagError
	if _, err := New(WithInsecure(a, b)).Publish(ctx, req); !errors.As(err, &ite) {
		t.Errorf("dry run moving 1.0.0: %v, want ImmutableTagError", err)
	}
}

package registry

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// breaker fails, with 500, every request whose "METHOD path" contains match
// while it is on.
type breaker struct {
	match string
	on    atomic.Bool
}

func (b *breaker) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b.on.Load() && strings.Contains(r.Method+" "+r.URL.Path, b.match) {
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"broken"}]}`, http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// A failure part-way leaves every tag on its old or its new digest, and a
// tag only ever points at an index that is complete in its repository.
func TestPartialFailureLeavesTagsConsistent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		match     string // what breaks in registry B
		movedInA  bool   // whether A's tags may move before the failure
		errSubstr string
	}{
		// Uploads to B fail: the index is not everywhere, so no tag moves anywhere.
		{"blob uploads to the mirror fail", "PUT /v2/org/app/blobs/uploads", false, "uploading"},
		// One tag in B cannot be written: the others move, that one stays.
		{"one tag in the mirror fails", "PUT /v2/org/app/manifests/stable", true, "tagging"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			brk := &breaker{match: tc.match}
			a, b := testRegistry(t, nil), testRegistry(t, brk.wrap)
			images := []string{a + "/org/app", b + "/org/app"}
			c := New(WithInsecure(a, b), WithRetry(2, time.Millisecond))
			oldIdx := pushIndex(t, a+"/org/app", types.DockerManifestList)
			old, err := c.Publish(ctx, Request{Sources: []string{oldIdx}, Images: images, Tags: []string{"latest", "stable"}})
			if err != nil {
				t.Fatal(err)
			}
			newIdx := pushIndex(t, a+"/org/app", types.DockerManifestList)
			brk.on.Store(true)
			failed, err := c.Publish(ctx, Request{Sources: []string{newIdx}, Images: images, Tags: []string{"latest", "stable"}})
			if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
				t.Fatalf("error = %v, want one about %s", err, tc.errSubstr)
			}
			// What the result reports matches the registries.
			if failed != nil {
				for _, tr := range failed.Tags {
					want := failed.Digest
					if tr.Change == TagFailed {
						want = tr.Old
					}
					if got := tagDigest(t, tr.Ref); got != want {
						t.Errorf("result says %s %s, registry has %s", tr.Ref, tr.Change, got)
					}
				}
			}
			brk.on.Store(false)
			newDigest := newIdx[strings.LastIndex(newIdx, "@")+1:]
			for _, img := range images {
				for _, tag := range []string{"latest", "stable"} {
					got := tagDigest(t, img+":"+tag)
					switch got {
					case old.Digest:
					case newDigest:
						if !tc.movedInA && strings.HasPrefix(img, a) {
							t.Errorf("%s:%s moved although the index was not in every repository yet", img, tag)
						}
						checkIndex(t, img+":"+tag, types.DockerManifestList, "linux/amd64,linux/arm64")
					default:
						t.Errorf("%s:%s = %q: neither the old %s nor the new %s", img, tag, got, old.Digest, newDigest)
					}
				}
			}
			if got := tagDigest(t, b+"/org/app:stable"); got != old.Digest {
				t.Errorf("mirror stable = %s, want it still on %s", got, old.Digest)
			}
			// Fixed registry, same inputs: everything ends on the new index.
			res, err := c.Publish(ctx, Request{Sources: []string{newIdx}, Images: images, Tags: []string{"latest", "stable"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, img := range images {
				for _, tag := range []string{"latest", "stable"} {
					if got := tagDigest(t, img+":"+tag); got != res.Digest {
						t.Errorf("after the re-run %s:%s = %s, want %s", img, tag, got, res.Digest)
					}
				}
			}
		})
	}
}

package registry

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// quirky is a registry without tags/list (a bare 404) that sends no
// Docker-Content-Digest header on HEAD, as some registries do.
func quirky(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/tags/list") {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodHead {
			h.ServeHTTP(noDigest{w}, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

type noDigest struct{ http.ResponseWriter }

func (n noDigest) WriteHeader(code int) {
	n.ResponseWriter.Header().Del("Docker-Content-Digest")
	n.ResponseWriter.WriteHeader(code)
}

func TestPublishOnQuirkyRegistry(t *testing.T) {
	ctx := testContext(t)
	a := testRegistry(t, quirky)
	first := pushIndex(t, a+"/org/app", types.OCIImageIndex)
	second := pushIndex(t, a+"/org/app", types.OCIImageIndex)
	c := New(WithInsecure(a))
	req := Request{Sources: []string{first}, Images: []string{a + "/org/app"}, Tags: []string{"1.0.0", "latest"}}
	if _, err := c.Publish(ctx, req); err != nil {
		t.Fatal(err)
	}
	var counter Counter
	again, err := New(WithInsecure(a), WithCounter(&counter)).Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if writes(&counter) != 0 || again.Tags[0].Change != TagUnchanged || again.Tags[1].Change != TagUnchanged {
		t.Errorf("re-run on a registry without digests on HEAD: %+v, %d writes", again.Tags, writes(&counter))
	}
	req.Sources = []string{second}
	var ite *ImmutableTagError
	if _, err := c.Publish(ctx, req); !errors.As(err, &ite) {
		t.Errorf("moving 1.0.0: error = %v, want ImmutableTagError", err)
	}
}

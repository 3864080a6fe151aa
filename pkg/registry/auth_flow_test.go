package registry

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// tokenGate puts bearer-token authentication in front of a registry, as
// ghcr.io and Docker Hub do: /v2/ answers 401 with a challenge, /token
// hands out a token for user:password carrying the scopes asked for, and
// writes need a push scope for the repository.
type tokenGate struct {
	user, password string
	mu             sync.Mutex
	scopes         []string // every scope asked for
	host           string
}

func (g *tokenGate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			u, p, ok := r.BasicAuth()
			if !ok || u != g.user || p != g.password {
				http.Error(w, `{"errors":[{"code":"DENIED"}]}`, http.StatusUnauthorized)
				return
			}
			scopes := r.URL.Query()["scope"]
			g.mu.Lock()
			g.scopes = append(g.scopes, scopes...)
			g.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]string{"token": "t:" + strings.Join(scopes, " ")})
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !strings.HasPrefix(tok, "t:") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://`+g.host+`/token",service="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/v2/"), "/", 3)
			repo := parts[0] + "/" + parts[1]
			if !strings.Contains(tok, "repository:"+repo+":pull,push") {
				http.Error(w, `{"errors":[{"code":"DENIED","message":"no push scope"}]}`, http.StatusForbidden)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func TestPublishWithBearerTokens(t *testing.T) {
	ctx := testContext(t)
	gate := &tokenGate{user: "bot", password: "ghp_secret"}
	plain := testRegistry(t, nil)
	host := testRegistry(t, gate.wrap)
	gate.host = host
	// The build pushed to a registry without auth; the release goes to the gated one.
	idx := pushIndex(t, plain+"/build/app", types.OCIImageIndex)

	_, err := New(WithInsecure(plain, host)).Publish(ctx, Request{Sources: []string{idx}, Images: []string{host + "/org/app"}, Tags: []string{"latest"}})
	if err == nil || !strings.Contains(err.Error(), "refused a token") {
		t.Fatalf("anonymous publish to a gated registry: error = %v, want a refused token", err)
	}

	c := New(WithInsecure(plain, host), WithAuth(host, Auth{Username: "bot", Password: "ghp_secret"}))
	res, err := c.Publish(ctx, Request{Sources: []string{idx}, Images: []string{host + "/org/app", host + "/org/mirror"}, Tags: []string{"1.0.0", "latest"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tags) != 4 {
		t.Errorf("tags %+v", res.Tags)
	}
	// One token exchange carried both push scopes: no request had to be replayed after a 401.
	got := strings.Join(gate.scopes, " ")
	if !strings.Contains(got, "repository:org/app:pull,push") || !strings.Contains(got, "repository:org/mirror:pull,push") {
		t.Errorf("scopes asked for: %s", got)
	}
}

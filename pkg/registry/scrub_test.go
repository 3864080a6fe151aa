package registry

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

// Finding 7: a registry that echoes the Basic Authorization header in an
// error body must not get user:password (as base64, which the runner's
// mask does not cover) into an error message.
func TestRegistryErrorBodyEchoScrubbed(t *testing.T) {
	const user, pass = "robot", "s3cret-pass-word"
	host := registrytest.New(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := r.Header.Get("Authorization")
			if a == "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"errors":[{"code":"DENIED","message":"denied for ` + a + ` (` + pass + `)"}]}`))
		})
	})
	c := New(WithInsecure(host), WithAuth(host, Auth{Username: user, Password: pass}), WithRetry(1, 0))
	_, err := c.Resolve(context.Background(), host+"/org/app:1")
	if err == nil {
		t.Fatal("want an error")
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if msg := err.Error(); strings.Contains(msg, b64) || strings.Contains(msg, pass) {
		t.Fatalf("error leaks the credential: %s", msg)
	}
	if !strings.Contains(err.Error(), "DENIED") {
		t.Errorf("error lost the registry's code: %v", err)
	}
}

package githubapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const testToken = "ghs_0123456789abcdefTOKEN"

// Finding 4: a redirect to another host must not carry the token. GitHub's
// own clients drop Authorization when a redirect leaves the API host (asset
// downloads redirect to a storage host that must not see it).
func TestTokenNotSentToRedirectedHost(t *testing.T) {
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			leaked = append(leaked, a)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":1,"tag_name":"v1"}`))
	}))
	defer other.Close()
	var sawAuth bool
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawAuth = r.Header.Get("Authorization") == "Bearer "+testToken
		// 127.0.0.1 vs localhost: another host, as the client sees it.
		u, _ := url.Parse(other.URL)
		http.Redirect(w, r, "http://localhost:"+u.Port()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	c, _, err := New(Options{APIURL: api.URL + "/", UploadURL: api.URL + "/uploads/", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Repositories.GetLatestRelease(context.Background(), "o", "r")
	if err != nil {
		t.Fatal(err)
	}
	if !sawAuth {
		t.Error("the API host did not get the token")
	}
	if len(leaked) > 0 {
		t.Fatalf("the token followed a redirect to another host: %q", leaked)
	}
}

// Finding 7: a server that echoes the credential in an error body does not
// get it printed, in any form.
func TestErrorBodyEchoScrubbed(t *testing.T) {
	forms := []string{testToken, base64.StdEncoding.EncodeToString([]byte("x-access-token:" + testToken)), url.QueryEscape(testToken + "/")}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"message":"Validation Failed: ` + r.Header.Get("Authorization") + ` ` + strings.Join(forms, " ") +
			`","errors":[{"resource":"Release","code":"custom","message":"` + testToken + `"}]}`))
	}))
	defer api.Close()
	c, _, err := New(Options{APIURL: api.URL + "/", UploadURL: api.URL + "/uploads/", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Repositories.GetLatestRelease(context.Background(), "o", "r")
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.Contains(msg, "0123456789abcdef") || strings.Contains(msg, forms[1]) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte(testToken))[:20]) {
		t.Fatalf("error leaks the token: %s", msg)
	}
	if !strings.Contains(msg, "Validation Failed") {
		t.Errorf("error lost its message: %s", msg)
	}
}

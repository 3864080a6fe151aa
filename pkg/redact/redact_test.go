package redact

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestScrubEveryForm(t *testing.T) {
	const tok = "ghs_Ab+/c=d&e f"
	s := New(Forms(tok), BasicForms("robot", "pa:ss"))
	for _, leak := range []string{
		tok,
		base64.StdEncoding.EncodeToString([]byte(tok)),
		base64.RawURLEncoding.EncodeToString([]byte(tok)),
		url.QueryEscape(tok),
		url.PathEscape(tok),
		base64.StdEncoding.EncodeToString([]byte("robot:pa:ss")),
	} {
		got := s.String(`{"message":"bad credentials: Bearer ` + leak + `"}`)
		if strings.Contains(got, leak) || !strings.Contains(got, Mask) {
			t.Errorf("%q not scrubbed: %s", leak, got)
		}
	}
	if got := s.String("nothing secret"); got != "nothing secret" {
		t.Errorf("changed innocent text: %q", got)
	}
	if Forms("ab") != nil {
		t.Error("a 2-character secret would blank ordinary text")
	}
}

func TestErrorBodyBoundedAndScrubbed(t *testing.T) {
	const tok = "ghp_0123456789"
	body := "Authorization: Bearer " + tok + strings.Repeat("x", 2*MaxErrorBody)
	resp := &http.Response{StatusCode: 401, Header: http.Header{"X-Echo": {tok}}, Body: io.NopCloser(strings.NewReader(body))}
	New(Forms(tok)).ErrorBody(resp)
	b, _ := io.ReadAll(resp.Body)
	if len(b) > MaxErrorBody || strings.Contains(string(b), tok) || strings.Contains(resp.Header.Get("X-Echo"), tok) {
		t.Fatalf("body %d bytes, leaked=%v", len(b), strings.Contains(string(b), tok))
	}
}

func FuzzScrub(f *testing.F) {
	f.Add("secret-value", "prefix secret-value suffix")
	f.Fuzz(func(t *testing.T, secret, text string) {
		s := New(Forms(secret))
		got := s.String(text + secret)
		if len(strings.TrimSpace(secret)) >= minLen && strings.Contains(got, secret) && !strings.Contains(Mask, secret) {
			t.Fatalf("secret %q survived in %q", secret, got)
		}
	})
}

// Package redact removes credentials from text a server sent back before
// it is logged: a server (or a proxy) that echoes the Authorization header
// in an error body would otherwise print the token, and the runner masks
// only the exact strings it was told about, not their base64 or URL forms
// (https://docs.github.com/en/actions/reference/secure-use-reference:
// "Because there are multiple ways a secret value can be transformed,
// automatic redaction is not guaranteed").
package redact

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Mask replaces a credential in scrubbed text.
const Mask = "***"

// minLen is the shortest secret scrubbed: shorter values ("x", a port)
// would blank out ordinary text and protect nothing.
const minLen = 4

// Forms is a secret and the encodings it may travel in: raw, standard and
// URL-safe base64 (padded and not), query- and path-escaped.
func Forms(secret string) []string {
	if len(strings.TrimSpace(secret)) < minLen {
		return nil
	}
	var out []string
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	add(secret)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(secret)))
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	return out
}

// BasicForms is a user and password and the forms of "user:password" an
// HTTP Basic Authorization header carries.
func BasicForms(user, password string) []string {
	out := Forms(password)
	if password != "" {
		for _, f := range Forms(user + ":" + password) {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// Scrubber replaces every form of its secrets with Mask.
type Scrubber struct{ forms []string }

// New returns a Scrubber for the given secrets' forms (from Forms or BasicForms).
func New(forms ...[]string) *Scrubber {
	s := &Scrubber{}
	for _, fs := range forms {
		for _, f := range fs {
			if len(f) >= minLen && !slices.Contains(s.forms, f) {
				s.forms = append(s.forms, f)
			}
		}
	}
	// Longest first, so a secret inside a longer form is not replaced first
	// and leaves the rest of the longer form behind.
	sort.Slice(s.forms, func(i, j int) bool { return len(s.forms[i]) > len(s.forms[j]) })
	return s
}

// String scrubs text.
func (s *Scrubber) String(text string) string {
	if s == nil {
		return text
	}
	for _, f := range s.forms {
		text = strings.ReplaceAll(text, f, Mask)
	}
	return text
}

// Bytes scrubs b.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil {
		return b
	}
	for _, f := range s.forms {
		b = bytes.ReplaceAll(b, []byte(f), []byte(Mask))
	}
	return b
}

// MaxErrorBody is how much of an error response is kept: enough for any
// real error document, and a bound on what a hostile server can make us hold.
const MaxErrorBody = 1 << 20

// ErrorBody replaces the body of an error response (status 300 and over)
// by its scrubbed first MaxErrorBody bytes, so whatever parses and prints
// it later (go-github's ErrorResponse, a registry error) sees no secret.
func (s *Scrubber) ErrorBody(resp *http.Response) {
	if resp == nil || resp.Body == nil || resp.StatusCode < 300 {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	resp.Body.Close()
	body = s.Bytes(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	for k, vs := range resp.Header {
		for i, v := range vs {
			vs[i] = s.String(v)
		}
		resp.Header[k] = vs
	}
}

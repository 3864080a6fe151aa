package githubapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/org/timetracker-ci/pkg/redact"
)

// DefaultAPIURL is GitHub.com's REST API base.
const DefaultAPIURL = "https://api.github.com"

// Options configures New. The zero value talks to GitHub.com anonymously.
type Options struct {
	// APIURL is the REST API base, as GitHub Actions gives it in GITHUB_API_URL
	// (https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server).
	APIURL string
	// UploadURL is the uploads base; derived from APIURL when empty.
	UploadURL string
	// Token authenticates every request ("Authorization: Bearer").
	Token string
	// UserAgent defaults to "timetracker-ci".
	UserAgent string
	// Base is the transport under the retrying one; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Retry tunes the retrying transport; see TransportOptions.
	Retry []TransportOption
}

// New returns a go-github client with the retrying transport installed and the
// API and uploads bases set exactly (go-github's WithEnterpriseURLs would
// append /api/v3 to any base, which breaks proxies and local fakes).
func New(o Options) (*github.Client, *Transport, error) {
	apiURL := o.APIURL
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	base, err := parseBase(apiURL)
	if err != nil {
		return nil, nil, fmt.Errorf("API URL: %w", err)
	}
	uploadURL := o.UploadURL
	if uploadURL == "" {
		if uploadURL, err = UploadsURL(apiURL); err != nil {
			// A client that never uploads (version) needs no uploads URL:
			// uploads then go to the API host, which refuses them plainly.
			uploadURL = base.String()
		}
	}
	up, err := parseBase(uploadURL)
	if err != nil {
		return nil, nil, fmt.Errorf("upload URL: %w", err)
	}
	t := NewTransport(o.Base, o.Retry...)
	var rt http.RoundTripper = t
	if o.Token != "" {
		rt = &authTransport{token: o.Token, base: t, hosts: []string{base.Host, up.Host},
			scrub: redact.New(redact.Forms(o.Token), redact.BasicForms("x-access-token", o.Token))}
	}
	c := github.NewClient(&http.Client{Transport: rt})
	c.BaseURL = base
	c.UploadURL = up
	c.UserAgent = o.UserAgent
	if c.UserAgent == "" {
		c.UserAgent = "timetracker-ci"
	}
	return c, t, nil
}

// UploadsURL derives the uploads base from an API base the way GitHub lays
// them out: https://api.github.com → https://uploads.github.com, and on GitHub
// Enterprise Server https://HOST/api/v3 → https://HOST/api/uploads.
func UploadsURL(apiURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(apiURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("API URL %q is not an absolute URL: set GITHUB_API_URL to e.g. https://api.github.com", apiURL)
	}
	switch {
	case strings.EqualFold(u.Host, "api.github.com"):
		return "https://uploads.github.com/", nil
	case strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api/v3"):
		u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v3") + "/api/uploads/"
		return u.String(), nil
	}
	return "", fmt.Errorf("cannot derive the uploads URL from API URL %q (it is neither api.github.com nor ends in /api/v3): give the uploads URL explicitly (the release action's upload-url input)", apiURL)
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL: give e.g. https://api.github.com", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/" // go-github resolves relative paths against the base
	}
	return u, nil
}

// authTransport gives the token to the API and uploads hosts only: a
// redirect elsewhere (a 307 from a proxy or a hostile server, an asset
// download's storage host) goes without it. net/http drops Authorization it
// copies itself on such redirects ("ignored when following a redirect to a
// domain that is not a subdomain match or exact match of the initial
// domain", net/http Client docs), but a header added by a transport is added
// again to every hop, so the transport must check the host. Error bodies are
// scrubbed of the token before anything parses or prints them.
type authTransport struct {
	token string
	base  http.RoundTripper
	hosts []string // host[:port] that may see the token
	scrub *redact.Scrubber
}

func (a *authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Authorization")
	if a.allowed(r.URL) {
		r2.Header.Set("Authorization", "Bearer "+a.token)
	}
	if r.GetBody != nil {
		r2.GetBody = r.GetBody
	}
	resp, err := a.base.RoundTrip(r2)
	if err != nil {
		if msg := err.Error(); a.scrub.String(msg) != msg {
			return nil, errors.New(a.scrub.String(msg))
		}
		return nil, err
	}
	a.scrub.ErrorBody(resp)
	return resp, nil
}

func (a *authTransport) allowed(u *url.URL) bool {
	for _, h := range a.hosts {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	return false
}

// NotAccessible reports whether err is GitHub's 403 "Resource not accessible
// by integration": the token lacks a permission, which no retry will grant.
func NotAccessible(err error) bool {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden {
		return strings.Contains(strings.ToLower(er.Message), "resource not accessible")
	}
	return false
}

// StatusCode returns the HTTP status of a go-github error, or 0.
func StatusCode(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}

// HasErrorCode reports whether err is a 422 whose errors list an entry with
// the given code (e.g. "already_exists") for resource (empty: any).
func HasErrorCode(err error, resource, code string) bool {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == code && (resource == "" || e.Resource == resource) {
			return true
		}
	}
	return false
}

package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/org/timetracker-ci/pkg/redact"
)

// Client talks to registries. It is safe for concurrent use; the
// authentication handshake is done once per registry and set of scopes.
type Client struct {
	o     *options
	base  http.RoundTripper
	mu    sync.Mutex
	hosts map[string]*hostEntry
}

// New returns a Client configured by opts.
func New(opts ...Option) *Client {
	o := makeOptions(opts)
	// Logging happens from parallel copies; callers' loggers need not be
	// safe for concurrent use.
	var logMu sync.Mutex
	logf := o.logf
	o.logf = func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		logf(format, args...)
	}
	var t = o.transport
	if o.counter != nil {
		t = &countingTransport{inner: t, counter: o.counter}
	}
	t = &retryTransport{inner: t, attempts: o.attempts, backoff: o.backoff, maxDelay: o.maxDelay}
	t = &userAgentTransport{inner: t, ua: o.userAgent}
	var forms [][]string
	for _, a := range o.auth {
		forms = append(forms, redact.BasicForms(a.Username, a.Password))
	}
	if len(forms) > 0 {
		t = &scrubTransport{inner: t, scrub: redact.New(forms...)}
	}
	return &Client{o: o, base: t, hosts: map[string]*hostEntry{}}
}

// hostClient is an authenticated client for one registry host.
type hostClient struct {
	host   string
	scheme string
	http   *http.Client
}

func pullScope(repo string) string { return "repository:" + repo + ":pull" }
func pushScope(repo string) string { return "repository:" + repo + ":pull,push" }

// host returns the client for a registry, doing the ping and, for bearer
// registries, the token exchange for scopes. All scopes an operation needs
// are asked for up front so no request has to be replayed after a 401.
// Registries are set up concurrently; each key only once.
func (c *Client) host(ctx context.Context, host string, scopes []string) (*hostClient, error) {
	scopes = append([]string(nil), scopes...)
	sort.Strings(scopes)
	key := host + "\x00" + strings.Join(scopes, " ")
	c.mu.Lock()
	e, ok := c.hosts[key]
	if !ok {
		e = &hostEntry{}
		c.hosts[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.hc, e.err = c.connect(ctx, host, scopes) })
	if e.err != nil {
		// Let a later call try again rather than remembering the failure.
		c.mu.Lock()
		if c.hosts[key] == e {
			delete(c.hosts, key)
		}
		c.mu.Unlock()
	}
	return e.hc, e.err
}

type hostEntry struct {
	once sync.Once
	hc   *hostClient
	err  error
}

func (c *Client) connect(ctx context.Context, host string, scopes []string) (*hostClient, error) {
	scheme := "https"
	if c.o.insecure[host] {
		scheme = "http"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+host+"/v2/", nil)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", host, err)
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		hint := "check the host name and the network"
		if scheme == "https" && (strings.Contains(err.Error(), "HTTP response to HTTPS client") || strings.Contains(err.Error(), "does not look like a TLS handshake")) {
			hint = "it speaks plain HTTP: list " + host + " in insecure-registries"
		}
		return nil, fmt.Errorf("cannot reach registry %s (%s): %w", host, hint, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()

	a := c.o.auth[normalizeHost(host)]
	hc := &hostClient{host: host, scheme: scheme}
	switch resp.StatusCode {
	case http.StatusOK:
		hc.http = &http.Client{Transport: c.base}
	case http.StatusUnauthorized:
		ch := ParseChallenge(resp.Header.Get("WWW-Authenticate"))
		switch ch.Scheme {
		case "basic":
			hc.http = &http.Client{Transport: &basicTransport{inner: c.base, host: host, auth: a}}
		case "bearer":
			var auth authn.Authenticator = authn.Anonymous
			if a.Username != "" || a.Password != "" {
				auth = authn.FromConfig(authn.AuthConfig{Username: a.Username, Password: a.Password})
			}
			nameOpts := []name.Option{}
			if scheme == "http" {
				nameOpts = append(nameOpts, name.Insecure)
			}
			reg, err := name.NewRegistry(host, nameOpts...)
			if err != nil {
				return nil, fmt.Errorf("registry %s: %w", host, err)
			}
			pr := &transport.Challenge{Scheme: "bearer", Parameters: ch.Params, Insecure: scheme == "http"}
			tok, err := transport.Exchange(ctx, reg, auth, c.base, scopes, pr)
			if err != nil {
				return nil, fmt.Errorf("registry %s refused a token for %s: check the credentials given for %s: %w", host, strings.Join(scopes, " "), host, err)
			}
			rt, err := transport.FromToken(reg, auth, c.base, pr, tok)
			if err != nil {
				return nil, fmt.Errorf("registry %s: %w", host, err)
			}
			hc.http = &http.Client{Transport: rt}
		default:
			return nil, fmt.Errorf("registry %s asks for authentication scheme %q, which is not supported: use a registry with basic or bearer token authentication", host, ch.Scheme)
		}
	default:
		return nil, fmt.Errorf("registry %s answered %s to GET /v2/: check that %s is a container registry (and whether it speaks plain HTTP, see insecure-registries)", host, resp.Status, host)
	}
	return hc, nil
}

// Challenge is a parsed WWW-Authenticate header.
type Challenge struct {
	Scheme string            // lower case: "basic" or "bearer"
	Params map[string]string // realm, service, scope...
}

// ParseChallenge parses a WWW-Authenticate header such as
// `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="..."`.
func ParseChallenge(h string) Challenge {
	h = strings.TrimSpace(h)
	scheme, rest, _ := strings.Cut(h, " ")
	ch := Challenge{Scheme: strings.ToLower(scheme), Params: map[string]string{}}
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimLeft(strings.TrimSpace(rest), ",") {
		rest = strings.TrimSpace(rest)
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		key = strings.ToLower(strings.TrimSpace(key))
		after = strings.TrimSpace(after)
		var val string
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(after); i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
					b.WriteByte(after[i])
					continue
				}
				if after[i] == '"' {
					break
				}
				b.WriteByte(after[i])
			}
			val = b.String()
			if i < len(after) {
				i++
			}
			rest = after[i:]
		} else {
			val, rest, _ = strings.Cut(after, ",")
			val = strings.TrimSpace(val)
		}
		if key != "" {
			ch.Params[key] = val
		}
	}
	return ch
}

// StatusError is an unexpected answer from a registry.
type StatusError struct {
	Method, URL string
	StatusCode  int
	Code        string // the registry's error code, e.g. MANIFEST_UNKNOWN
	Message     string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		u, _ := url.Parse(e.URL)
		host := ""
		if u != nil {
			host = u.Host
		}
		msg += fmt.Sprintf(" (give credentials with write access for %s in registry-auth, or username and password)", host)
	}
	return msg
}

func statusError(resp *http.Response) error {
	e := &StatusError{Method: resp.Request.Method, URL: resp.Request.URL.Redacted(), StatusCode: resp.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var doc struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		e.Code, e.Message = doc.Errors[0].Code, doc.Errors[0].Message
	}
	return e
}

func isNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.StatusCode == http.StatusNotFound
}

func (hc *hostClient) url(repo, suffix string) string {
	return hc.scheme + "://" + hc.host + "/v2/" + repo + "/" + suffix
}

// do sends a request and checks its status; the caller closes the body of
// a successful response.
func (hc *hostClient) do(ctx context.Context, method, u string, body []byte, hdr http.Header, ok ...int) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := hc.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	for _, code := range ok {
		if resp.StatusCode == code {
			return resp, nil
		}
	}
	defer resp.Body.Close()
	return nil, statusError(resp)
}

var manifestAccept = strings.Join([]string{
	string(types.OCIImageIndex), string(types.OCIManifestSchema1),
	string(types.DockerManifestList), string(types.DockerManifestSchema2),
}, ",")

// manifestDesc describes a manifest as the registry reports it.
type manifestDesc struct {
	Digest    string
	MediaType string
	Size      int64
}

func (hc *hostClient) headManifest(ctx context.Context, repo, ident string) (manifestDesc, bool, error) {
	resp, err := hc.do(ctx, http.MethodHead, hc.url(repo, "manifests/"+ident), nil,
		http.Header{"Accept": {manifestAccept}}, http.StatusOK)
	if isNotFound(err) {
		return manifestDesc{}, false, nil
	}
	if err != nil {
		return manifestDesc{}, false, err
	}
	resp.Body.Close()
	d := manifestDesc{Digest: resp.Header.Get("Docker-Content-Digest"), MediaType: resp.Header.Get("Content-Type"), Size: resp.ContentLength}
	if d.Digest == "" && strings.HasPrefix(ident, "sha256:") {
		d.Digest = ident
	}
	return d, true, nil
}

// maxManifest bounds what we read as a manifest (the distribution spec's
// suggested limit is 4 MiB).
const maxManifest = 4 << 20

func (hc *hostClient) getManifest(ctx context.Context, repo, ident string) ([]byte, string, error) {
	resp, err := hc.do(ctx, http.MethodGet, hc.url(repo, "manifests/"+ident), nil,
		http.Header{"Accept": {manifestAccept}}, http.StatusOK)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest+1))
	if err != nil {
		return nil, "", fmt.Errorf("reading manifest %s from %s: %w", ident, hc.host, err)
	}
	if len(raw) > maxManifest {
		return nil, "", fmt.Errorf("manifest %s/%s:%s is larger than 4 MiB: this is not an image manifest", hc.host, repo, ident)
	}
	return raw, resp.Header.Get("Content-Type"), nil
}

func (hc *hostClient) putManifest(ctx context.Context, repo, ident string, raw []byte, mediaType string) error {
	resp, err := hc.do(ctx, http.MethodPut, hc.url(repo, "manifests/"+ident), raw,
		http.Header{"Content-Type": {mediaType}}, http.StatusCreated, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (hc *hostClient) headBlob(ctx context.Context, repo, digest string) (bool, error) {
	resp, err := hc.do(ctx, http.MethodHead, hc.url(repo, "blobs/"+digest), nil, nil, http.StatusOK)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return true, nil
}

func (hc *hostClient) getBlob(ctx context.Context, repo, digest string) (io.ReadCloser, int64, error) {
	resp, err := hc.do(ctx, http.MethodGet, hc.url(repo, "blobs/"+digest), nil, nil, http.StatusOK)
	if err != nil {
		return nil, 0, err
	}
	return resp.Body, resp.ContentLength, nil
}

// startUpload opens an upload session, asking the registry to mount the
// blob from another repository when from is set. mounted reports that the
// registry linked the blob and no upload is needed.
func (hc *hostClient) startUpload(ctx context.Context, repo, digest, from string) (location string, mounted bool, err error) {
	u := hc.url(repo, "blobs/uploads/")
	if from != "" {
		u += "?" + url.Values{"mount": {digest}, "from": {from}}.Encode()
	}
	resp, err := hc.do(ctx, http.MethodPost, u, nil, nil, http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return "", false, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		return "", true, nil
	}
	loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", false, fmt.Errorf("registry %s opened an upload without a usable Location header", hc.host)
	}
	return loc.String(), false, nil
}

// finishUpload sends the whole blob in the closing PUT (a monolithic upload:
// two requests per blob, the fewest the distribution spec guarantees).
// body is called for each attempt, so the transport can replay it.
func (hc *hostClient) finishUpload(ctx context.Context, location, digest string, body func() io.Reader, size int64) error {
	u, err := url.Parse(location)
	if err != nil {
		return fmt.Errorf("registry %s gave upload location %q: %w", hc.host, location, err)
	}
	q := u.Query()
	q.Set("digest", digest)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), body())
	if err != nil {
		return err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(body()), nil }
	req.ContentLength = size
	if size == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := hc.http.Do(req)
	if err != nil {
		return fmt.Errorf("PUT %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return statusError(resp)
	}
	return nil
}

// listTags returns every tag of a repository, following pagination; a
// repository that does not exist yet has no tags.
func (hc *hostClient) listTags(ctx context.Context, repo string) (map[string]bool, error) {
	tags := map[string]bool{}
	next := hc.url(repo, "tags/list?n=1000")
	for pages := 0; next != "" && pages < 1000; pages++ {
		resp, err := hc.do(ctx, http.MethodGet, next, nil, nil, http.StatusOK)
		var se *StatusError
		if errors.As(err, &se) && se.StatusCode == http.StatusNotFound && se.Code == "NAME_UNKNOWN" {
			// The repository does not exist yet. A bare 404 could also mean
			// "no tags/list here", which must not pass for "no tags".
			return tags, nil
		}
		if err != nil {
			return nil, err
		}
		var doc struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("registry %s sent an unreadable tag list for %s: %w", hc.host, repo, err)
		}
		for _, t := range doc.Tags {
			tags[t] = true
		}
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			if start, end := strings.Index(link, "<"), strings.Index(link, ">"); start >= 0 && end > start {
				if u, err := resp.Request.URL.Parse(link[start+1 : end]); err == nil {
					next = u.String()
				}
			}
		}
	}
	return tags, nil
}

package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/org/timetracker-ci/internal/tlsroots"
)

// Transport retries what GitHub asks clients to retry. It is safe for
// concurrent use. Build it with NewTransport.
type Transport struct {
	base        http.RoundTripper
	timeout     time.Duration
	maxRetries  int
	backoffBase time.Duration
	backoffMax  time.Duration
	minLimit    time.Duration
	replication time.Duration
	jitter      bool
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	logf        func(string, ...any)

	mu        sync.Mutex
	created   map[string]time.Time // resource path (after /repos/) → when we created it
	stats     Stats
	pacing    bool      // a secondary limit was met: space writes out
	nextWrite time.Time // when the next write may start
}

// Stats counts what the transport did, for logs and tests.
type Stats struct {
	Attempts    int           // requests sent, retries included
	Retries     int           // attempts that were retries
	RateLimited int           // 403/429 rate-limit answers seen
	Waited      time.Duration // total time slept before retries
}

// TransportOption configures a Transport.
type TransportOption func(*Transport)

// WithTimeout bounds the time one request may take, retries and waits
// included (default 10 minutes; a context deadline that comes sooner wins).
func WithTimeout(d time.Duration) TransportOption { return func(t *Transport) { t.timeout = d } }

// WithMaxRetries bounds retries of 5xx answers and connection errors (default 6).
func WithMaxRetries(n int) TransportOption { return func(t *Transport) { t.maxRetries = n } }

// WithBackoff sets the first and the largest wait of the exponential backoff
// used for 5xx answers and connection errors (default 1s and 30s).
func WithBackoff(first, max time.Duration) TransportOption {
	return func(t *Transport) { t.backoffBase, t.backoffMax = first, max }
}

// WithMinRateLimitWait is the wait for a secondary rate limit that names no
// time (GitHub says: at least one minute, the default).
func WithMinRateLimitWait(d time.Duration) TransportOption {
	return func(t *Transport) { t.minLimit = d }
}

// WithClock replaces the clock and the sleep, so tests run instantly.
func WithClock(now func() time.Time, sleep func(context.Context, time.Duration) error) TransportOption {
	return func(t *Transport) { t.now, t.sleep = now, sleep }
}

// WithoutJitter makes 5xx backoff waits exact (tests).
func WithoutJitter() TransportOption { return func(t *Transport) { t.jitter = false } }

// WithLogf receives one line per retry, saying why and for how long.
func WithLogf(f func(string, ...any)) TransportOption { return func(t *Transport) { t.logf = f } }

// NewTransport wraps base (http.DefaultTransport when nil).
func NewTransport(base http.RoundTripper, opts ...TransportOption) *Transport {
	tlsroots.Install()
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{
		base:        base,
		timeout:     10 * time.Minute,
		maxRetries:  6,
		backoffBase: time.Second,
		backoffMax:  30 * time.Second,
		minLimit:    time.Minute,
		replication: 30 * time.Second,
		jitter:      true,
		now:         time.Now,
		sleep:       sleepCtx,
		created:     map[string]time.Time{},
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// GiveUpError says a retry was needed but did not fit in the time budget.
type GiveUpError struct {
	Method, URL string
	Reason      string        // why a retry was needed
	Wait        time.Duration // what GitHub asked for
	Left        time.Duration // what the budget had left
}

func (e *GiveUpError) Error() string {
	return fmt.Sprintf("%s %s: %s; waiting %s more does not fit in the %s left of the timeout: raise the timeout input or re-run later",
		e.Method, e.URL, e.Reason, e.Wait.Round(time.Second), e.Left.Round(time.Second))
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	deadline := t.now().Add(t.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var (
		attempt, failures, limits, notFound int
		lastLimitWait                       time.Duration
	)
	for {
		r := req
		if attempt > 0 {
			if req.Body != nil && req.Body != http.NoBody {
				if req.GetBody == nil {
					return nil, fmt.Errorf("%s %s: the request body cannot be replayed for a retry (set GetBody)", req.Method, req.URL.Redacted())
				}
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("%s %s: reopening the request body for a retry: %w", req.Method, req.URL.Redacted(), err)
				}
				r = req.Clone(ctx)
				r.Body = body
			}
		}
		if err := t.pace(ctx, req.Method); err != nil {
			return nil, err
		}
		attempt++
		t.count(func(s *Stats) {
			s.Attempts++
			if attempt > 1 {
				s.Retries++
			}
		})
		resp, err := t.base.RoundTrip(r)

		var wait time.Duration
		var reason string
		switch {
		case err != nil:
			var dns *net.DNSError
			if ctx.Err() != nil || errors.As(err, &dns) && dns.IsNotFound {
				return nil, err // a name that does not exist will not appear
			}
			failures++
			if failures > t.maxRetries {
				return nil, err
			}
			wait, reason = t.backoff(failures), "connection error: "+err.Error()
		case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
			failures++
			if failures > t.maxRetries {
				return resp, nil
			}
			wait, reason = t.backoff(failures), resp.Status
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second // a 503 that says when to come back
			}
		case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(body))
			w, why, ok := rateLimitWait(resp, body, t.now())
			if !ok {
				return resp, nil
			}
			limits++
			t.count(func(s *Stats) { s.RateLimited++ })
			if why == "secondary rate limit" {
				t.mu.Lock()
				t.pacing = true // GitHub's advice: a second between writes from now on
				t.mu.Unlock()
			}
			if w <= 0 && why == "secondary rate limit" {
				w = t.minLimit
			}
			if limits > 1 && w < 2*lastLimitWait {
				w = 2 * lastLimitWait // repeated limits: back off exponentially
			}
			lastLimitWait = w
			wait, reason = w, fmt.Sprintf("%d %s", resp.StatusCode, why)
		case resp.StatusCode == http.StatusNotFound && notFound < 3 && t.recentlyCreated(r):
			notFound++
			wait, reason = time.Duration(notFound)*500*time.Millisecond, "404 right after our own create (replication lag)"
		default:
			if resp.StatusCode == http.StatusCreated {
				t.noteCreated(resp)
			}
			if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
				// The last request of the window succeeded. go-github would
				// refuse every later request on its own until the reset,
				// without asking us; hiding the reset lets the request reach
				// this transport, which waits for the limit within the budget.
				resp.Header.Del("X-Ratelimit-Reset")
			}
			return resp, nil
		}

		left := deadline.Sub(t.now())
		if wait > left {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, &GiveUpError{Method: req.Method, URL: req.URL.Redacted(), Reason: reason, Wait: wait, Left: left}
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if t.logf != nil {
			t.logf("%s %s: %s; retrying in %s", req.Method, req.URL.Path, reason, wait.Round(time.Millisecond))
		}
		t.count(func(s *Stats) { s.Waited += wait })
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// pace spaces content-creating requests a second apart once GitHub has
// answered a secondary rate limit: its documented advice for writes, which
// keeps parallel uploads from tripping the limit again and again.
func (t *Transport) pace(ctx context.Context, method string) error {
	if method == http.MethodGet || method == http.MethodHead {
		return nil
	}
	t.mu.Lock()
	if !t.pacing {
		t.mu.Unlock()
		return nil
	}
	now := t.now()
	start := t.nextWrite
	if start.Before(now) {
		start = now
	}
	t.nextWrite = start.Add(time.Second)
	t.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		t.count(func(s *Stats) { s.Waited += d })
		return t.sleep(ctx, d)
	}
	return nil
}

func (t *Transport) count(f func(*Stats)) {
	t.mu.Lock()
	f(&t.stats)
	t.mu.Unlock()
}

func (t *Transport) backoff(n int) time.Duration {
	d := t.backoffBase << (n - 1)
	if d > t.backoffMax || d <= 0 {
		d = t.backoffMax
	}
	if t.jitter && d > 1 {
		d = d/2 + rand.N(d/2) // spread concurrent runners apart
	}
	return d
}

// rateLimitWait classifies a 403/429 answer. ok is false for a 403 that is
// not a rate limit (a missing permission, say), which must not be retried.
// The order is GitHub's: retry-after, else x-ratelimit-reset when
// x-ratelimit-remaining is 0, else the caller applies at least a minute.
func rateLimitWait(resp *http.Response, body []byte, now time.Time) (wait time.Duration, why string, ok bool) {
	var msg struct {
		Message string `json:"message"`
		Doc     string `json:"documentation_url"`
	}
	_ = json.Unmarshal(body, &msg)
	text := strings.ToLower(msg.Message + " " + msg.Doc)
	h := resp.Header
	primary := h.Get("X-Ratelimit-Remaining") == "0"
	secondary := strings.Contains(text, "secondary rate limit") || strings.Contains(text, "secondary-rate-limit") ||
		strings.Contains(text, "abuse") || h.Get("Retry-After") != ""
	if !primary && !secondary && resp.StatusCode == http.StatusForbidden {
		return 0, "", false
	}
	why = "secondary rate limit"
	if primary && !secondary {
		why = "primary rate limit"
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, why, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return at.Sub(now), why, true
		}
	}
	// GitHub: "If x-ratelimit-remaining is 0, wait until x-ratelimit-reset";
	// a reset beside a non-zero remaining is the hourly window, not a wait.
	if v := h.Get("X-Ratelimit-Reset"); v != "" && primary {
		if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			w := time.Unix(s, 0).Sub(now) + time.Second // the reset second itself may still be limited
			if w < time.Second {
				w = time.Second
			}
			return w, why, true
		}
	}
	if primary {
		return time.Minute, why, true
	}
	return 0, why, true // the caller applies its minimum
}

// resourceKey is the part of an API or uploads path after "/repos/", with
// the singular git/ref read path folded into git/refs.
func resourceKey(path string) string {
	i := strings.Index(path, "/repos/")
	if i < 0 {
		return ""
	}
	k := strings.TrimSuffix(path[i+len("/repos/"):], "/")
	return strings.Replace(k, "/git/ref/", "/git/refs/", 1)
}

func (t *Transport) noteCreated(resp *http.Response) {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return
	}
	k := resourceKey(loc)
	if k == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for key, at := range t.created {
		if now.Sub(at) > t.replication {
			delete(t.created, key)
		}
	}
	t.created[k] = now
}

func (t *Transport) recentlyCreated(r *http.Request) bool {
	k := resourceKey(r.URL.Path)
	if k == "" {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for key, at := range t.created {
		if (k == key || strings.HasPrefix(k, key+"/")) && t.now().Sub(at) <= t.replication {
			return true
		}
	}
	return false
}

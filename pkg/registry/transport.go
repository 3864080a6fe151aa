package registry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/org/timetracker-ci/pkg/redact"
)

// retryTransport repeats a request on 429, 5xx (except 501) and connection
// errors with exponential backoff. It sits below authentication so every
// attempt is one wire request. Requests whose body cannot be replayed are
// sent once; the caller retries those as a whole operation.
type retryTransport struct {
	inner    http.RoundTripper
	attempts int
	backoff  time.Duration
	maxDelay time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	attempts := t.attempts
	if !replayable {
		attempts = 1
	}
	delay := t.backoff
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.inner.RoundTrip(r)
		if attempt >= attempts || !retryable(req.Context(), resp, err) {
			return resp, err
		}
		wait := delay
		if resp != nil {
			if ra := retryAfter(resp); ra > wait {
				wait = ra
			}
			// Drain so the connection is reused.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if wait > t.maxDelay {
			wait = t.maxDelay
		}
		// Jitter spreads the retries of parallel blob copies apart.
		if wait > 0 {
			wait += time.Duration(rand.Int64N(int64(wait)/4 + 1))
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
		delay *= 2
	}
}

func retryable(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		return isConnectionError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isConnectionError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// A host that does not exist will not appear by waiting.
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return time.Until(at)
	}
	return 0
}

// basicTransport adds HTTP basic credentials to requests for one host only,
// so a redirect to blob storage never carries them.
type basicTransport struct {
	inner http.RoundTripper
	host  string
	auth  Auth
}

func (t *basicTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == t.host && t.auth.Username != "" {
		req = req.Clone(req.Context())
		req.SetBasicAuth(t.auth.Username, t.auth.Password)
	}
	return t.inner.RoundTrip(req)
}

type userAgentTransport struct {
	inner http.RoundTripper
	ua    string
}

func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.ua)
	return t.inner.RoundTrip(req)
}

// scrubTransport removes every configured credential (the password, and
// user:password in the base64 a Basic header carries) from error bodies
// and transport errors, so a registry echoing Authorization cannot get it
// printed. It sits under the token exchange too: every request goes through it.
type scrubTransport struct {
	inner http.RoundTripper
	scrub *redact.Scrubber
}

func (t *scrubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.RoundTrip(req)
	if err != nil {
		if msg := err.Error(); t.scrub.String(msg) != msg {
			return nil, errors.New(t.scrub.String(msg))
		}
		return nil, err
	}
	t.scrub.ErrorBody(resp)
	return resp, nil
}

package registry

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryTransport(t *testing.T) {
	for _, tc := range []struct {
		name      string
		statuses  []int // answers in order; the last repeats
		body      func() io.Reader
		noReplay  bool
		wantCalls int64
		wantFinal int
	}{
		{name: "503 twice then ok", statuses: []int{503, 503, 200}, wantCalls: 3, wantFinal: 200},
		{name: "429 then ok", statuses: []int{429, 200}, wantCalls: 2, wantFinal: 200},
		{name: "gives up after the attempts", statuses: []int{500}, wantCalls: 4, wantFinal: 500},
		{name: "501 is final", statuses: []int{501, 200}, wantCalls: 1, wantFinal: 501},
		{name: "404 is final", statuses: []int{404, 200}, wantCalls: 1, wantFinal: 404},
		{name: "replayable body is resent", statuses: []int{502, 201}, body: func() io.Reader { return strings.NewReader("payload") }, wantCalls: 2, wantFinal: 201},
		{name: "one-shot body is sent once", statuses: []int{502, 201}, body: func() io.Reader { return strings.NewReader("payload") }, noReplay: true, wantCalls: 1, wantFinal: 502},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				if n >= len(tc.statuses) {
					n = len(tc.statuses) - 1
				}
				if r.Body != nil {
					if b, _ := io.ReadAll(r.Body); tc.body != nil && string(b) != "payload" {
						t.Errorf("attempt %d got body %q", n+1, b)
					}
				}
				if tc.statuses[n] == 429 {
					w.Header().Set("Retry-After", "0")
				}
				w.WriteHeader(tc.statuses[n])
			}))
			defer srv.Close()
			rt := &retryTransport{inner: http.DefaultTransport, attempts: 4, backoff: time.Millisecond, maxDelay: 10 * time.Millisecond}
			var body io.Reader
			if tc.body != nil {
				body = tc.body()
			}
			req, _ := http.NewRequest(http.MethodPut, srv.URL, body)
			if tc.noReplay {
				req.GetBody = nil
				req.Body = io.NopCloser(req.Body)
			}
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantFinal || calls.Load() != tc.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tc.wantFinal, tc.wantCalls)
			}
		})
	}
}

func TestRetryTransportConnectionErrors(t *testing.T) {
	// A server that closes the first two connections without answering.
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	rt := &retryTransport{inner: http.DefaultTransport, attempts: 5, backoff: time.Millisecond, maxDelay: time.Millisecond}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("after dropped connections: %v", err)
	}
	resp.Body.Close()
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}
}

func TestRetryTransportStopsOnCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	rt := &retryTransport{inner: http.DefaultTransport, attempts: 10, backoff: time.Hour, maxDelay: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	if _, err := rt.RoundTrip(req); err == nil {
		t.Fatal("no error although the context ended during the backoff")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("backoff ignored the context")
	}
}

func TestRetryTransportDoesNotRetryUnknownHosts(t *testing.T) {
	var calls atomic.Int64
	inner := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: "registry.invalid", IsNotFound: true}
	})
	rt := &retryTransport{inner: inner, attempts: 5, backoff: time.Millisecond, maxDelay: time.Millisecond}
	req, _ := http.NewRequest(http.MethodGet, "https://registry.invalid/v2/", nil)
	if _, err := rt.RoundTrip(req); err == nil || calls.Load() != 1 {
		t.Errorf("err %v after %d calls, want an error after 1", err, calls.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

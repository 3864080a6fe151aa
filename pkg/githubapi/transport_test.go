package githubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when the transport sleeps, so tests run instantly
// and can assert the exact waits.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

type answer struct {
	status int
	header map[string]string
	body   string
	reset  bool // close the connection without answering
}

func scripted(t *testing.T, answers []answer) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var bodies []string
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		i := n
		n++
		mu.Unlock()
		a := answer{status: 200, body: `{}`}
		if i < len(answers) {
			a = answers[i]
		}
		if a.reset {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &bodies
}

const secondaryBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

func TestTransportRetries(t *testing.T) {
	clockStart := newFakeClock().Now()
	resetIn := func(d time.Duration) string { return fmt.Sprint(clockStart.Add(d).Unix()) }
	tests := []struct {
		name       string
		answers    []answer
		wantStatus int
		wantSleeps []time.Duration
		wantErr    string
	}{
		{"5xx then ok", []answer{{status: 502}, {status: 503}, {status: 200}}, 200, []time.Duration{time.Second, 2 * time.Second}, ""},
		{"reset then ok", []answer{{reset: true}, {status: 200}}, 200, []time.Duration{time.Second}, ""},
		{"403 secondary with retry-after", []answer{{status: 403, header: map[string]string{"Retry-After": "7"}, body: secondaryBody}, {status: 200}}, 200, []time.Duration{7 * time.Second}, ""},
		{"429 secondary with retry-after", []answer{{status: 429, header: map[string]string{"Retry-After": "3"}, body: secondaryBody}, {status: 201}}, 201, []time.Duration{3 * time.Second}, ""},
		{"429 secondary falls back to reset", []answer{{status: 429, header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": resetIn(20 * time.Second)}, body: secondaryBody}, {status: 200}}, 200, []time.Duration{21 * time.Second}, ""},
		{"secondary ignores the hourly reset while requests remain", []answer{{status: 403, header: map[string]string{"X-Ratelimit-Remaining": "12", "X-Ratelimit-Reset": resetIn(time.Hour)}, body: secondaryBody}, {status: 200}}, 200, []time.Duration{time.Minute}, ""},
		{"403 secondary without headers waits a minute then doubles", []answer{{status: 403, body: secondaryBody}, {status: 403, body: secondaryBody}, {status: 200}}, 200, []time.Duration{time.Minute, 2 * time.Minute}, ""},
		{"403 primary waits for reset", []answer{{status: 403, header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": resetIn(90 * time.Second)}, body: `{"message":"API rate limit exceeded"}`}, {status: 200}}, 200, []time.Duration{91 * time.Second}, ""},
		{"403 permission is not retried", []answer{{status: 403, body: `{"message":"Resource not accessible by integration"}`}}, 403, nil, ""},
		{"404 without a create is not retried", []answer{{status: 404}}, 404, nil, ""},
		{"5xx gives up after max retries", []answer{{status: 500}, {status: 500}, {status: 500}, {status: 500}}, 500, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, ""},
		{"wait beyond the budget gives up", []answer{{status: 403, header: map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": resetIn(2 * time.Hour)}, body: `{"message":"API rate limit exceeded"}`}}, 0, nil, "raise the timeout input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, bodies := scripted(t, tc.answers)
			clk := newFakeClock()
			tr := NewTransport(nil, WithClock(clk.Now, clk.Sleep), WithoutJitter(), WithMaxRetries(3), WithTimeout(time.Hour))
			req, _ := http.NewRequest("POST", srv.URL+"/repos/o/r/releases", strings.NewReader(`{"tag_name":"v1"}`))
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if tc.wantErr != "" {
				var g *GiveUpError
				if err == nil || !errors.As(err, &g) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a GiveUpError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if fmt.Sprint(clk.sleeps) != fmt.Sprint(tc.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", clk.sleeps, tc.wantSleeps)
			}
			for i, b := range *bodies {
				if b != `{"tag_name":"v1"}` {
					t.Errorf("attempt %d sent body %q: bodies must be replayed", i+1, b)
				}
			}
		})
	}
}

func TestTransportRetries404AfterOwnCreate(t *testing.T) {
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST":
			w.Header().Set("Location", "http://"+r.Host+"/api/v3/repos/o/r/releases/5")
			w.WriteHeader(201)
		case n < 2:
			n++
			w.WriteHeader(404)
		default:
			w.WriteHeader(200)
		}
	}))
	defer srv.Close()
	clk := newFakeClock()
	c := &http.Client{Transport: NewTransport(nil, WithClock(clk.Now, clk.Sleep))}
	resp, err := c.Post(srv.URL+"/api/v3/repos/o/r/releases", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The uploads path of the created release counts as "just created" too.
	resp, err = c.Get(srv.URL + "/api/uploads/repos/o/r/releases/5/assets")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(clk.sleeps) != 2 {
		t.Fatalf("status %d after sleeps %v, want 200 after 2 retries", resp.StatusCode, clk.sleeps)
	}
	// Another release was not created by us: its 404 is an answer.
	resp, _ = c.Get(srv.URL + "/api/v3/repos/o/r/releases/6")
	resp.Body.Close()
	n = 0
	if resp, _ = c.Get(srv.URL + "/api/v3/repos/o/r/releases/6"); resp.StatusCode != 404 {
		t.Errorf("unrelated 404 retried: status %d", resp.StatusCode)
	}
}

func TestUploadsURL(t *testing.T) {
	tests := map[string]string{
		"https://api.github.com":           "https://uploads.github.com/",
		"https://api.github.com/":          "https://uploads.github.com/",
		"https://ghe.example.com/api/v3":   "https://ghe.example.com/api/uploads/",
		"https://ghe.example.com/api/v3/":  "https://ghe.example.com/api/uploads/",
		"http://127.0.0.1:8080/x/api/v3":   "http://127.0.0.1:8080/x/api/uploads/",
		"https://proxy.example.com/github": "",
		"not a url":                        "",
	}
	for in, want := range tests {
		got, err := UploadsURL(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("UploadsURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func BenchmarkTransportPassThrough(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	c := &http.Client{Transport: NewTransport(nil)}
	for b.Loop() {
		resp, err := c.Get(srv.URL + "/repos/o/r")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

func FuzzRateLimitWait(f *testing.F) {
	f.Add(403, "0", "1700000060", "", secondaryBody)
	f.Add(429, "", "", "12", "{}")
	f.Add(403, "5", "x", "Wed, 21 Oct 2015 07:28:00 GMT", `{"message":"Resource not accessible by integration"}`)
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, status int, remaining, reset, retryAfter, body string) {
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		for k, v := range map[string]string{"X-Ratelimit-Remaining": remaining, "X-Ratelimit-Reset": reset, "Retry-After": retryAfter} {
			if v != "" {
				resp.Header.Set(k, v)
			}
		}
		w, why, ok := rateLimitWait(resp, []byte(body), now)
		if ok && why == "" {
			t.Errorf("a rate limit without a reason")
		}
		if !ok && w != 0 {
			t.Errorf("not a limit but a wait of %s", w)
		}
	})
}

func TestWritesArePacedAfterASecondaryLimit(t *testing.T) {
	srv, _ := scripted(t, []answer{{status: 403, header: map[string]string{"Retry-After": "2"}, body: secondaryBody}})
	clk := newFakeClock()
	c := &http.Client{Transport: NewTransport(nil, WithClock(clk.Now, clk.Sleep))}
	post := func() {
		resp, err := c.Post(srv.URL+"/repos/o/r/releases", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get := func() {
		resp, err := c.Get(srv.URL + "/repos/o/r/releases")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post() // limited once: waits 2s, then succeeds
	get()  // reads are not paced
	post() // a second after the previous write
	post()
	if fmt.Sprint(clk.sleeps) != "[2s 1s 1s]" {
		t.Errorf("sleeps %v, want [2s 1s 1s]", clk.sleeps)
	}
}

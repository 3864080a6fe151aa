package registry

import (
	"net/http"
	"strings"
	"time"

	"github.com/org/timetracker-ci/internal/tlsroots"
)

// Auth is a username and password (or token) for one registry.
type Auth struct {
	Username string
	Password string
}

// Option configures a [Client].
type Option func(*options)

type options struct {
	auth      map[string]Auth
	insecure  map[string]bool
	transport http.RoundTripper
	attempts  int
	backoff   time.Duration
	maxDelay  time.Duration
	counter   *Counter
	jobs      int
	logf      func(format string, args ...any)
	userAgent string
	tempDir   string
	// spoolLimit is the largest blob kept in memory while copied; tests lower it.
	spoolLimit int64
}

func makeOptions(opts []Option) *options {
	tlsroots.Install()
	o := &options{
		auth:       map[string]Auth{},
		insecure:   map[string]bool{},
		transport:  http.DefaultTransport,
		attempts:   5,
		backoff:    500 * time.Millisecond,
		maxDelay:   30 * time.Second,
		jobs:       4,
		logf:       func(string, ...any) {},
		userAgent:  "timetracker-ci",
		spoolLimit: 32 << 20,
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// normalizeHost maps the spellings of Docker Hub to the host that serves it
// and lower-cases the rest, so credentials match however they were written.
func normalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	host = strings.TrimPrefix(host, "https://")
	host = strings.TrimPrefix(host, "http://")
	host = strings.TrimSuffix(host, "/")
	switch host {
	case "docker.io", "registry-1.docker.io", "index.docker.io":
		return "index.docker.io"
	}
	return host
}

// WithAuth sets the credentials used for one registry host (for instance
// "ghcr.io" or "docker.io"). Registries without credentials are accessed
// anonymously.
func WithAuth(host string, a Auth) Option {
	return func(o *options) { o.auth[normalizeHost(host)] = a }
}

// WithInsecure lets the client speak plain HTTP to the given hosts
// (host or host:port), for test and local registries.
func WithInsecure(hosts ...string) Option {
	return func(o *options) {
		for _, h := range hosts {
			if h = normalizeHost(h); h != "" {
				o.insecure[h] = true
			}
		}
	}
}

// WithTransport sets the base transport; the default is http.DefaultTransport.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) {
		if t != nil {
			o.transport = t
		}
	}
}

// WithRetry sets how many times a request is attempted in total on 5xx,
// 429 and connection errors, and the first backoff delay (doubled after each
// attempt, capped at 30s; a Retry-After header wins when it is longer).
func WithRetry(attempts int, backoff time.Duration) Option {
	return func(o *options) {
		if attempts < 1 {
			attempts = 1
		}
		o.attempts = attempts
		o.backoff = backoff
	}
}

// WithCounter counts every request put on the wire (retries included).
func WithCounter(c *Counter) Option {
	return func(o *options) { o.counter = c }
}

// WithJobs bounds how many blobs are copied at once (default 4).
func WithJobs(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.jobs = n
		}
	}
}

// WithLogf receives one line per step worth telling a user about.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(o *options) {
		if logf != nil {
			o.logf = logf
		}
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(o *options) {
		if ua != "" {
			o.userAgent = ua
		}
	}
}

// WithTempDir is where blobs too big for memory are spooled while being
// copied between registries (default: the system temporary directory).
func WithTempDir(dir string) Option {
	return func(o *options) { o.tempDir = dir }
}

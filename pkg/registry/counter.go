package registry

import (
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Counter counts the requests a [Client] puts on the wire, by host and by
// "METHOD kind" where kind is ping, token, manifest, blob, upload or tags.
// It exists so tests and benchmarks can show how many requests an
// operation costs.
type Counter struct {
	mu     sync.Mutex
	total  int
	byKind map[string]int
	byHost map[string]int
}

func (c *Counter) add(req *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKind == nil {
		c.byKind = map[string]int{}
		c.byHost = map[string]int{}
	}
	c.total++
	c.byKind[req.Method+" "+requestKind(req.URL.Path)]++
	c.byHost[req.URL.Host]++
}

// Total is the number of requests so far.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// ByKind returns a copy of the counts per "METHOD kind".
func (c *Counter) ByKind() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clone(c.byKind)
}

// ByHost returns a copy of the counts per host.
func (c *Counter) ByHost() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clone(c.byHost)
}

// clone is a copy of m, never nil.
func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	maps.Copy(out, m)
	return out
}

// Reset forgets everything counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total, c.byKind, c.byHost = 0, nil, nil
}

// String lists the counts per kind, sorted, one "kind: n" per line.
func (c *Counter) String() string {
	kinds := c.ByKind()
	keys := make([]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(itoa(kinds[k]))
		b.WriteString("\n")
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

func requestKind(path string) string {
	switch {
	case path == "/v2/" || path == "/v2":
		return "ping"
	case !strings.HasPrefix(path, "/v2/"):
		return "token"
	case strings.Contains(path, "/manifests/"):
		return "manifest"
	case strings.Contains(path, "/blobs/uploads"):
		return "upload"
	case strings.Contains(path, "/blobs/"):
		return "blob"
	case strings.HasSuffix(path, "/tags/list"):
		return "tags"
	}
	return "other"
}

type countingTransport struct {
	inner   http.RoundTripper
	counter *Counter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.counter.add(req)
	return t.inner.RoundTrip(req)
}

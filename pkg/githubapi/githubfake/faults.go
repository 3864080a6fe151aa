package githubfake

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// FaultKind is a kind of failure the fake injects.
type FaultKind int

const (
	// ServerError answers Status (default 502) without applying the request.
	ServerError FaultKind = iota + 1
	// SecondaryLimit answers Status (403 or 429, default 403) with GitHub's
	// secondary-rate-limit body, and retry-after when RetryAfter > 0.
	SecondaryLimit
	// PrimaryLimit answers 403 with x-ratelimit-remaining: 0 and a reset a
	// minute ahead.
	PrimaryLimit
	// ConnectionReset closes the connection without answering or applying.
	ConnectionReset
	// LostResponse applies the request, then closes the connection without
	// answering: the client cannot know its create succeeded.
	LostResponse
	// StarterAsset, on an upload, leaves an asset of that name in state
	// "starter" and answers 502, as GitHub does when an upload breaks.
	StarterAsset
	// Delay holds the request for Delay, or until Until is closed, before
	// serving it normally (other requests proceed meanwhile).
	Delay
	// Hold keeps matching requests waiting until Times of them have arrived
	// (or Delay, default 5s, has passed), then serves them all: a barrier
	// that makes racing clients collide every time.
	Hold
)

func (k FaultKind) String() string {
	switch k {
	case ServerError:
		return "server-error"
	case SecondaryLimit:
		return "secondary-limit"
	case PrimaryLimit:
		return "primary-limit"
	case ConnectionReset:
		return "connection-reset"
	case LostResponse:
		return "lost-response"
	case StarterAsset:
		return "starter-asset"
	case Delay:
		return "delay"
	case Hold:
		return "hold"
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

// Fault is one injected failure. It fires on the matching requests after the
// first Skip of them, Times times (default once).
type Fault struct {
	Kind       FaultKind
	Status     int
	RetryAfter int             // seconds; 0 leaves the header out
	Delay      time.Duration   // for Delay and Hold
	Until      <-chan struct{} // for Delay: closing it ends the wait early
	Method     string          // "" matches any
	Path       string          // substring of the path after the API or uploads prefix ("" matches any; a final "$" anchors it at the end)
	Upload     bool            // only requests on the uploads path
	Skip       int
	Times      int

	arrived int
	gate    chan struct{} // Hold: closed when Times requests have arrived
}

// Inject queues faults.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		if f.Times == 0 {
			f.Times = 1
		}
		if f.Kind == Hold {
			f.gate = make(chan struct{})
		}
		s.faults = append(s.faults, &f)
	}
}

// PendingFaults counts faults that have not fired yet.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times - f.arrived
	}
	return n
}

// takeFault returns the fault that fires on this request, if any. Called with mu held.
func (s *Server) takeFault(c *reqCtx) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != c.r.Method || !pathMatches(c.path, f.Path) || f.Upload && !c.upload {
			continue
		}
		if f.Kind == StarterAsset && !c.upload {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			continue
		}
		if f.Kind == Hold {
			f.arrived++
			if f.arrived == f.Times {
				close(f.gate)
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
		f.Times--
		if f.Times == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

const secondaryDoc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

func (s *Server) answerLimit(c *reqCtx, f *Fault) {
	switch f.Kind {
	case SecondaryLimit:
		status := f.Status
		if status == 0 {
			status = http.StatusForbidden
		}
		if f.RetryAfter > 0 {
			c.w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
		}
		c.fail(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.", secondaryDoc)
	case PrimaryLimit:
		c.w.Header().Set("X-Ratelimit-Remaining", "0")
		c.w.Header().Set("X-Ratelimit-Reset", fmt.Sprint(s.opts.Now().Add(60*1e9).Unix()))
		c.fail(http.StatusForbidden, "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
	}
}

// ClearFaults drops faults that have not fired.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func pathMatches(path, pattern string) bool {
	if p, anchored := strings.CutSuffix(pattern, "$"); anchored {
		return strings.HasSuffix(path, p)
	}
	return strings.Contains(path, pattern)
}

package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ListenAndServe runs a fake on addr (e.g. "127.0.0.1:8787") until ctx is
// done. ready, when not nil, receives the API URL once the port is open,
// so scripts can export GITHUB_API_URL.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(apiURL string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fake GitHub: listening on %s: %w (pick a free port with --addr)", addr, err)
	}
	s := New(opts)
	s.URL = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	if ready != nil {
		ready(s.APIURL())
	}
	select {
	case err := <-done:
		return fmt.Errorf("fake GitHub: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("fake GitHub: shutting down: %w", err)
		}
		return nil
	}
}

package githubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-github/v60/github"
)

// HTTPError is a download answered with a status other than 200.
type HTTPError struct {
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string { return "GitHub answered " + e.Status }

// OpenAsset streams a release asset's bytes. GitHub answers the API request
// with a redirect to another host: the redirect is followed with download,
// a client that carries no API token, so the token stays with the API. It
// does not use go-github's DownloadReleaseAsset, which swaps the shared
// client's redirect policy while other requests may be running.
func OpenAsset(ctx context.Context, c *github.Client, download *http.Client, owner, repo string, id int64) (io.ReadCloser, error) {
	return openRedirected(ctx, c, download, fmt.Sprintf("repos/%s/%s/releases/assets/%d", owner, repo, id), "application/octet-stream")
}

// OpenArtifact streams a workflow run artifact's zip archive, as OpenAsset
// does: GitHub answers 302 to a signed storage URL (valid for a minute),
// fetched with download, without the token. An expired artifact is an
// *HTTPError with StatusCode 410 (Gone).
func OpenArtifact(ctx context.Context, c *github.Client, download *http.Client, owner, repo string, id int64) (io.ReadCloser, error) {
	return openRedirected(ctx, c, download, fmt.Sprintf("repos/%s/%s/actions/artifacts/%d/zip", owner, repo, id), "")
}

func openRedirected(ctx context.Context, c *github.Client, download *http.Client, path, accept string) (io.ReadCloser, error) {
	req, err := c.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	api := c.Client() // a copy: its redirect policy is ours to set
	api.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := api.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
		resp.Body.Close()
		if download == nil {
			download = &http.Client{}
		}
		dl, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
		if err != nil {
			return nil, err
		}
		if resp, err = download.Do(dl); err != nil {
			return nil, err
		}
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &HTTPError{StatusCode: resp.StatusCode, Status: resp.Status}
	}
	return resp.Body, nil
}

// Gone reports whether err is a 410: the resource (an expired artifact)
// is no longer there.
func Gone(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.StatusCode == http.StatusGone || StatusCode(err) == http.StatusGone
}

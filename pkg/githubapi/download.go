package githubapi

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-github/v60/github"
)

// OpenAsset streams a release asset's bytes. GitHub answers the API request
// with a redirect to another host: the redirect is followed with download,
// a client that carries no API token, so the token stays with the API. It
// does not use go-github's DownloadReleaseAsset, which swaps the shared
// client's redirect policy while other requests may be running.
func OpenAsset(ctx context.Context, c *github.Client, download *http.Client, owner, repo string, id int64) (io.ReadCloser, error) {
	req, err := c.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/releases/assets/%d", owner, repo, id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/octet-stream")
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
		return nil, fmt.Errorf("GitHub answered %s", resp.Status)
	}
	return resp.Body, nil
}

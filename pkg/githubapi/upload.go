package githubapi

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/google/go-github/v60/github"
)

// UploadAsset uploads the file open returns as a release asset. Unlike
// go-github's UploadReleaseAsset, the request can be replayed: every retry
// opens the file again, so a retried upload never sends a half-read or
// empty body. The caller's open decides which files may be read (the
// release action opens through the workspace jail).
func UploadAsset(ctx context.Context, c *github.Client, owner, repo string, releaseID int64, name, label, contentType string, open func() (*os.File, error)) (*github.ReleaseAsset, error) {
	f, err := open()
	if err != nil {
		return nil, fmt.Errorf("asset %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("asset %s: %w", name, err)
	}
	q := url.Values{"name": {name}}
	if label != "" {
		q.Set("label", label)
	}
	u := fmt.Sprintf("repos/%s/%s/releases/%d/assets?%s", owner, repo, releaseID, q.Encode())
	req, err := c.NewUploadRequest(u, f, st.Size(), contentType)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("asset %s: %w", name, err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return open() }
	asset := new(github.ReleaseAsset)
	if _, err := c.Do(ctx, req, asset); err != nil {
		return nil, fmt.Errorf("uploading asset %s: %w", name, err)
	}
	return asset, nil
}

package vulnscan

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DefaultOSVURL is where OSV publishes its per-ecosystem archives
// (<url>/<ecosystem>/all.zip).
const DefaultOSVURL = "https://osv-vulnerabilities.storage.googleapis.com"

// Ecosystems are the archives the matcher can use.
var Ecosystems = []string{"PyPI", "Debian", "Go"}

// maxArchive bounds one downloaded archive.
const maxArchive = 2 << 30

// Download fetches <baseURL>/<ecosystem>/all.zip for each ecosystem into
// dir and returns dir, ready for Load.
func Download(ctx context.Context, client *http.Client, baseURL, dir string, ecosystems []string) error {
	if client == nil {
		client = http.DefaultClient
	}
	for _, eco := range ecosystems {
		u := strings.TrimSuffix(baseURL, "/") + "/" + eco + "/all.zip"
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("downloading the OSV %s database from %s: %w", eco, u, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return fmt.Errorf("downloading the OSV %s database from %s: %s (check osv-url, or give osv-database)", eco, u, resp.Status)
		}
		f, err := os.Create(filepath.Join(dir, eco+".zip"))
		if err != nil {
			resp.Body.Close()
			return err
		}
		n, err := io.Copy(f, io.LimitReader(resp.Body, maxArchive+1))
		resp.Body.Close()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("downloading the OSV %s database: %w", eco, err)
		}
		if n > maxArchive {
			return fmt.Errorf("the OSV %s archive at %s is larger than 2 GiB: refusing it", eco, u)
		}
	}
	return nil
}

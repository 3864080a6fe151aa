package supplychain

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/org/timetracker-ci/pkg/sbom"
)

// ArchiveSBOM writes the SBOM of a single-platform image saved with
// `docker save` (an image built but not pushed, as in CI), in format
// (FormatSPDX or FormatCycloneDX).
func ArchiveSBOM(ctx context.Context, path, format, tool string, opts ...sbom.Option) ([]byte, error) {
	return ArchiveSBOMFrom(ctx, path, func() (io.ReadCloser, error) { return os.Open(path) }, format, tool, opts...)
}

// ArchiveSBOMFrom is ArchiveSBOM for an archive opened by open (each time
// the tarball is read): the scan action opens it through the workspace
// jail, so only a regular file inside the workspace is read.
func ArchiveSBOMFrom(ctx context.Context, path string, open func() (io.ReadCloser, error), format, tool string, opts ...sbom.Option) ([]byte, error) {
	img, err := tarball.Image(open, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the image archive %s (written by docker save?): %w", filepath.Base(path), err)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("reading the image archive %s: %w", filepath.Base(path), err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config in %s: %w", filepath.Base(path), err)
	}
	pkgs, err := sbom.Scan(ctx, img, opts...)
	if err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %w", filepath.Base(path), err)
	}
	s := sbom.Subject{Name: filepath.Base(path), Digest: d.String(), Platform: cf.OS + "/" + cf.Architecture, Created: cf.Created.Time, Tool: tool}
	if format == FormatCycloneDX {
		return sbom.CycloneDX(s, pkgs)
	}
	return sbom.SPDX(s, pkgs)
}

package sbom

import (
	"archive/tar"
	"cmp"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Layer is what a scan reads of one layer: its diff ID (named in each
// package's location) and its uncompressed tar stream. Every v1.Layer is one.
type Layer interface {
	DiffID() (v1.Hash, error)
	Uncompressed() (io.ReadCloser, error)
}

// Option configures a scan.
type Option func(*config)

type config struct {
	maxBinary   int64
	maxMetadata int64
	tempDir     string
	warnf       func(format string, args ...any)
}

// WithMaxBinarySize sets the largest executable read for Go build
// information (default 256 MiB); larger ones are skipped unread.
func WithMaxBinarySize(n int64) Option { return func(c *config) { c.maxBinary = n } }

// WithTempDir sets where a Go binary is spooled while its build
// information is read (default: the system's temporary directory).
func WithTempDir(dir string) Option { return func(c *config) { c.tempDir = dir } }

// WithWarnf receives the metadata files that could not be read; they are
// skipped, as one broken file must not hide the rest of the image.
func WithWarnf(f func(format string, args ...any)) Option { return func(c *config) { c.warnf = f } }

// Scan lists the packages of a single-platform image. Layers are read top
// first, each once; see the package documentation.
func Scan(ctx context.Context, img v1.Image, opts ...Option) ([]Package, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing the image's layers: %w", err)
	}
	layers := make([]Layer, len(ls))
	for i, l := range ls {
		layers[i] = l
	}
	return ScanLayers(ctx, layers, opts...)
}

// ScanLayers lists the packages of a root file system made of layers,
// given bottom first (as in an image manifest).
func ScanLayers(ctx context.Context, layers []Layer, opts ...Option) ([]Package, error) {
	c := &config{maxBinary: 256 << 20, maxMetadata: 64 << 20, warnf: func(string, ...any) {}}
	for _, o := range opts {
		o(c)
	}
	s := &scanner{c: c, v: newView()}
	defer s.close()
	for i := len(layers) - 1; i >= 0; i-- {
		id, err := layers[i].DiffID()
		if err != nil {
			return nil, fmt.Errorf("layer %d: reading its diff ID: %w", i+1, err)
		}
		if err := s.layer(ctx, layers[i], id.String()); err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i+1, id, err)
		}
	}
	sort.SliceStable(s.pkgs, func(i, j int) bool { return less(s.pkgs[i], s.pkgs[j]) })
	return s.pkgs, nil
}

func less(a, b Package) bool {
	return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Version, b.Version), cmp.Compare(a.Location, b.Location)) < 0
}

// view is what the layers above the one being read left visible: paths
// removed by whiteouts, directories made opaque, and the paths they hold
// that matter here (metadata files, executables, and every non-directory
// that could stand where a lower directory was).
type view struct {
	removed, opaque, covered map[string]bool
}

func newView() *view {
	return &view{removed: map[string]bool{}, opaque: map[string]bool{}, covered: map[string]bool{}}
}

// hidden reports whether an upper layer hides p: replaced it, deleted it
// or one of its directories, or made a directory above it opaque.
func (v *view) hidden(p string) bool {
	if v.covered[p] || v.removed[p] {
		return true
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		if v.removed[d] || v.opaque[d] || v.covered[d] {
			return true
		}
		if d == "." || d == "/" {
			return false
		}
	}
}

func (v *view) merge(o *view) {
	for p := range o.removed {
		v.removed[p] = true
	}
	for p := range o.opaque {
		v.opaque[p] = true
	}
	for p := range o.covered {
		v.covered[p] = true
	}
}

type scanner struct {
	c     *config
	v     *view
	pkgs  []Package
	spool *os.File
}

func (s *scanner) close() {
	if s.spool != nil {
		s.spool.Close()
		os.Remove(s.spool.Name())
	}
}

// cleanPath turns a tar entry name into a path relative to the root.
func cleanPath(name string) string {
	p := path.Clean("/" + name)
	return strings.TrimPrefix(p, "/")
}

type kind int

const (
	kindNone kind = iota
	kindDpkg
	kindApk
	kindPython
	kindExecutable
)

func classify(p string, h *tar.Header, maxBinary int64) kind {
	dir, base := path.Dir(p), path.Base(p)
	switch {
	case p == "var/lib/dpkg/status":
		return kindDpkg
	case dir == "var/lib/dpkg/status.d" && !strings.HasSuffix(base, ".md5sums"):
		return kindDpkg
	case p == "lib/apk/db/installed":
		return kindApk
	case base == "METADATA" && strings.HasSuffix(dir, ".dist-info"):
		return kindPython
	case base == "PKG-INFO" && strings.HasSuffix(dir, ".egg-info"):
		return kindPython
	case strings.HasSuffix(base, ".egg-info"): // an egg-info file rather than a directory
		return kindPython
	case h.Mode&0o111 != 0 && h.Size >= 64 && h.Size <= maxBinary:
		return kindExecutable
	}
	return kindNone
}

func (s *scanner) layer(ctx context.Context, l Layer, id string) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return fmt.Errorf("opening: %w", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	// What this layer removes or holds hides only the layers below it.
	here := newView()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the layer's tar stream: %w", err)
		}
		p := cleanPath(h.Name)
		if p == "" || p == "." {
			continue
		}
		dir, base := path.Dir(p), path.Base(p)
		if base == ".wh..wh..opq" {
			here.opaque[dir] = true
			continue
		}
		if strings.HasPrefix(base, ".wh.") {
			here.removed[path.Join(dir, strings.TrimPrefix(base, ".wh."))] = true
			continue
		}
		if s.v.hidden(p) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			// A link or special file stands where a lower directory or
			// metadata file may have been.
			here.covered[p] = true
			continue
		}
		k := classify(p, h, s.c.maxBinary)
		if k == kindNone {
			continue
		}
		here.covered[p] = true
		found, err := s.read(k, p, h, tr)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var le *layerError
			if errors.As(err, &le) {
				return le.err
			}
			s.c.warnf("/%s in layer %s: %v: skipped", p, id, err)
			continue
		}
		for _, pkg := range found {
			pkg.Location, pkg.Layer = "/"+p, id
			s.pkgs = append(s.pkgs, pkg)
		}
	}
	s.v.merge(here)
	return nil
}

// layerError is a failure of the stream itself, not of one file.
type layerError struct{ err error }

func (e *layerError) Error() string { return e.err.Error() }

// capped fails a read past n bytes rather than truncating silently.
type capped struct {
	r io.Reader
	n int64
}

var errMetadataTooLarge = errors.New("metadata file larger than the 64 MiB read limit")

func (c *capped) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errMetadataTooLarge
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

func (s *scanner) read(k kind, p string, h *tar.Header, tr *tar.Reader) ([]Package, error) {
	if k != kindExecutable && h.Size > s.c.maxMetadata {
		return nil, errMetadataTooLarge
	}
	r := &capped{r: tr, n: s.c.maxMetadata}
	switch k {
	case kindDpkg:
		return ParseDpkgStatus(r)
	case kindApk:
		return ParseApkInstalled(r)
	case kindPython:
		pkg, err := ParsePythonMetadata(r)
		if err != nil {
			return nil, err
		}
		return []Package{pkg}, nil
	case kindExecutable:
		return s.goBinary(h, tr)
	}
	return nil, nil
}

// goBinary reads the build information of an executable that starts with
// the ELF magic; other executables (scripts, C binaries) yield nothing.
func (s *scanner) goBinary(h *tar.Header, tr *tar.Reader) ([]Package, error) {
	head := make([]byte, 4)
	if _, err := io.ReadFull(tr, head); err != nil {
		return nil, &layerError{fmt.Errorf("reading the tar stream: %w", err)}
	}
	if !isELF(head) {
		return nil, nil
	}
	if s.spool == nil {
		f, err := os.CreateTemp(s.c.tempDir, "sbom-binary-*")
		if err != nil {
			return nil, &layerError{fmt.Errorf("creating a spool file for Go binaries (check the temporary directory): %w", err)}
		}
		s.spool = f
	}
	if err := s.spool.Truncate(0); err != nil {
		return nil, &layerError{err}
	}
	if _, err := s.spool.Seek(0, io.SeekStart); err != nil {
		return nil, &layerError{err}
	}
	if _, err := s.spool.Write(head); err != nil {
		return nil, &layerError{err}
	}
	if _, err := io.Copy(s.spool, io.LimitReader(tr, h.Size)); err != nil {
		return nil, &layerError{fmt.Errorf("spooling a binary: %w", err)}
	}
	bi, err := buildinfo.Read(io.NewSectionReader(s.spool, 0, h.Size))
	if err != nil {
		return nil, nil // not a Go binary, or one built without module information
	}
	return goPackages(bi), nil
}

// goPackages lists the standard library (as "stdlib" at the Go version),
// the main module and every module linked in; a replaced module is
// reported as its replacement, which is the code that was built.
func goPackages(bi *buildinfo.BuildInfo) []Package {
	var out []Package
	if v := strings.TrimPrefix(bi.GoVersion, "go"); v != "" {
		v, _, _ = strings.Cut(v, " ") // "1.22.1 X:boringcrypto"
		out = append(out, Package{Type: TypeGo, Name: "stdlib", Version: v})
	}
	if bi.Main.Path != "" {
		out = append(out, Package{Type: TypeGo, Name: bi.Main.Path, Version: bi.Main.Version})
	}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		if m.Path == "" {
			continue
		}
		out = append(out, Package{Type: TypeGo, Name: m.Path, Version: m.Version})
	}
	return out
}

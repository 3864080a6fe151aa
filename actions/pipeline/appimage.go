package pipeline

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// skipDirs are never part of the image: caches, results and VCS data.
var skipDirs = map[string]bool{".git": true, "__pycache__": true, ".pytest_cache": true, "test-results": true, ".timetracker-ci": true, "node_modules": true, ".venv": true}

// appLayer tars the application folder under /app with fixed owners and
// modification times, so the same files always give the same digest.
func appLayer(dir string, mtime time.Time) (v1.Layer, int, error) {
	// Through a jail at the application folder: regular files inside it
	// only (a symlink is left out), each read as a release asset is.
	w, err := workspace.Open(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the application folder %s: %w", dir, err)
	}
	defer w.Close()
	var files []string
	err = fs.WalkDir(w.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return fs.SkipDir
		}
		// Hidden files (.coverage, .env) and build leftovers stay out, so
		// the digest depends on the application's sources only.
		if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") && !strings.HasSuffix(d.Name(), ".pyc") && !strings.HasSuffix(d.Name(), ".db") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("reading the application folder %s: %w", dir, err)
	}
	sort.Strings(files)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// Parent folders get their own entries, as a tar extractor expects.
	dirs := map[string]bool{}
	for _, rel := range files {
		for d := filepath.ToSlash(filepath.Dir("app/" + filepath.ToSlash(rel))); d != "." && d != "/"; d = filepath.ToSlash(filepath.Dir(d)) {
			dirs[d] = true
		}
	}
	var dirList []string
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList)
	for _, d := range dirList {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return nil, 0, err
		}
	}
	for _, rel := range files {
		b, err := w.ReadFile("dir", rel, workspace.KindAsset)
		if err != nil {
			return nil, 0, fmt.Errorf("reading %s: %w", rel, err)
		}
		info, err := w.Stat("dir", rel)
		if err != nil {
			return nil, 0, err
		}
		mode := int64(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "app/" + filepath.ToSlash(rel), Mode: mode, Size: int64(len(b)), ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, 0, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, 0, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, 0, err
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		return nil, 0, fmt.Errorf("building the application layer: %w", err)
	}
	return layer, len(files), nil
}

// platformImage is the application layer on an empty image, configured for
// one platform with the version's OCI labels.
func platformImage(layer v1.Layer, platform string, labels map[string]string, created time.Time) (v1.Image, error) {
	os_, arch, ok := strings.Cut(platform, "/")
	if !ok {
		return nil, fmt.Errorf("platform %q is not os/arch", platform)
	}
	variant := ""
	arch, variant, _ = strings.Cut(arch, "/")
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "timetracker-ci pipeline: COPY . /app", Created: v1.Time{Time: created}}})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = os_, arch, variant
	cfg.Created = v1.Time{Time: created}
	cfg.Config.WorkingDir = "/app"
	cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "PORT=8080"}
	cfg.Config.Cmd = []string{"sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} wsgi:app"}
	cfg.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}}
	cfg.Config.Labels = labels
	return mutate.ConfigFile(img, cfg)
}

// pushPlatforms pushes one image per platform by digest (no tag) and returns
// their references, name@sha256:…, in platform order.
func pushPlatforms(ctx context.Context, repo string, layer v1.Layer, platforms []string, labels map[string]string, created time.Time, insecure bool) ([]string, error) {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.NewRepository(repo, opts...)
	if err != nil {
		return nil, fmt.Errorf("image name %q: %w", repo, err)
	}
	var refs []string
	for _, p := range platforms {
		img, err := platformImage(layer, p, labels, created)
		if err != nil {
			return nil, fmt.Errorf("image for %s: %w", p, err)
		}
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		ref := r.Digest(d.String())
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			return nil, fmt.Errorf("pushing the %s image to %s: %w", p, repo, err)
		}
		refs = append(refs, ref.String())
	}
	return refs, nil
}

// Package sbomtest builds image layers and images for tests of SBOM
// readers: tar layers from a list of entries, and a small Debian-based
// image with Python packages.
package sbomtest

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Entry is one tar entry. A Body of nil with Dir set makes a directory;
// Link makes a symbolic link.
type Entry struct {
	Name string
	Body string
	Mode int64 // 0 means 0644 (0755 for directories)
	Dir  bool
	Link string
}

// Tar returns the uncompressed tar of entries, in order.
func Tar(t testing.TB, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: e.Mode, ModTime: time.Unix(0, 0)}
		switch {
		case e.Dir:
			h.Typeflag = tar.TypeDir
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case e.Link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.Link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.Body))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Layer is a gzip-compressed OCI layer of entries.
func Layer(t testing.TB, entries ...Entry) v1.Layer {
	t.Helper()
	raw := Tar(t, entries...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	// Materialise digests now, so the layer is cheap to push later.
	if _, err := l.Digest(); err != nil {
		t.Fatal(err)
	}
	return l
}

// DpkgStatus is a dpkg status file with two installed packages and one
// removed (config files left), as dpkg writes them.
const DpkgStatus = `Package: base-files
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.

Package: oldtool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
`

// PythonMetadata is a wheel's METADATA for name and version.
func PythonMetadata(name, version, license string) string {
	return "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nLicense: " + license +
		"\nClassifier: Programming Language :: Python :: 3\n\nLong description.\nName: not-a-header\n"
}

// DebianPythonImage is a linux/amd64 OCI image of three layers: a Debian
// base (dpkg status), Python packages Flask 3.0.0 and requests 2.31.0 plus
// an old urllib3, and a top layer that upgrades nothing but deletes urllib3
// with a whiteout. Its SBOM lists base-files, libssl3, flask and requests.
func DebianPythonImage(t testing.TB) v1.Image {
	t.Helper()
	site := "usr/local/lib/python3.12/site-packages/"
	base := Layer(t,
		Entry{Name: "var/lib/dpkg/", Dir: true},
		Entry{Name: "var/lib/dpkg/status", Body: DpkgStatus},
	)
	py := Layer(t,
		Entry{Name: site + "flask-3.0.0.dist-info/METADATA", Body: PythonMetadata("Flask", "3.0.0", "BSD-3-Clause")},
		Entry{Name: site + "requests-2.31.0.dist-info/METADATA", Body: PythonMetadata("requests", "2.31.0", "Apache 2.0")},
		Entry{Name: site + "urllib3-1.26.0.dist-info/METADATA", Body: PythonMetadata("urllib3", "1.26.0", "MIT")},
	)
	top := Layer(t, Entry{Name: site + ".wh.urllib3-1.26.0.dist-info", Body: ""})
	img, err := mutate.AppendLayers(empty.Image, base, py, top)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// DebianPythonIndex is an OCI index of DebianPythonImage for linux/amd64
// and linux/arm64 (same layers, a config per platform).
func DebianPythonIndex(t testing.TB) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img := DebianPythonImage(t)
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.Architecture = arch
		img, err = mutate.ConfigFile(img, cf)
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	return mutate.IndexMediaType(mutate.AppendManifests(empty.Index, adds...), types.OCIImageIndex)
}

package sbom

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

// fileLayer is a gzip-compressed tar on disk whose diff ID was computed when
// it was written, so the scan is the only reader.
type fileLayer struct {
	path   string
	diffID v1.Hash
	opens  *int
}

func (l fileLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l fileLayer) Uncompressed() (io.ReadCloser, error) {
	*l.opens++
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	// Decompressing a stream, as a layer pulled from a registry is read:
	// nothing can be skipped by seeking.
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

// writeLayer writes a layer of files of random (incompressible) data
// totalling size bytes, plus a dpkg status, Python metadata and a copy of
// the test binary, and returns its diff ID.
func writeLayer(b *testing.B, path string, n int, size int64, exe []byte) v1.Hash {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		b.Fatal(err)
	}
	tw := tar.NewWriter(io.MultiWriter(zw, h))
	add := func(name string, mode, sz int64, r io.Reader) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: sz, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyN(tw, r, sz); err != nil {
			b.Fatal(err)
		}
	}
	str := func(name, body string) { add(name, 0o644, int64(len(body)), stringsReader(body)) }
	str("var/lib/dpkg/status", sbomtest.DpkgStatus)
	str(fmt.Sprintf("usr/lib/python3/dist-packages/pkg%d-1.0.dist-info/METADATA", n), sbomtest.PythonMetadata(fmt.Sprintf("pkg%d", n), "1.0", "MIT"))
	add(fmt.Sprintf("usr/local/bin/app%d", n), 0o755, int64(len(exe)), stringsReader(string(exe)))
	rng := rand.NewChaCha8([32]byte{byte(n)})
	const fileSize = 4 << 20
	for i := int64(0); i*fileSize < size; i++ {
		// Data files are executable too, to make the scan peek at each.
		add(fmt.Sprintf("srv/data/%d/blob%05d.bin", n, i), 0o755, fileSize, rng)
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

type stringsReader string

func (s stringsReader) Read(p []byte) (int, error) { return copy(p, s), nil }

// BenchmarkScan1GB scans an image of four 256 MiB layers generated on the
// fly (gzip-compressed, as pushed); it reports the uncompressed bytes read
// per second and the process's peak RSS.
//
//	go test -run XXX -bench Scan1GB -benchtime 1x ./pkg/sbom/
func BenchmarkScan1GB(b *testing.B) {
	dir := b.TempDir()
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		b.Fatal(err)
	}
	opens := 0
	var ls []Layer
	var total int64
	for n := 0; n < 4; n++ {
		p := filepath.Join(dir, fmt.Sprintf("layer%d.tar", n))
		total += 256 << 20
		id := writeLayer(b, p, n, 256<<20, exe)
		ls = append(ls, fileLayer{path: p, diffID: id, opens: &opens})
	}
	b.SetBytes(total)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		opens = 0
		pkgs, err := ScanLayers(context.Background(), ls, WithTempDir(dir))
		if err != nil {
			b.Fatal(err)
		}
		if opens != len(ls) {
			b.Fatalf("layers opened %d times, want %d", opens, len(ls))
		}
		// The status file of the top layer wins; each layer adds one Python
		// package and one Go binary.
		py := 0
		for _, p := range pkgs {
			if p.Type == TypePython {
				py++
			}
		}
		if py != 4 {
			b.Fatalf("found %d Python packages, want 4", py)
		}
	}
	elapsed := time.Since(start) / time.Duration(b.N)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
	b.ReportMetric(elapsed.Seconds(), "s/scan")
	b.ReportMetric(float64(total)/(1<<30), "GiB")
}

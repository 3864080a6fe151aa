package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestAppLayerIsReproducibleAndSkipsLeftovers(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.py"), "print('hi')\n")
	write(t, filepath.Join(dir, "pkg", "mod.py"), "X = 1\n")
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l1, n1, err := appLayer(dir, mtime)
	if err != nil {
		t.Fatal(err)
	}
	// Leftovers of a test run must not change the image.
	write(t, filepath.Join(dir, ".coverage"), "data")
	write(t, filepath.Join(dir, "test-results", "junit-unit-1-1.xml"), "<testsuite/>")
	write(t, filepath.Join(dir, "pkg", "__pycache__", "mod.cpython-311.pyc"), "bytecode")
	l2, n2, err := appLayer(dir, mtime)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := l1.Digest()
	d2, _ := l2.Digest()
	if d1 != d2 || n1 != 2 || n2 != 2 {
		t.Errorf("digests %s (%d files) and %s (%d files), want equal with 2 files", d1, n1, d2, n2)
	}
	write(t, filepath.Join(dir, "app.py"), "print('changed')\n")
	l3, _, err := appLayer(dir, mtime)
	if err != nil {
		t.Fatal(err)
	}
	if d3, _ := l3.Digest(); d3 == d1 {
		t.Error("a changed source file kept the same layer digest")
	}
	img, err := platformImage(l1, "linux/arm64/v8", map[string]string{"org.opencontainers.image.version": "1.2.3"}, mtime)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm64" || cfg.Variant != "v8" || cfg.Config.Labels["org.opencontainers.image.version"] != "1.2.3" || !cfg.Created.Time.Equal(mtime) {
		t.Errorf("config = %+v", cfg)
	}
	if _, err := platformImage(l1, "linux", nil, mtime); err == nil {
		t.Error("platform without an architecture was accepted")
	}
}

// BenchmarkAppLayer measures packing an application folder of 200 files
// (the image step's own work, besides the registry).
func BenchmarkAppLayer(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 200; i++ {
		p := filepath.Join(dir, "pkg"+strconv.Itoa(i%10), "mod"+strconv.Itoa(i)+".py")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte("x = 1\n"), 500), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	mtime := time.Unix(0, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, _, err := appLayer(dir, mtime)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Digest(); err != nil {
			b.Fatal(err)
		}
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

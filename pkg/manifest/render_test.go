package manifest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func testOptions(t testing.TB) Options {
	t.Helper()
	v, err := ParseValues("", true)
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Image:     Image{Name: "ghcr.io/org/timetracker", Tag: "1.2.3", Digest: testDigest, Platforms: []string{"linux/arm64", "linux/amd64"}},
		Version:   "1.2.3",
		Revision:  "5f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
		BuildTime: "2026-11-28T12:00:00Z",
		Values:    v,
	}
}

func goldenCompare(t *testing.T, dir string, files []File) {
	t.Helper()
	if *update {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test -update to create the golden files)", err)
	}
	if len(entries) != len(files) {
		t.Errorf("golden %s has %d files, rendered %d", dir, len(entries), len(files))
	}
	for _, f := range files {
		want, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("%v (run go test -update)", err)
			continue
		}
		if !bytes.Equal(want, f.Data) {
			t.Errorf("%s differs from its golden file (run go test -update and review the diff):\n%s", f.Name, f.Data)
		}
	}
}

func TestBuiltinGolden(t *testing.T) {
	files, err := Render(context.Background(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name+":"+string(f.Kind))
	}
	want := "deployment-dev.yml:compose deployment.json:json docker-compose.production.yml:compose k8s-deployment.yml:kubernetes SHA256SUMS:checksums"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("files = %s\nwant %s", got, want)
	}
	goldenCompare(t, filepath.Join("testdata", "golden", "builtin"), files)
}

package manifest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/org/timetracker-ci/internal/golden"
)

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
	byName := map[string][]byte{}
	for _, f := range files {
		if _, dup := byName[f.Name]; dup {
			t.Errorf("rendered %s twice", f.Name)
		}
		byName[f.Name] = f.Data
	}
	golden.CheckDir(t, dir, byName)
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

func fsWith(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for n, s := range files {
		m[n] = &fstest.MapFile{Data: []byte(s)}
	}
	return m
}

func TestUserTemplatesGolden(t *testing.T) {
	opts := testOptions(t)
	v, err := ParseValues("app=web\nport=9000\nreplicas=1\nnamespace=shop\nteam=payments\n", false)
	if err != nil {
		t.Fatal(err)
	}
	opts.Values = v
	opts.Templates = os.DirFS(filepath.Join("testdata", "templates", "webapp"))
	opts.TemplatesLabel = "webapp"
	files, err := Render(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range files {
		kinds = append(kinds, f.Name+":"+string(f.Kind))
	}
	if got := strings.Join(kinds, " "); got != "RELEASE.md:text compose.yaml:compose deployment.json:json kubernetes.yaml:kubernetes SHA256SUMS:checksums" {
		t.Errorf("files: %s", got)
	}
	goldenCompare(t, filepath.Join("testdata", "golden", "webapp"), files)
}

func TestValuesGolden(t *testing.T) {
	opts := testOptions(t)
	v, err := ParseValues("port=5000\nreplicas=4\nnamespace=prod\nhealth-path=/healthz\nready-path=/readyz\nenvironment=prod\nsecret-name=tt-secrets\nmemory-limit=1Gi\n", true)
	if err != nil {
		t.Fatal(err)
	}
	opts.Values = v
	opts.Files = []string{Kubernetes, ComposeProduction}
	files, err := Render(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	goldenCompare(t, filepath.Join("testdata", "golden", "values"), files)
}

// Same options, same bytes, however often and concurrently it runs.
func TestRenderDeterministic(t *testing.T) {
	first, err := Render(context.Background(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []File, 8)
	for range 8 {
		go func() {
			opts := testOptions(t)
			opts.Image.Platforms = []string{"linux/amd64", "linux/arm64"} // order must not matter
			f, err := Render(context.Background(), opts)
			if err != nil {
				t.Error(err)
			}
			done <- f
		}()
	}
	for range 8 {
		got := <-done
		if len(got) != len(first) {
			t.Fatalf("got %d files, want %d", len(got), len(first))
		}
		for i := range got {
			if got[i].Name != first[i].Name || !bytes.Equal(got[i].Data, first[i].Data) {
				t.Errorf("%s differs between runs", got[i].Name)
			}
		}
	}
}

func TestWriteFilesAndChecksums(t *testing.T) {
	files, err := Render(context.Background(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dist", "deploy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFiles(context.Background(), dir, files); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(files)+1 {
		t.Errorf("dir holds %d entries, want %d files + keep.txt (no temporary files left)", len(entries), len(files))
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum (coreutils) is not installed")
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", Checksums)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
}

func BenchmarkRender(b *testing.B) {
	opts := testOptions(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateKubernetes(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "golden", "builtin", Kubernetes))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := ValidateKubernetes(data, testImage); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateCompose(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "golden", "builtin", ComposeProduction))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := ValidateCompose(context.Background(), ComposeProduction, data, testImage); err != nil {
			b.Fatal(err)
		}
	}
}

// Whatever values ParseValues accepts, the built-in templates render files
// that pass their validators: a value can never produce a broken manifest.
func FuzzRenderValues(f *testing.F) {
	for _, s := range []string{"", "app=a\nnamespace=b\nport=1\nreplicas=0", "health-path=/%20x\nready-path=/a/b~c", "environment=a.b_c-d\ncpu-request=0.5\nmemory-limit=1Ti",
		"postgres-image=registry.example.com:5000/pg/postgres:16@sha256:" + strings.Repeat("0", 64), "secret-name=x\nport=65535"} {
		f.Add(s)
	}
	opts := testOptions(f)
	f.Fuzz(func(t *testing.T, text string) {
		v, err := ParseValues(text, true)
		if err != nil {
			return
		}
		o := opts
		o.Values = v
		if _, err := Render(context.Background(), o); err != nil {
			t.Fatalf("values %q accepted but rendering failed: %v", text, err)
		}
	})
}

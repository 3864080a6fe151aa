package release

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

// BenchmarkHashFile hashes a 64 MiB asset: the local cost of every asset,
// paid once per run before any request.
func BenchmarkHashFile(b *testing.B) {
	p := filepath.Join(b.TempDir(), "big.tar.gz")
	data := make([]byte, 64<<20)
	rand.Read(data)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := HashFile(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnchangedRerun is the common re-run: everything is already there.
// It reports the requests per run, which is the figure that matters against
// GitHub's 1,000 requests an hour.
func BenchmarkUnchangedRerun(b *testing.B) {
	e := newEnv(b, githubfake.Options{})
	c := e.client(b)
	o := e.options(b)
	if _, err := Publish(context.Background(), c, o); err != nil {
		b.Fatal(err)
	}
	e.fake.ResetLog()
	n := 0
	for b.Loop() {
		if _, err := Publish(context.Background(), c, o); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(len(e.fake.Requests()))/float64(n), "requests/run")
}

// BenchmarkFreshPublish creates the tag and a release with 5 assets
// (4 files and SHA256SUMS) in a new repository each time.
func BenchmarkFreshPublish(b *testing.B) {
	requests, n := 0, 0
	for b.Loop() {
		e := newEnv(b, githubfake.Options{})
		if _, err := Publish(context.Background(), e.client(b), e.options(b)); err != nil {
			b.Fatal(err)
		}
		requests += len(e.fake.Requests())
		n++
	}
	b.ReportMetric(float64(requests)/float64(n), "requests/run")
}

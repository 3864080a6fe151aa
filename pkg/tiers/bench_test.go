package tiers

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/shard"
)

// BenchmarkMake plans a large suite: 2,000 test files with 50 tests each
// (100,000 timed tests, log-normal), five tiers, 16 shards for unit, with
// test granularity (every file split into its functions).
func BenchmarkMake(b *testing.B) {
	root := b.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	tm := shard.NewTimings()
	for f := range 2000 {
		name := fmt.Sprintf("tests/pkg%02d/test_mod%04d.py", f%40, f)
		var src strings.Builder
		src.WriteString("import pytest\n\n")
		for i := range 50 {
			fmt.Fprintf(&src, "def test_case_%03d():\n    pass\n\n", i)
			tm.Set("unit", fmt.Sprintf("%s::test_case_%03d", name, i), math.Exp(r.NormFloat64()*1.5-1.6))
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ts := Defaults()
	ts[1].Shards = 16
	for _, g := range []Granularity{GranularityFile, GranularityTest} {
		b.Run(string(g), func(b *testing.B) {
			for b.Loop() {
				p, err := Make(context.Background(), ts, Options{Root: root, Timings: tm, Granularity: g})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Tiers[1].Jobs) != 16 {
					b.Fatalf("%d unit jobs", len(p.Tiers[1].Jobs))
				}
			}
		})
	}
}

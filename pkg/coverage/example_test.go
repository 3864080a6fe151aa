package coverage_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/org/timetracker-ci/pkg/coverage"
)

func ExampleMerge() {
	// Two shards ran different tests of the same package.
	shard1 := "mode: count\nexample.com/app/store/store.go:10.30,12.16 2 3\nexample.com/app/store/store.go:12.16,14.3 1 0\n"
	shard2 := "mode: count\nexample.com/app/store/store.go:10.30,12.16 2 1\nexample.com/app/store/store.go:12.16,14.3 1 4\n"
	var reports []*coverage.Report
	for _, p := range []string{shard1, shard2} {
		r, err := coverage.ParseGoProfile(context.Background(), strings.NewReader(p))
		if err != nil {
			fmt.Println(err)
			return
		}
		reports = append(reports, r.Normalize(coverage.Paths{Module: "example.com/app"}))
	}
	m := coverage.Merge(reports...)
	hits, _ := m.Line("store/store.go", 13)
	fmt.Printf("%d/%d statements, %.0f%%; store/store.go:13 ran %d times\n", m.Covered(), m.Statements(), m.Percent(), hits)
	// Output:
	// 3/3 statements, 100%; store/store.go:13 ran 4 times
}

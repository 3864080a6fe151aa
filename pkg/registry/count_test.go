package registry

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// promoteScenario is the closing figure of the image publisher: promote a
// two-platform index (each image: config + 2 layers) that the build pushed
// to registry A to 6 tags in 2 registries (the same repository in A, a
// mirror in B).
func promoteScenario(t testing.TB, a, b, repo string, opts ...Option) (*Result, *Counter, time.Duration) {
	t.Helper()
	idx := pushIndex(t, a+"/"+repo, types.OCIImageIndex)
	var counter Counter
	c := New(append([]Option{WithInsecure(a, b), WithCounter(&counter)}, opts...)...)
	start := time.Now()
	res, err := c.Publish(testContext(t), Request{
		Sources:   []string{idx},
		Images:    []string{a + "/" + repo, b + "/" + repo},
		Tags:      sixTags,
		Platforms: []string{"linux/amd64", "linux/arm64"},
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	return res, &counter, elapsed
}

// minimumPromote is the request budget of promoteScenario, item by item.
// Each line is a request the publisher cannot drop without giving up a
// guarantee; see the comments.
var minimumPromote = map[string]int{
	// Authentication discovery: one per registry (GET /v2/ answers which
	// scheme, and is the only way to learn it).
	"GET ping": 2,
	// The source index (its platforms must be checked) + the two image
	// manifests that have to be copied to B (their content is needed).
	"GET manifest": 3,
	// One tags/list per target tells which of the 6 tags exist, so the
	// immutability of version tags is checked before anything is written;
	// a HEAD per tag would be 6 per target. One more in the source: the
	// registry has no referrers API, so its referrers tags (sha256-<hex>)
	// are looked up in the list rather than read one by one.
	"GET tags": 3,
	// The source's referrers API, asked once for the index: the answer
	// (404, no API) says how to find what to carry along (SBOMs, provenance).
	"GET other": 1,
	// A: the index by digest (already there: this HEAD is the verification).
	// B: the index (absent), its 2 images (absent), and the verification of
	// the index after its PUT, before any tag is written.
	"HEAD manifest": 5,
	// B: is each of the 6 blobs already there? (never upload what exists)
	"HEAD blob": 6,
	// B: the 6 blobs read from A and uploaded monolithically (POST + PUT,
	// the fewest requests the distribution spec guarantees).
	"GET blob":    6,
	"POST upload": 6,
	"PUT upload":  6,
	// B: 2 images + the index by digest; then 6 tags x 2 repositories (the
	// registry API has one tag per PUT).
	"PUT manifest": 15,
}

// rerunPromote is the same request again: only reads, no writes.
var rerunPromote = map[string]int{
	"GET ping": 2, "GET manifest": 1, "GET tags": 3, "GET other": 1,
	// 6 tags x 2 targets found by the list and read to compare digests, + the index by digest in each target.
	"HEAD manifest": 14,
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func describe(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-14s %3d\n", k, m[k])
	}
	fmt.Fprintf(&b, "  %-14s %3d\n", "total", total(m))
	return b.String()
}

func checkCounts(t *testing.T, what string, c *Counter, want map[string]int) {
	t.Helper()
	got := c.ByKind()
	t.Logf("%s: %d requests\n%s", what, c.Total(), describe(got))
	if describe(got) != describe(want) {
		t.Errorf("%s: requests differ from the budget\ngot:\n%swant:\n%s", what, describe(got), describe(want))
	}
}

// Copying to several registries reads each image manifest from the source once.
func TestPromoteToThreeRegistriesReadsManifestsOnce(t *testing.T) {
	a, b, c3 := testRegistry(t, nil), testRegistry(t, nil), testRegistry(t, nil)
	idx := pushIndex(t, a+"/org/app", types.OCIImageIndex)
	var counter Counter
	_, err := New(WithInsecure(a, b, c3), WithCounter(&counter)).Publish(testContext(t), Request{
		Sources: []string{idx}, Images: []string{a + "/org/app", b + "/org/app", c3 + "/org/app"}, Tags: []string{"latest"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := counter.ByKind()["GET manifest"]; got != 3 {
		t.Errorf("GET manifest %d times, want 3 (the index and its 2 images, once each)\n%s", got, counter.String())
	}
}

package imageaction

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/registry"
)

func TestSummaryGolden(t *testing.T) {
	d := "sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"
	old := "sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
	res := &registry.Result{
		Digest: d, MediaType: "application/vnd.oci.image.index.v1+json", Platforms: []string{"linux/amd64", "linux/arm64"},
		Refs: []string{"ghcr.io/org/app@" + d, "docker.io/org/app@" + d},
		Tags: []registry.TagResult{
			{Image: "ghcr.io/org/app", Tag: "1.2.3", Ref: "ghcr.io/org/app:1.2.3", New: d, Change: registry.TagCreated},
			{Image: "ghcr.io/org/app", Tag: "latest", Ref: "ghcr.io/org/app:latest", Old: old, New: d, Change: registry.TagMoved},
			{Image: "docker.io/org/app", Tag: "1.2.3", Ref: "docker.io/org/app:1.2.3", Old: d, New: d, Change: registry.TagUnchanged},
		},
		Copy: registry.CopyStats{Manifests: 3, BlobsUploaded: 6, BlobsMounted: 2, BlobsExisting: 1, BytesUploaded: 5952},
	}
	for _, tc := range []struct {
		file   string
		detail action.Detail
		err    error
	}{
		{"summary-full.md", action.DetailFull, nil},
		{"summary-reduced.md", action.DetailReduced, nil},
		{"summary-failed.md", action.DetailFull, errors.New("version tags are immutable and would move")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := summary(res, tc.err, tc.detail)
			golden.CheckString(t, filepath.Join("testdata", tc.file), got)
		})
	}
}

package testreport

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/org/timetracker-ci/pkg/shard"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// openIn opens a file the report reads: through the jail when there is one
// (inside the working directory after symlinks, regular files only, so a
// FIFO named like a result file cannot hang the report), else directly.
func openIn(j *workspace.Workspace, input, path string, k workspace.Kind) (*os.File, error) {
	if j == nil {
		return os.Open(path)
	}
	f, err := j.Open(input, path, k)
	if err != nil {
		return nil, err
	}
	return f.File, nil
}

// readTimingsIn reads a timings file through the jail; a missing file is no timings.
func readTimingsIn(ctx context.Context, j *workspace.Workspace, input, path string) (*shard.Timings, error) {
	if j == nil {
		return shard.ReadTimingsFile(ctx, path)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := j.ReadFile(input, path, workspace.KindConfig)
	if errors.Is(err, fs.ErrNotExist) {
		return shard.NewTimings(), nil
	}
	if err != nil {
		return nil, err
	}
	return shard.ParseTimings(bytes.NewReader(data))
}

// writeTimingsIn writes the merged timings through the jail: inside the
// working directory, never through a symlink (a symlinked
// test-results/timings.json overwrote a file outside).
func writeTimingsIn(j *workspace.Workspace, path string, tm *shard.Timings) error {
	if j == nil {
		return writeTimings(path, tm)
	}
	var b bytes.Buffer
	if _, err := tm.WriteTo(&b); err != nil {
		return err
	}
	return j.WriteFile("timings-file", path, b.Bytes(), 0o644)
}

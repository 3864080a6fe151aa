package testreport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/pkg/coverage"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// CoverageFiles reads Cobertura XML and Go cover profiles (told apart by
// their first bytes), renames their files to repository paths and merges
// them. Unreadable files are returned as FileErrors; the others still count.
func CoverageFiles(ctx context.Context, files []string, paths coverage.Paths) (*coverage.Report, []FileError) {
	return coverageFilesIn(ctx, nil, files, paths)
}

func coverageFilesIn(ctx context.Context, j *workspace.Workspace, files []string, paths coverage.Paths) (*coverage.Report, []FileError) {
	var reports []*coverage.Report
	var errs []FileError
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, append(errs, FileError{File: f, Msg: err.Error()})
		}
		rep, err := readCoverage(ctx, j, f)
		if err != nil {
			fe := FileError{File: f, Msg: err.Error()}
			var pe *coverage.ParseError
			if errors.As(err, &pe) {
				fe.Line, fe.Msg = pe.Line, pe.Msg
			}
			errs = append(errs, fe)
			continue
		}
		reports = append(reports, rep.Normalize(paths))
	}
	if len(reports) == 0 {
		return nil, errs
	}
	return coverage.Merge(reports...), errs
}

func readCoverage(ctx context.Context, j *workspace.Workspace, path string) (*coverage.Report, error) {
	f, err := openIn(j, "coverage", path, workspace.KindReport)
	if err != nil {
		return nil, fmt.Errorf("open coverage report: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	switch {
	case bytes.HasPrefix(head, []byte("mode:")):
		return coverage.ParseGoProfile(ctx, br)
	case bytes.HasPrefix(head, []byte("<")):
		return coverage.ParseCobertura(ctx, br)
	}
	return nil, errors.New("neither Cobertura XML nor a Go cover profile: write coverage with pytest --cov-report=xml:<file> or go test -coverprofile=<file>")
}

// RepoPaths describes a workspace for coverage path normalisation: the Go
// module from go.mod when there is one, and an existence check that picks
// among Cobertura sources. Both look through a jail at root: a go.mod
// symlinked out of it, or larger than a configuration file, is not read,
// and a source path is only found inside root.
func RepoPaths(root, workDir string) coverage.Paths {
	p := coverage.Paths{Root: filepath.ToSlash(root), Exists: func(string) bool { return false }}
	w, err := workspace.Open(root)
	if err != nil {
		return p
	}
	// w stays open while p is used; os.Root closes itself when collected.
	p.Exists = func(rel string) bool {
		st, err := w.Stat("", rel)
		return err == nil && st.Mode().IsRegular()
	}
	for dir := workDir; ; dir = filepath.Dir(dir) {
		rel, err := filepath.Rel(root, dir)
		if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
			break
		}
		if data, err := w.ReadFile("", filepath.ToSlash(filepath.Join(rel, "go.mod")), workspace.KindConfig); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if mod, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
					p.Module = strings.Trim(strings.TrimSpace(mod), `"`)
					if rel, err := filepath.Rel(root, dir); err == nil && rel != "." {
						p.ModuleDir = filepath.ToSlash(rel)
					}
				}
			}
			break
		}
		if len(dir) <= len(root) || filepath.Dir(dir) == dir {
			break
		}
	}
	return p
}

package metricsaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/metrics"
)

// maxCache bounds the cache file read back: a year of a busy repository's
// runs is a few MiB.
const maxCache = 64 << 20

func run(ctx context.Context, rt *action.Runtime) error {
	weeks, err := rt.Int("weeks")
	if err != nil {
		return err
	}
	if weeks < 1 || weeks > 260 {
		return action.InputErrorf("weeks", "must be between 1 and 260, not %d", weeks)
	}
	workflows := rt.List("workflows")
	env := rt.Input("environment")
	if env == "" {
		return action.InputErrorf("environment", "is empty: name the production environment (production)")
	}
	maxDownloads, err := rt.Int("max-downloads")
	if err != nil {
		return err
	}
	if maxDownloads < 0 {
		return action.InputErrorf("max-downloads", "must be 0 (no limit) or more, not %d", maxDownloads)
	}
	ws := rt.Workspace()
	chartsDir, err := inside(ws, rt.Input("charts-dir"))
	if err != nil || rt.Input("charts-dir") == "" {
		return action.InputErrorf("charts-dir", "%q must be a folder inside the workspace", rt.Input("charts-dir"))
	}
	cachePath := ""
	if p := rt.Input("cache-file"); p != "" {
		if cachePath, err = inside(ws, p); err != nil {
			return action.InputErrorf("cache-file", "%v", err)
		}
	}
	token := rt.Input("github-token")
	if token == "" {
		return action.InputErrorf("github-token", "is empty: pass ${{ github.token }} with permissions actions: read and deployments: read")
	}
	gh, err := rt.GitHub(token, action.GitHubOptions{})
	if err != nil {
		return err
	}
	ev, client := gh.Event, gh.Client

	cache := metrics.NewCache()
	if cachePath != "" {
		if err := readCache(cachePath, cache); err != nil {
			rt.Logf("cache %s not used (%v): reading everything", rt.Input("cache-file"), err)
			cache = metrics.NewCache()
		}
	}
	now := time.Now().UTC()
	until := metrics.WeekStart(now).AddDate(0, 0, 7)
	since := until.AddDate(0, 0, -7*weeks)
	start := time.Now()
	branch := rt.Input("branch")
	if branch == "" {
		branch = ev.DefaultBranch
	}
	if branch == "" { // a scheduled run's event has no repository
		repo, _, err := client.Repositories.Get(ctx, ev.Owner(), ev.RepoName())
		if err != nil {
			return fmt.Errorf("reading the repository's default branch: %w (set the branch input)", err)
		}
		branch = repo.GetDefaultBranch()
	}
	h, err := metrics.GitHub{Client: client, Owner: ev.Owner(), Repo: ev.RepoName(), Environment: env, Branch: branch,
		MaxDownloads: maxDownloads, Logf: rt.Logf}.Fetch(ctx, since, until, cache)
	if err != nil {
		return err
	}
	rep := metrics.Compute(h, metrics.Options{Workflows: workflows, Since: since, Until: until, DefaultBranch: branch})
	rt.Logf("%d runs and %d deployments read with %d API requests in %v", len(h.Runs), len(h.Deployments), gh.Transport.Stats().Attempts, time.Since(start).Round(time.Millisecond))

	var files []string
	if err := os.MkdirAll(chartsDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", rt.Input("charts-dir"), err)
	}
	write := func(name string, data []byte) error {
		p := filepath.Join(chartsDir, name)
		if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file: nothing is written through it", p)
		}
		return os.WriteFile(p, data, 0o644)
	}
	for _, s := range rep.Charts() {
		if err := write(s.File, []byte(s.SVG())); err != nil {
			return err
		}
		rel, _ := filepath.Rel(ws, filepath.Join(chartsDir, s.File))
		files = append(files, filepath.ToSlash(rel))
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := write("metrics.json", append(js, '\n')); err != nil {
		return err
	}
	if cachePath != "" {
		if err := writeCache(cachePath, cache); err != nil {
			rt.Logf("cache not saved: %v", err)
		}
	}
	rt.SetSummary(func(d action.Detail) string {
		n := 12
		if d != action.DetailFull {
			n = 4
		}
		return rep.Markdown(ev.Owner()+"/"+ev.RepoName(), n)
	})
	return errors.Join(rt.SetOutputJSON("json", rep), rt.SetOutput("charts", strings.Join(files, "\n")))
}

// inside resolves a workspace-relative path that must stay inside the
// workspace, symlinks included; the last element may not exist yet.
func inside(ws, p string) (string, error) {
	if filepath.IsAbs(p) {
		return "", fmt.Errorf("%q is absolute: give a path relative to the workspace", p)
	}
	clean := filepath.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q leaves the workspace", p)
	}
	root, err := filepath.EvalSymlinks(ws)
	if err != nil {
		return "", err
	}
	full := filepath.Join(root, clean)
	existing := full
	for {
		if r, err := filepath.EvalSymlinks(existing); err == nil {
			rel, err := filepath.Rel(root, r)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return "", fmt.Errorf("%q leads out of the workspace through a symlink", p)
			}
			return full, nil
		}
		existing = filepath.Dir(existing)
	}
}

func readCache(path string, c *metrics.Cache) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCache+1))
	if err != nil {
		return err
	}
	if len(data) > maxCache {
		return errors.New("over 64 MiB")
	}
	if err := json.Unmarshal(data, c); err != nil {
		return err
	}
	if c.Runs == nil || c.Deployments == nil || c.Compares == nil {
		*c = *metrics.NewCache()
	}
	return nil
}

func writeCache(path string, c *metrics.Cache) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return errors.New("the cache file is not a regular file")
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

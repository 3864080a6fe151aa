package metricsaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
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
	// charts-dir and cache-file go through the workspace jail: inside it
	// after symlinks, the cache read only if a regular file, nothing
	// written through a symlink.
	jail, chartsDir, err := rt.PathInput("charts-dir")
	if err != nil {
		return err
	}
	cachePath, err := rt.InputPath("cache-file") // "" keeps no cache
	if err != nil {
		return err
	}
	gh, err := rt.GitHubInput("github-token", "actions: read and deployments: read", action.GitHubOptions{})
	if err != nil {
		return err
	}
	ev, client := gh.Event, gh.Client

	cache := metrics.NewCache()
	if cachePath != "" {
		if err := readCache(jail, cachePath, cache); err != nil {
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
	if _, err := jail.MkdirAll("charts-dir", chartsDir); err != nil {
		return err
	}
	write := func(name string, data []byte) error {
		return jail.WriteFile("charts-dir", path.Join(chartsDir, name), data, 0o644)
	}
	for _, s := range rep.Charts() {
		if err := write(s.File, []byte(s.SVG())); err != nil {
			return err
		}
		files = append(files, path.Join(chartsDir, s.File))
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := write("metrics.json", append(js, '\n')); err != nil {
		return err
	}
	if cachePath != "" {
		if err := writeCache(jail, cachePath, cache); err != nil {
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

// cacheKind caps the cache file read.
var cacheKind = action.Kind{Name: "metrics cache", Max: maxCache}

func readCache(jail *action.Workspace, p string, c *metrics.Cache) error {
	data, err := jail.ReadFile("cache-file", p, cacheKind)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, c); err != nil {
		return err
	}
	if c.Runs == nil || c.Deployments == nil || c.Compares == nil {
		*c = *metrics.NewCache()
	}
	return nil
}

func writeCache(jail *action.Workspace, p string, c *metrics.Cache) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return jail.WriteFile("cache-file", p, data, 0o644)
}

package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/google/go-github/v60/github"
)

// GitHub reads the history from the REST API.
type GitHub struct {
	Client      *github.Client
	Owner, Repo string
	// Environment is the production environment (default "production").
	Environment string
	// Branch is the default branch, whose runs' test reports are read
	// (default "main").
	Branch string
	// MaxDownloads bounds the report artifacts downloaded by one Fetch
	// (0: no bound); the rest are read by the next Fetch with the cache.
	MaxDownloads int
	// Download fetches artifact archives from storage, without the token
	// (nil: a plain client).
	Download *http.Client
	// Logf, when set, is told what reading the reports did.
	Logf func(format string, args ...any)
}

// Cache keeps what cannot change any more between runs: completed runs,
// finished deployments and the commits between two deployments. Only what
// is newer is read again.
type Cache struct {
	Runs        map[int64]Run          `json:"runs"`
	Deployments map[int64]Deployment   `json:"deployments"`
	Compares    map[string][]time.Time `json:"compares"` // "base...head" → commit times
	Reports     map[int64]TestReport   `json:"reports"`  // run id → its test report (or why none)
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{Runs: map[int64]Run{}, Deployments: map[int64]Deployment{}, Compares: map[string][]time.Time{}, Reports: map[int64]TestReport{}}
}

// runsCap is GitHub's limit on the results a filtered runs listing can
// page through ("up to 1,000 results for each search" with created and
// the other search filters): a wider window is split until each fits.
const runsCap = 1000

// Fetch reads the history from since to until, using and filling cache.
func (g GitHub) Fetch(ctx context.Context, since, until time.Time, cache *Cache) (History, error) {
	if cache == nil {
		cache = NewCache()
	}
	if g.Environment == "" {
		g.Environment = "production"
	}
	if g.Branch == "" {
		g.Branch = "main"
	}
	if cache.Reports == nil { // a cache written before reports were read
		cache.Reports = map[int64]TestReport{}
	}
	// Completed runs never change: read only from the newest cached one on
	// (a day back, for runs that were still going then).
	from := since
	for _, r := range cache.Runs {
		if r.Created.After(from) {
			from = r.Created
		}
	}
	if from.After(since) {
		from = from.Add(-24 * time.Hour)
	}
	if err := g.runs(ctx, from, until, cache); err != nil {
		return History{}, err
	}
	deps, err := g.deployments(ctx, since, until, cache)
	if err != nil {
		return History{}, err
	}
	var h History
	for _, r := range cache.Runs {
		if !r.Created.Before(since) && r.Created.Before(until) {
			h.Runs = append(h.Runs, r)
		}
	}
	sort.Slice(h.Runs, func(i, j int) bool { return h.Runs[i].ID < h.Runs[j].ID })
	h.Deployments = deps
	st, err := g.reports(ctx, h.Runs, g.Branch, g.MaxDownloads, cache)
	if err != nil {
		return History{}, err
	}
	h.Artifacts = st
	h.Reports = map[int64]TestReport{}
	for _, r := range h.Runs {
		if rep, ok := cache.Reports[r.ID]; ok && rep.Missing == "" {
			h.Reports[r.ID] = rep
		}
	}
	if g.Logf != nil {
		g.Logf("test reports of %s: %d read, %d from the cache, %d expired (skipped), %d runs without one, %d unreadable, %d left for the next run; %d API requests",
			g.Branch, st.Read, st.Cached, st.Expired, st.None, st.Unreadable, st.Deferred, st.Requests)
	}
	return h, nil
}

func (g GitHub) runs(ctx context.Context, from, until time.Time, cache *Cache) error {
	if !from.Before(until) {
		return nil
	}
	created := from.UTC().Format(time.RFC3339) + ".." + until.Add(-time.Second).UTC().Format(time.RFC3339)
	opt := &github.ListWorkflowRunsOptions{Created: created, ListOptions: github.ListOptions{PerPage: 100}}
	first, resp, err := g.Client.Actions.ListRepositoryWorkflowRuns(ctx, g.Owner, g.Repo, opt)
	if err != nil {
		return fmt.Errorf("listing workflow runs created %s: %w (the token needs actions: read)", created, err)
	}
	if first.GetTotalCount() > runsCap && until.Sub(from) > 2*time.Second {
		mid := from.Add(until.Sub(from) / 2).Truncate(time.Second)
		if err := g.runs(ctx, from, mid, cache); err != nil {
			return err
		}
		return g.runs(ctx, mid, until, cache)
	}
	page := first
	for {
		for _, r := range page.WorkflowRuns {
			run := Run{ID: r.GetID(), Workflow: r.GetName(), Event: r.GetEvent(), Branch: r.GetHeadBranch(), Status: r.GetStatus(), Attempt: r.GetRunAttempt(),
				Conclusion: r.GetConclusion(), Created: r.GetCreatedAt().Time, Started: r.GetRunStartedAt().Time, Updated: r.GetUpdatedAt().Time}
			cache.Runs[run.ID] = run
		}
		if resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
		if page, resp, err = g.Client.Actions.ListRepositoryWorkflowRuns(ctx, g.Owner, g.Repo, opt); err != nil {
			return fmt.Errorf("listing workflow runs created %s: %w", created, err)
		}
	}
}

// deployments reads the production deployments made before until, with
// their statuses (from the cache once finished) and the commits each
// successful one shipped.
func (g GitHub) deployments(ctx context.Context, since, until time.Time, cache *Cache) ([]Deployment, error) {
	opt := &github.DeploymentsListOptions{Environment: g.Environment, ListOptions: github.ListOptions{PerPage: 100}}
	var all []*github.Deployment
	for {
		page, resp, err := g.Client.Repositories.ListDeployments(ctx, g.Owner, g.Repo, opt)
		if err != nil {
			return nil, fmt.Errorf("listing the deployments of %s: %w (the token needs deployments: read)", g.Environment, err)
		}
		all = append(all, page...)
		// Newest first: older pages are before the window (one more
		// deployment is kept, the previous success, for lead times).
		if resp.NextPage == 0 || (len(page) > 0 && page[len(page)-1].GetCreatedAt().Before(since.AddDate(0, 0, -31))) {
			break
		}
		opt.Page = resp.NextPage
	}
	var out []Deployment
	for i := len(all) - 1; i >= 0; i-- {
		d := all[i]
		if !d.GetCreatedAt().Before(until) {
			continue
		}
		if c, ok := cache.Deployments[d.GetID()]; ok {
			out = append(out, c)
			continue
		}
		x := Deployment{ID: d.GetID(), SHA: d.GetSHA(), Environment: d.GetEnvironment(), Created: d.GetCreatedAt().Time}
		var p struct {
			Rollback bool `json:"rollback"`
		}
		if len(d.Payload) > 0 && json.Unmarshal(d.Payload, &p) == nil {
			x.Rollback = p.Rollback
		}
		sopt := &github.ListOptions{PerPage: 100}
		for {
			sts, resp, err := g.Client.Repositories.ListDeploymentStatuses(ctx, g.Owner, g.Repo, d.GetID(), sopt)
			if err != nil {
				return nil, fmt.Errorf("reading the statuses of deployment %d: %w", d.GetID(), err)
			}
			for _, s := range sts {
				x.States = append(x.States, State{State: s.GetState(), At: s.GetCreatedAt().Time})
			}
			if resp.NextPage == 0 {
				break
			}
			sopt.Page = resp.NextPage
		}
		sort.SliceStable(x.States, func(i, j int) bool { return x.States[i].At.Before(x.States[j].At) })
		out = append(out, x)
	}
	// The commits each successful, non-rollback deployment shipped: those
	// since the previous successful one.
	prev := ""
	for i := range out {
		d := &out[i]
		state, _ := d.final()
		if state != "success" || d.Rollback {
			continue
		}
		if prev != "" && prev != d.SHA && d.Commits == nil {
			key := prev + "..." + d.SHA
			times, ok := cache.Compares[key]
			if !ok {
				cmp, _, err := g.Client.Repositories.CompareCommits(ctx, g.Owner, g.Repo, prev, d.SHA, &github.ListOptions{PerPage: 250})
				if err != nil {
					return nil, fmt.Errorf("comparing %s: %w", key, err)
				}
				times = []time.Time{}
				for _, c := range cmp.Commits {
					times = append(times, c.GetCommit().GetCommitter().GetDate().Time)
				}
				cache.Compares[key] = times
			}
			d.Commits = times
		}
		prev = d.SHA
		if _, done := d.final(); !done.IsZero() {
			cache.Deployments[d.ID] = *d
		}
	}
	return out, nil
}

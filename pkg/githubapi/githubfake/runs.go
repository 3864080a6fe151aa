package githubfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Workflow runs, as GET /repos/{o}/{r}/actions/runs answers them
// (https://docs.github.com/rest/actions/workflow-runs): newest first,
// wrapped in {total_count, workflow_runs}, paginated (per_page at most
// 100). GitHub documents a cap the fake keeps: with any of the filters
// actor, branch, check_suite_id, created, event, head_sha or status, at
// most 1,000 results can be paged through, although total_count says how
// many matched; a client wanting more narrows the created range.

// WorkflowRun is a run seeded into the fake.
type WorkflowRun struct {
	ID                 int64
	Name               string // the workflow's name
	Event, Branch, SHA string
	Status, Conclusion string // completed + success/failure/cancelled…, or queued/in_progress
	Attempt            int
	Created, Started   time.Time
	Updated            time.Time
}

// AddWorkflowRuns seeds runs; a zero ID gets the next free one.
func (s *Server) AddWorkflowRuns(runs ...WorkflowRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range runs {
		if r.ID == 0 {
			r.ID = s.newID()
		}
		if r.Attempt == 0 {
			r.Attempt = 1
		}
		s.runs = append(s.runs, r)
	}
}

// runsCap is GitHub's limit on results reachable with a search filter.
const runsCap = 1000

func (s *Server) listWorkflowRuns(c *reqCtx) {
	q := c.r.URL.Query()
	from, to, err := createdRange(q.Get("created"))
	if err != nil {
		c.invalid("https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-repository",
			github.Error{Resource: "WorkflowRun", Code: "invalid", Field: "created"})
		return
	}
	filtered := false
	for _, k := range []string{"actor", "branch", "check_suite_id", "created", "event", "head_sha", "status"} {
		if q.Get(k) != "" {
			filtered = true
		}
	}
	var out []*github.WorkflowRun
	for i := len(s.runs) - 1; i >= 0; i-- {
		r := s.runs[i]
		if (q.Get("branch") != "" && q.Get("branch") != r.Branch) || (q.Get("event") != "" && q.Get("event") != r.Event) ||
			(q.Get("head_sha") != "" && q.Get("head_sha") != r.SHA) || (q.Get("status") != "" && q.Get("status") != r.Status && q.Get("status") != r.Conclusion) {
			continue
		}
		if (!from.IsZero() && r.Created.Before(from)) || (!to.IsZero() && !r.Created.Before(to)) {
			continue
		}
		out = append(out, s.runJSON(c, r))
	}
	total := len(out)
	if filtered && len(out) > runsCap {
		out = out[:runsCap]
	}
	// Paginate the reachable part, then wrap it as GitHub does.
	page := paginateWrapped(c, out)
	c.json(http.StatusOK, map[string]any{"total_count": total, "workflow_runs": page})
}

// createdRange reads the created filter in the forms the runs endpoint
// takes: DATE, >=DATE, <DATE, DATE..DATE (DATE is YYYY-MM-DD or RFC 3339).
// It returns [from, to).
func createdRange(v string) (from, to time.Time, err error) {
	if v == "" {
		return
	}
	parse := func(s string) (time.Time, bool, error) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, false, nil
		}
		t, err := time.Parse("2006-01-02", s)
		return t, true, err
	}
	next := func(t time.Time, day bool) time.Time {
		if day {
			return t.AddDate(0, 0, 1)
		}
		return t.Add(time.Second)
	}
	switch {
	case strings.Contains(v, ".."):
		a, b, _ := strings.Cut(v, "..")
		fa, _, e1 := parse(a)
		fb, day, e2 := parse(b)
		if e1 != nil || e2 != nil {
			return from, to, errors.New("created: want DATE..DATE")
		}
		return fa, next(fb, day), nil
	case strings.HasPrefix(v, ">="):
		t, _, err := parse(v[2:])
		return t, to, err
	case strings.HasPrefix(v, ">"):
		t, day, err := parse(v[1:])
		return next(t, day), to, err
	case strings.HasPrefix(v, "<="):
		t, day, err := parse(v[2:])
		return from, next(t, day), err
	case strings.HasPrefix(v, "<"):
		t, _, err := parse(v[1:])
		return from, t, err
	}
	t, day, err := parse(v)
	return t, next(t, day), err
}

func (s *Server) runJSON(c *reqCtx, r WorkflowRun) *github.WorkflowRun {
	out := &github.WorkflowRun{ID: ptr(r.ID), Name: ptr(r.Name), Event: ptr(r.Event), HeadBranch: ptr(r.Branch),
		HeadSHA: ptr(r.SHA), Status: ptr(r.Status), RunAttempt: ptr(r.Attempt),
		CreatedAt: &github.Timestamp{Time: r.Created}, RunStartedAt: &github.Timestamp{Time: r.Started}, UpdatedAt: &github.Timestamp{Time: r.Updated},
		HTMLURL: ptr(c.html(s) + "/actions/runs/" + strconv.FormatInt(r.ID, 10)), URL: ptr(c.repoAPI(s) + "/actions/runs/" + strconv.FormatInt(r.ID, 10))}
	if r.Conclusion != "" {
		out.Conclusion = ptr(r.Conclusion)
	}
	return out
}

// paginateWrapped pages items as paginate does (Link header included) and
// returns the page, never nil, for an endpoint that wraps it in an object.
func paginateWrapped[T any](c *reqCtx, items []T) []T {
	rec := &pageRecorder{header: http.Header{}}
	inner := *c
	inner.w = rec
	paginate(&inner, items)
	for k, v := range rec.header {
		c.w.Header()[k] = v
	}
	page := []T{}
	_ = json.Unmarshal(rec.body, &page)
	return page
}

// pageRecorder captures what paginate writes, so the page can be wrapped.
type pageRecorder struct {
	header http.Header
	body   []byte
}

func (p *pageRecorder) Header() http.Header { return p.header }
func (p *pageRecorder) WriteHeader(int)     {}
func (p *pageRecorder) Write(b []byte) (int, error) {
	p.body = append(p.body, b...)
	return len(b), nil
}

package githubfake

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// Deployments and their statuses, as GitHub documents them:
// https://docs.github.com/rest/deployments/deployments and
// https://docs.github.com/rest/deployments/statuses. What the fake keeps:
//   - create: ref must resolve; environment defaults to "production";
//     production_environment defaults to true for "production" only;
//     auto_merge defaults to true and then a ref that does not contain the
//     default branch's head answers 409 (GitHub tries to merge the default
//     branch into it); required_contexts defaults to every context, and the
//     fake has no commit statuses, so that passes.
//   - a status's state is one of error, failure, inactive, in_progress,
//     queued, pending, success; its description is at most 140 characters;
//     auto_inactive (default true) adds an inactive status to every earlier
//     deployment of the same environment that is neither transient nor
//     production and whose latest status is success. Production
//     deployments are not made inactive by it: a client must do that.
//   - lists are newest first and paginated; environments appear when a
//     deployment names them.

const deploymentsDoc = "https://docs.github.com/rest/deployments/deployments#create-a-deployment"

type deployment struct {
	id                    int64
	sha, ref, task, env   string
	payload               json.RawMessage
	description           string
	transient, production bool
	created               time.Time
	statuses              []*deploymentStatus // oldest first
}

type deploymentStatus struct {
	id                      int64
	state, description, env string
	envURL, logURL          string
	created                 time.Time
}

// Deployment is a deployment as tests see it.
type Deployment struct {
	ID                    int64
	SHA, Ref, Environment string
	Payload               json.RawMessage
	Description           string
	Production, Transient bool
	// States are the statuses' states, oldest first.
	States []string
}

// Deployments returns every deployment, oldest first.
func (s *Server) Deployments() []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Deployment
	for _, d := range s.deployments {
		x := Deployment{ID: d.id, SHA: d.sha, Ref: d.ref, Environment: d.env, Payload: d.payload, Description: d.description,
			Production: d.production, Transient: d.transient}
		for _, st := range d.statuses {
			x.States = append(x.States, st.state)
		}
		out = append(out, x)
	}
	return out
}

func (d *deployment) state() string {
	if len(d.statuses) == 0 {
		return ""
	}
	return d.statuses[len(d.statuses)-1].state
}

func (s *Server) deploymentJSON(c *reqCtx, d *deployment) *github.Deployment {
	u := c.repoAPI(s) + "/deployments/" + strconv.FormatInt(d.id, 10)
	out := &github.Deployment{ID: ptr(d.id), SHA: ptr(d.sha), Ref: ptr(d.ref), Task: ptr(d.task), Environment: ptr(d.env),
		Description: ptr(d.description), URL: ptr(u), StatusesURL: ptr(u + "/statuses"), RepositoryURL: ptr(c.repoAPI(s)),
		CreatedAt: &github.Timestamp{Time: d.created}, UpdatedAt: &github.Timestamp{Time: d.created}, NodeID: ptr("DE_" + strconv.FormatInt(d.id, 10))}
	if len(d.payload) > 0 {
		out.Payload = d.payload
	} else {
		out.Payload = json.RawMessage(`{}`)
	}
	return out
}

func (s *Server) statusJSON(c *reqCtx, d *deployment, st *deploymentStatus) *github.DeploymentStatus {
	u := c.repoAPI(s) + "/deployments/" + strconv.FormatInt(d.id, 10)
	return &github.DeploymentStatus{ID: ptr(st.id), State: ptr(st.state), Description: ptr(st.description),
		Environment: ptr(st.env), EnvironmentURL: ptr(st.envURL), LogURL: ptr(st.logURL), TargetURL: ptr(st.logURL),
		DeploymentURL: ptr(u), RepositoryURL: ptr(c.repoAPI(s)), URL: ptr(u + "/statuses/" + strconv.FormatInt(st.id, 10)),
		CreatedAt: &github.Timestamp{Time: st.created}, UpdatedAt: &github.Timestamp{Time: st.created}}
}

func (s *Server) findDeployment(idText string) *deployment {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	for _, d := range s.deployments {
		if d.id == id {
			return d
		}
	}
	return nil
}

type deploymentRequest struct {
	Ref                   *string          `json:"ref"`
	Task                  *string          `json:"task"`
	AutoMerge             *bool            `json:"auto_merge"`
	RequiredContexts      *[]string        `json:"required_contexts"`
	Payload               *json.RawMessage `json:"payload"`
	Environment           *string          `json:"environment"`
	Description           *string          `json:"description"`
	TransientEnvironment  *bool            `json:"transient_environment"`
	ProductionEnvironment *bool            `json:"production_environment"`
}

func (s *Server) createDeployment(c *reqCtx) {
	var in deploymentRequest
	if !c.decode(&in) {
		return
	}
	if in.Ref == nil || *in.Ref == "" {
		c.invalid(deploymentsDoc, github.Error{Resource: "Deployment", Code: "missing_field", Field: "ref"})
		return
	}
	x := s.resolve(*in.Ref)
	if x == nil {
		c.fail(http.StatusUnprocessableEntity, "No ref found for: "+*in.Ref, deploymentsDoc)
		return
	}
	if in.AutoMerge == nil || *in.AutoMerge {
		if head := s.resolve(s.opts.DefaultBranch); head != nil && head.sha != x.sha {
			if _, ok := s.ancestors(x)[head.sha]; !ok {
				c.fail(http.StatusConflict, "Conflict merging "+s.opts.DefaultBranch+" into "+*in.Ref+".", deploymentsDoc)
				return
			}
		}
	}
	d := &deployment{id: s.newID(), sha: x.sha, ref: *in.Ref, task: "deploy", env: "production", created: s.opts.Now()}
	if in.Task != nil && *in.Task != "" {
		d.task = *in.Task
	}
	if in.Environment != nil && *in.Environment != "" {
		d.env = *in.Environment
	}
	if in.Payload != nil {
		d.payload = *in.Payload
	}
	if in.Description != nil {
		d.description = *in.Description
	}
	if in.TransientEnvironment != nil {
		d.transient = *in.TransientEnvironment
	}
	d.production = d.env == "production"
	if in.ProductionEnvironment != nil {
		d.production = *in.ProductionEnvironment
	}
	s.deployments = append(s.deployments, d)
	c.w.Header().Set("Location", c.repoAPI(s)+"/deployments/"+strconv.FormatInt(d.id, 10))
	c.json(http.StatusCreated, s.deploymentJSON(c, d))
}

func (s *Server) listDeployments(c *reqCtx) {
	q := c.r.URL.Query()
	var out []*github.Deployment
	for i := len(s.deployments) - 1; i >= 0; i-- {
		d := s.deployments[i]
		if (q.Get("sha") != "" && q.Get("sha") != d.sha) || (q.Get("ref") != "" && q.Get("ref") != d.ref) ||
			(q.Get("task") != "" && q.Get("task") != d.task) || (q.Get("environment") != "" && q.Get("environment") != d.env) {
			continue
		}
		out = append(out, s.deploymentJSON(c, d))
	}
	paginate(c, out)
}

func (s *Server) deploymentByID(c *reqCtx, idText string) {
	d := s.findDeployment(idText)
	if d == nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, s.deploymentJSON(c, d))
}

type statusRequest struct {
	State          *string `json:"state"`
	Description    *string `json:"description"`
	Environment    *string `json:"environment"`
	EnvironmentURL *string `json:"environment_url"`
	LogURL         *string `json:"log_url"`
	TargetURL      *string `json:"target_url"`
	AutoInactive   *bool   `json:"auto_inactive"`
}

const statusesDoc = "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status"

func (s *Server) createDeploymentStatus(c *reqCtx, idText string) {
	d := s.findDeployment(idText)
	if d == nil {
		c.notFound()
		return
	}
	var in statusRequest
	if !c.decode(&in) {
		return
	}
	switch st := ""; {
	case in.State != nil:
		st = *in.State
		switch st {
		case "error", "failure", "inactive", "in_progress", "queued", "pending", "success":
		default:
			c.invalid(statusesDoc, github.Error{Resource: "DeploymentStatus", Code: "invalid", Field: "state"})
			return
		}
	default:
		c.invalid(statusesDoc, github.Error{Resource: "DeploymentStatus", Code: "missing_field", Field: "state"})
		return
	}
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > 140 {
		c.invalid(statusesDoc, github.Error{Resource: "DeploymentStatus", Code: "custom", Field: "description", Message: "description is too long (maximum is 140 characters)"})
		return
	}
	st := &deploymentStatus{id: s.newID(), state: *in.State, env: d.env, created: s.opts.Now()}
	if in.Description != nil {
		st.description = *in.Description
	}
	if in.Environment != nil && *in.Environment != "" {
		st.env = *in.Environment
		d.env = *in.Environment
	}
	if in.EnvironmentURL != nil {
		st.envURL = *in.EnvironmentURL
	}
	if in.TargetURL != nil {
		st.logURL = *in.TargetURL
	}
	if in.LogURL != nil {
		st.logURL = *in.LogURL
	}
	d.statuses = append(d.statuses, st)
	if st.state == "success" && (in.AutoInactive == nil || *in.AutoInactive) {
		for _, o := range s.deployments {
			if o.id < d.id && o.env == d.env && !o.transient && !o.production && o.state() == "success" {
				o.statuses = append(o.statuses, &deploymentStatus{id: s.newID(), state: "inactive", env: o.env, created: st.created})
			}
		}
	}
	c.json(http.StatusCreated, s.statusJSON(c, d, st))
}

func (s *Server) listDeploymentStatuses(c *reqCtx, idText string) {
	d := s.findDeployment(idText)
	if d == nil {
		c.notFound()
		return
	}
	out := make([]*github.DeploymentStatus, 0, len(d.statuses))
	for i := len(d.statuses) - 1; i >= 0; i-- {
		out = append(out, s.statusJSON(c, d, d.statuses[i]))
	}
	paginate(c, out)
}

// listEnvironments answers GET /repos/{o}/{r}/environments: every
// environment a deployment has named, in name order.
func (s *Server) listEnvironments(c *reqCtx) {
	seen := map[string]time.Time{}
	for _, d := range s.deployments {
		if _, ok := seen[d.env]; !ok {
			seen[d.env] = d.created
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	type env struct {
		ID        int64            `json:"id"`
		Name      string           `json:"name"`
		URL       string           `json:"url"`
		HTMLURL   string           `json:"html_url"`
		CreatedAt github.Timestamp `json:"created_at"`
	}
	out := struct {
		TotalCount   int   `json:"total_count"`
		Environments []env `json:"environments"`
	}{TotalCount: len(names), Environments: []env{}}
	for i, n := range names {
		out.Environments = append(out.Environments, env{ID: int64(i + 1), Name: n, URL: c.repoAPI(s) + "/environments/" + n,
			HTMLURL: c.html(s) + "/deployments/activity_log?environments_filter=" + n, CreatedAt: github.Timestamp{Time: seen[n]}})
	}
	c.json(http.StatusOK, out)
}

// routeDeployments serves the deployment endpoints; false when the
// request is not one of them.
func (s *Server) routeDeployments(c *reqCtx, rest []string) bool {
	m := c.r.Method
	switch {
	case len(rest) == 1 && rest[0] == "deployments" && m == http.MethodPost:
		s.createDeployment(c)
	case len(rest) == 1 && rest[0] == "deployments" && m == http.MethodGet:
		s.listDeployments(c)
	case len(rest) == 2 && rest[0] == "deployments" && m == http.MethodGet:
		s.deploymentByID(c, rest[1])
	case len(rest) == 3 && rest[0] == "deployments" && rest[2] == "statuses" && m == http.MethodPost:
		s.createDeploymentStatus(c, rest[1])
	case len(rest) == 3 && rest[0] == "deployments" && rest[2] == "statuses" && m == http.MethodGet:
		s.listDeploymentStatuses(c, rest[1])
	case len(rest) == 1 && rest[0] == "environments" && m == http.MethodGet:
		s.listEnvironments(c)
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "runs" && m == http.MethodGet:
		s.listWorkflowRuns(c)
	default:
		return false
	}
	return true
}

// newID hands out the next identifier; the lock is held.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// SeedStatus is a deployment status with its time, for seeding history.
type SeedStatus struct {
	State string
	At    time.Time
}

// AddDeployment seeds a deployment made at created with its statuses
// (oldest first); production follows GitHub's default (only "production").
func (s *Server) AddDeployment(env, sha string, payload json.RawMessage, created time.Time, statuses ...SeedStatus) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &deployment{id: s.newID(), sha: sha, ref: sha, task: "deploy", env: env, payload: payload, created: created, production: env == "production"}
	for _, st := range statuses {
		d.statuses = append(d.statuses, &deploymentStatus{id: s.newID(), state: st.State, env: env, created: st.At})
	}
	s.deployments = append(s.deployments, d)
	return d.id
}

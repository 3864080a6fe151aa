package githubfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// What a reviewer sees: pull requests (only their numbers, heads and bases),
// their issue comments, and check runs with annotations. Limits and rules
// follow GitHub's REST reference (version 2022-11-28):
//   - an issue comment's body is required and at most 65,536 characters;
//     comments list oldest first, paged like every list; a delete answers 204;
//   - a check run needs name and head_sha (a commit the repository has);
//     a conclusion makes it completed, and completed needs a conclusion;
//     output needs title and summary on create, summary on update (each at
//     most 65,535 characters); at most 50 annotations per request, and
//     annotations sent on an update are appended to the earlier ones;
//     an annotation needs path, start_line, end_line, annotation_level
//     (notice, warning or failure) and message; columns only on one line.

const (
	commentsDoc     = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
	checkRunsDoc    = "https://docs.github.com/rest/checks/runs#create-a-check-run"
	maxCommentBody  = 65536
	maxCheckText    = 65535
	maxAnnotations  = 50
	maxAnnotTitle   = 255
	maxAnnotMessage = 64 << 10
)

type pullRequest struct {
	number     int
	head, base string // branch names
	headSHA    string
	fork       bool
}

type comment struct {
	id               int64
	issue            int
	body             string
	created, updated time.Time
}

type checkRun struct {
	id                 int64
	name, headSHA      string
	status, conclusion string
	title, summary     string
	text               string
	detailsURL         string
	started, completed time.Time
	annotations        []*github.CheckRunAnnotation
	requests           int // create and update requests that reached it
}

// reviewState is the part of the fake that reviews read. Guarded by Server.mu.
type reviewState struct {
	pulls     map[int]*pullRequest
	comments  []*comment // ascending id
	checkRuns []*checkRun
}

func (s *Server) reviewsLocked() *reviewState {
	if s.reviews == nil {
		s.reviews = &reviewState{pulls: map[int]*pullRequest{}}
	}
	return s.reviews
}

// OpenPullRequest makes pull request number exist (head and base are branch
// names; headSHA the head commit). Comments and check runs can then be
// posted on it. fork marks a pull request from another repository.
func (s *Server) OpenPullRequest(number int, head, base, headSHA string, fork bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reviewsLocked().pulls[number] = &pullRequest{number: number, head: head, base: base, headSHA: headSHA, fork: fork}
}

// Comment is a snapshot of an issue comment.
type Comment struct {
	ID      int64
	Issue   int
	Body    string
	Updated bool // edited after creation
}

// Comments returns the comments on an issue or pull request, oldest first
// (every issue's when issue is 0).
func (s *Server) Comments(issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.reviewsLocked().comments {
		if issue == 0 || c.issue == issue {
			out = append(out, Comment{ID: c.id, Issue: c.issue, Body: c.body, Updated: c.updated.After(c.created)})
		}
	}
	return out
}

// CheckRun is a snapshot of a check run.
type CheckRun struct {
	ID                 int64
	Name, HeadSHA      string
	Status, Conclusion string
	Title, Summary     string
	Text               string
	Annotations        []github.CheckRunAnnotation
	Requests           int // the create and update requests that built it
}

// CheckRuns returns every check run, oldest first.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, r := range s.reviewsLocked().checkRuns {
		cr := CheckRun{ID: r.id, Name: r.name, HeadSHA: r.headSHA, Status: r.status, Conclusion: r.conclusion,
			Title: r.title, Summary: r.summary, Text: r.text, Requests: r.requests}
		for _, a := range r.annotations {
			cr.Annotations = append(cr.Annotations, *a)
		}
		out = append(out, cr)
	}
	return out
}

// routeReviews serves the review endpoints; false when rest is none of them.
// Called with mu held.
func (s *Server) routeReviews(c *reqCtx, rest []string) bool {
	m := c.r.Method
	switch {
	case len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments" && rest[1] != "comments":
		n, err := strconv.Atoi(rest[1])
		pr := s.reviewsLocked().pulls[n]
		if err != nil || pr == nil {
			c.notFound()
			return true
		}
		switch m {
		case http.MethodGet:
			s.listComments(c, n)
		case http.MethodPost:
			s.createComment(c, n)
		default:
			c.notFound()
		}
	case len(rest) == 3 && rest[0] == "issues" && rest[1] == "comments":
		cm := s.findComment(rest[2])
		if cm == nil {
			c.notFound()
			return true
		}
		switch m {
		case http.MethodGet:
			c.json(http.StatusOK, s.commentJSON(c, cm))
		case http.MethodPatch:
			s.updateComment(c, cm)
		case http.MethodDelete:
			st := s.reviewsLocked()
			st.comments = slices.DeleteFunc(st.comments, func(x *comment) bool { return x == cm })
			c.noContent()
		default:
			c.notFound()
		}
	case len(rest) == 1 && rest[0] == "check-runs" && m == http.MethodPost:
		s.createCheckRun(c)
	case len(rest) == 2 && rest[0] == "check-runs":
		r := s.findCheckRun(rest[1])
		if r == nil {
			c.notFound()
			return true
		}
		switch m {
		case http.MethodGet:
			c.json(http.StatusOK, s.checkRunJSON(c, r))
		case http.MethodPatch:
			s.updateCheckRun(c, r)
		default:
			c.notFound()
		}
	case len(rest) == 3 && rest[0] == "check-runs" && rest[2] == "annotations" && m == http.MethodGet:
		r := s.findCheckRun(rest[1])
		if r == nil {
			c.notFound()
			return true
		}
		paginate(c, r.annotations)
	default:
		return false
	}
	return true
}

func (s *Server) findComment(idText string) *comment {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	for _, cm := range s.reviewsLocked().comments {
		if cm.id == id {
			return cm
		}
	}
	return nil
}

func (s *Server) commentJSON(c *reqCtx, cm *comment) *github.IssueComment {
	return &github.IssueComment{
		ID: ptr(cm.id), NodeID: ptr(fmt.Sprintf("IC_%d", cm.id)), Body: ptr(cm.body),
		User:      &github.User{Login: ptr("github-actions[bot]"), Type: ptr("Bot")},
		CreatedAt: &github.Timestamp{Time: cm.created}, UpdatedAt: &github.Timestamp{Time: cm.updated},
		URL:               ptr(fmt.Sprintf("%s/issues/comments/%d", c.repoAPI(s), cm.id)),
		HTMLURL:           ptr(fmt.Sprintf("%s/pull/%d#issuecomment-%d", c.html(s), cm.issue, cm.id)),
		IssueURL:          ptr(fmt.Sprintf("%s/issues/%d", c.repoAPI(s), cm.issue)),
		AuthorAssociation: ptr("NONE"),
	}
}

func (s *Server) listComments(c *reqCtx, issue int) {
	var out []*github.IssueComment
	for _, cm := range s.reviewsLocked().comments {
		if cm.issue == issue {
			out = append(out, s.commentJSON(c, cm))
		}
	}
	paginate(c, out)
}

// commentBody validates a comment's body as GitHub does; false after answering.
func commentBody(c *reqCtx) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if !c.decode(&in) {
		return "", false
	}
	if in.Body == nil || *in.Body == "" {
		c.invalid(commentsDoc, github.Error{Resource: "IssueComment", Code: "missing_field", Field: "body"})
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > maxCommentBody {
		c.invalid(commentsDoc, github.Error{Resource: "IssueComment", Code: "custom", Field: "body", Message: "Body is too long (maximum is 65536 characters)"})
		return "", false
	}
	return *in.Body, true
}

func (s *Server) createComment(c *reqCtx, issue int) {
	body, ok := commentBody(c)
	if !ok {
		return
	}
	s.nextID++
	now := s.opts.Now()
	cm := &comment{id: s.nextID, issue: issue, body: body, created: now, updated: now}
	st := s.reviewsLocked()
	st.comments = append(st.comments, cm)
	c.w.Header().Set("Location", fmt.Sprintf("%s/issues/comments/%d", c.repoAPI(s), cm.id))
	c.json(http.StatusCreated, s.commentJSON(c, cm))
}

func (s *Server) updateComment(c *reqCtx, cm *comment) {
	body, ok := commentBody(c)
	if !ok {
		return
	}
	cm.body = body
	cm.updated = s.opts.Now()
	if !cm.updated.After(cm.created) {
		cm.updated = cm.created.Add(time.Second) // a fake clock that stands still
	}
	c.json(http.StatusOK, s.commentJSON(c, cm))
}

// ---- check runs ----

type checkRunIn struct {
	Name        *string           `json:"name"`
	HeadSHA     *string           `json:"head_sha"`
	DetailsURL  *string           `json:"details_url"`
	Status      *string           `json:"status"`
	Conclusion  *string           `json:"conclusion"`
	StartedAt   *github.Timestamp `json:"started_at"`
	CompletedAt *github.Timestamp `json:"completed_at"`
	Output      *checkRunOutputIn `json:"output"`
}

type checkRunOutputIn struct {
	Title       *string                      `json:"title"`
	Summary     *string                      `json:"summary"`
	Text        *string                      `json:"text"`
	Annotations []*github.CheckRunAnnotation `json:"annotations"`
}

var (
	checkStatuses    = []string{"queued", "in_progress", "completed", "waiting", "requested", "pending"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}
	annotationLevels = []string{"notice", "warning", "failure"}
)

func (s *Server) findCheckRun(idText string) *checkRun {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	for _, r := range s.reviewsLocked().checkRuns {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (s *Server) checkRunJSON(c *reqCtx, r *checkRun) *github.CheckRun {
	api := fmt.Sprintf("%s/check-runs/%d", c.repoAPI(s), r.id)
	out := &github.CheckRun{
		ID: ptr(r.id), NodeID: ptr(fmt.Sprintf("CR_%d", r.id)), Name: ptr(r.name), HeadSHA: ptr(r.headSHA),
		Status: ptr(r.status), URL: ptr(api), HTMLURL: ptr(fmt.Sprintf("%s/runs/%d", c.html(s), r.id)),
		StartedAt: &github.Timestamp{Time: r.started},
		Output: &github.CheckRunOutput{Title: ptr(r.title), Summary: ptr(r.summary), Text: ptr(r.text),
			AnnotationsCount: ptr(len(r.annotations)), AnnotationsURL: ptr(api + "/annotations")},
		App: &github.App{Slug: ptr("github-actions"), Name: ptr("GitHub Actions")},
	}
	if r.detailsURL != "" {
		out.DetailsURL = ptr(r.detailsURL)
	}
	if r.status == "completed" {
		out.Conclusion = ptr(r.conclusion)
		out.CompletedAt = &github.Timestamp{Time: r.completed}
	}
	return out
}

// checkInput validates a create (create true) or update body; it answers
// and returns false when GitHub would refuse it.
func (s *Server) checkInput(c *reqCtx, in *checkRunIn, create bool) bool {
	bad := func(field, code, msg string) bool {
		c.invalid(checkRunsDoc, github.Error{Resource: "CheckRun", Code: code, Field: field, Message: msg})
		return false
	}
	if create {
		if in.Name == nil || *in.Name == "" {
			return bad("name", "missing_field", "")
		}
		if in.HeadSHA == nil || *in.HeadSHA == "" {
			return bad("head_sha", "missing_field", "")
		}
		if s.commits[*in.HeadSHA] == nil {
			c.fail(http.StatusUnprocessableEntity, "No commit found for SHA: "+*in.HeadSHA, checkRunsDoc)
			return false
		}
	} else if in.Name != nil && *in.Name == "" {
		return bad("name", "invalid", "name cannot be blank")
	}
	if in.Status != nil && !slices.Contains(checkStatuses, *in.Status) {
		return bad("status", "invalid", "")
	}
	if in.Conclusion != nil && !slices.Contains(checkConclusions, *in.Conclusion) {
		return bad("conclusion", "invalid", "")
	}
	if (in.Status != nil && *in.Status == "completed" || in.CompletedAt != nil) && in.Conclusion == nil {
		return bad("conclusion", "missing_field", "conclusion is required when status is completed or completed_at is given")
	}
	if o := in.Output; o != nil {
		if create && (o.Title == nil || *o.Title == "") {
			return bad("output.title", "missing_field", "")
		}
		if o.Summary == nil || *o.Summary == "" {
			return bad("output.summary", "missing_field", "")
		}
		if utf8.RuneCountInString(*o.Summary) > maxCheckText || o.Text != nil && utf8.RuneCountInString(*o.Text) > maxCheckText {
			return bad("output", "custom", "summary and text are at most 65535 characters each")
		}
		if len(o.Annotations) > maxAnnotations {
			return bad("output.annotations", "custom", fmt.Sprintf("Only %d annotations are allowed per request", maxAnnotations))
		}
		for i, a := range o.Annotations {
			f := fmt.Sprintf("output.annotations[%d]", i)
			switch {
			case a == nil || a.Path == nil || *a.Path == "":
				return bad(f+".path", "missing_field", "")
			case a.StartLine == nil || a.EndLine == nil:
				return bad(f+".start_line", "missing_field", "")
			case *a.StartLine < 1 || *a.EndLine < *a.StartLine:
				return bad(f+".end_line", "invalid", "end_line must not be before start_line")
			case a.AnnotationLevel == nil || !slices.Contains(annotationLevels, *a.AnnotationLevel):
				return bad(f+".annotation_level", "invalid", "annotation_level must be notice, warning or failure")
			case a.Message == nil || *a.Message == "":
				return bad(f+".message", "missing_field", "")
			case utf8.RuneCountInString(*a.Message) > maxAnnotMessage || a.RawDetails != nil && utf8.RuneCountInString(*a.RawDetails) > maxAnnotMessage:
				return bad(f+".message", "custom", "message and raw_details are at most 64 KB")
			case a.Title != nil && utf8.RuneCountInString(*a.Title) > maxAnnotTitle:
				return bad(f+".title", "custom", "title is at most 255 characters")
			case (a.StartColumn != nil || a.EndColumn != nil) && *a.StartLine != *a.EndLine:
				return bad(f+".start_column", "invalid", "start_column and end_column are only allowed when start_line equals end_line")
			}
		}
	}
	return true
}

func (s *Server) createCheckRun(c *reqCtx) {
	var in checkRunIn
	if !c.decode(&in) || !s.checkInput(c, &in, true) {
		return
	}
	s.nextID++
	r := &checkRun{id: s.nextID, name: *in.Name, headSHA: *in.HeadSHA, status: "queued", started: s.opts.Now()}
	s.applyCheckRun(r, &in)
	st := s.reviewsLocked()
	st.checkRuns = append(st.checkRuns, r)
	c.json(http.StatusCreated, s.checkRunJSON(c, r))
}

func (s *Server) updateCheckRun(c *reqCtx, r *checkRun) {
	var in checkRunIn
	if !c.decode(&in) || !s.checkInput(c, &in, false) {
		return
	}
	s.applyCheckRun(r, &in)
	c.json(http.StatusOK, s.checkRunJSON(c, r))
}

func (s *Server) applyCheckRun(r *checkRun, in *checkRunIn) {
	r.requests++
	if in.Name != nil {
		r.name = *in.Name
	}
	if in.DetailsURL != nil {
		r.detailsURL = *in.DetailsURL
	}
	if in.StartedAt != nil {
		r.started = in.StartedAt.Time
	}
	if in.Status != nil {
		r.status = *in.Status
	}
	if in.Conclusion != nil {
		// A conclusion completes the run.
		r.conclusion, r.status = *in.Conclusion, "completed"
		r.completed = s.opts.Now()
		if in.CompletedAt != nil {
			r.completed = in.CompletedAt.Time
		}
	}
	if o := in.Output; o != nil {
		if o.Title != nil {
			r.title = *o.Title
		}
		r.summary = *o.Summary
		if o.Text != nil {
			r.text = *o.Text
		}
		// Appended, never replaced.
		r.annotations = append(r.annotations, o.Annotations...)
	}
}

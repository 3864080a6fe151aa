package action

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Event is the context of the run: the GITHUB_* variables and the webhook
// payload from GITHUB_EVENT_PATH, decoded into the struct for its event.
type Event struct {
	Name, Ref, RefName, RefType, SHA, Repository, RepositoryOwner, Actor, BaseRef, HeadRef string
	RunID, RunNumber, RunAttempt                                                           int64
	ServerURL, APIURL, GraphQLURL, Workspace, DefaultBranch                                string

	Push             *PushEvent
	PullRequest      *PullRequestEvent
	Release          *ReleaseEvent
	WorkflowDispatch *WorkflowDispatchEvent
	Payload          json.RawMessage
}

// Repository is the repository object of a payload.
type Repository struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
	HTMLURL       string `json:"html_url"`
	Description   string `json:"description"`
	License       string `json:"-"`
	Owner         struct {
		Login string `json:"login"`
	} `json:"owner"`
	RawLicense *struct {
		SPDXID string `json:"spdx_id"`
	} `json:"license"`
}

// Commit is a commit of a push payload.
type Commit struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Timestamp string `json:"timestamp"`
	Author    struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Username string `json:"username"`
	} `json:"author"`
}

// PushEvent is the payload of push.
type PushEvent struct {
	Ref        string     `json:"ref"`
	Before     string     `json:"before"`
	After      string     `json:"after"`
	BaseRef    string     `json:"base_ref"`
	Created    bool       `json:"created"`
	Deleted    bool       `json:"deleted"`
	Forced     bool       `json:"forced"`
	HeadCommit *Commit    `json:"head_commit"`
	Commits    []Commit   `json:"commits"`
	Repository Repository `json:"repository"`
}

// GitRef is the head or base of a pull request.
type GitRef struct {
	Ref  string     `json:"ref"`
	SHA  string     `json:"sha"`
	Repo Repository `json:"repo"`
}

// PullRequestEvent is the payload of pull_request and pull_request_target.
type PullRequestEvent struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
		Head   GitRef `json:"head"`
		Base   GitRef `json:"base"`
	} `json:"pull_request"`
	Repository Repository `json:"repository"`
}

// ReleaseEvent is the payload of release.
type ReleaseEvent struct {
	Action  string `json:"action"`
	Release struct {
		ID              int64  `json:"id"`
		TagName         string `json:"tag_name"`
		Name            string `json:"name"`
		TargetCommitish string `json:"target_commitish"`
		Draft           bool   `json:"draft"`
		Prerelease      bool   `json:"prerelease"`
	} `json:"release"`
	Repository Repository `json:"repository"`
}

// WorkflowDispatchEvent is the payload of workflow_dispatch.
type WorkflowDispatchEvent struct {
	Ref        string         `json:"ref"`
	Inputs     map[string]any `json:"inputs"`
	Repository Repository     `json:"repository"`
}

// Input returns a workflow_dispatch input as text.
func (w *WorkflowDispatchEvent) Input(name string) string {
	if w == nil {
		return ""
	}
	switch v := w.Inputs[name].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// ReadEvent builds the event context from environment variables.
func ReadEvent(getenv func(string) string) (*Event, error) {
	// go-githubactions would read GITHUB_EVENT_PATH itself, unbounded: it is
	// hidden from it and read below, capped and regular-only.
	noEvent := func(k string) string {
		if k == "GITHUB_EVENT_PATH" {
			return ""
		}
		return getenv(k)
	}
	gc, err := githubactions.New(githubactions.WithGetenv(noEvent)).Context()
	if err != nil {
		return nil, fmt.Errorf("read the GITHUB_* variables: %w", err)
	}
	e := &Event{
		Name: gc.EventName, Ref: gc.Ref, RefName: gc.RefName, RefType: gc.RefType, SHA: gc.SHA,
		Repository: gc.Repository, RepositoryOwner: gc.RepositoryOwner, Actor: gc.Actor,
		BaseRef: gc.BaseRef, HeadRef: gc.HeadRef, RunID: gc.RunID, RunNumber: gc.RunNumber, RunAttempt: gc.RunAttempt,
		ServerURL: strings.TrimRight(gc.ServerURL, "/"), APIURL: strings.TrimRight(gc.APIURL, "/"),
		GraphQLURL: gc.GraphqlURL, Workspace: gc.Workspace,
	}
	if e.RefName == "" && e.Ref != "" {
		e.RefName = shortRef(e.Ref)
	}
	if e.RefType == "" {
		switch {
		case strings.HasPrefix(e.Ref, "refs/tags/"):
			e.RefType = "tag"
		case strings.HasPrefix(e.Ref, "refs/heads/"):
			e.RefType = "branch"
		}
	}
	if e.RunAttempt == 0 {
		e.RunAttempt = 1
	}
	eventPath := getenv("GITHUB_EVENT_PATH")
	if eventPath == "" {
		return e, nil
	}
	// GitHub caps webhook payloads at 25 MB ("Payloads are capped at 25 MB",
	// https://docs.github.com/en/webhooks/webhook-events-and-payloads); a
	// larger file, a FIFO or /dev/zero here is not a payload.
	data, err := workspace.ReadRunnerFile("GITHUB_EVENT_PATH", eventPath, KindEvent)
	if err != nil {
		return nil, fmt.Errorf("read the event payload: %w", err)
	}
	if err := e.decode(data); err != nil {
		return nil, fmt.Errorf("decode the event payload %s: %w", eventPath, err)
	}
	return e, nil
}

func (e *Event) decode(data []byte) error {
	e.Payload = json.RawMessage(data)
	var repo struct {
		Repository *Repository `json:"repository"`
	}
	if err := json.Unmarshal(data, &repo); err != nil {
		return err
	}
	if repo.Repository != nil {
		e.DefaultBranch = repo.Repository.DefaultBranch
	}
	var err error
	switch e.Name {
	case "push":
		e.Push = &PushEvent{}
		err = json.Unmarshal(data, e.Push)
		fixLicense(&e.Push.Repository)
	case "pull_request", "pull_request_target":
		e.PullRequest = &PullRequestEvent{}
		err = json.Unmarshal(data, e.PullRequest)
		fixLicense(&e.PullRequest.Repository)
	case "release":
		e.Release = &ReleaseEvent{}
		err = json.Unmarshal(data, e.Release)
		fixLicense(&e.Release.Repository)
	case "workflow_dispatch":
		e.WorkflowDispatch = &WorkflowDispatchEvent{}
		err = json.Unmarshal(data, e.WorkflowDispatch)
		fixLicense(&e.WorkflowDispatch.Repository)
	}
	return err
}

func fixLicense(r *Repository) {
	if r.RawLicense != nil {
		r.License = r.RawLicense.SPDXID
	}
}

// Repo returns the repository's metadata from whichever payload carried it.
func (e *Event) Repo() Repository {
	switch {
	case e.Push != nil:
		return e.Push.Repository
	case e.PullRequest != nil:
		return e.PullRequest.Repository
	case e.Release != nil:
		return e.Release.Repository
	case e.WorkflowDispatch != nil:
		return e.WorkflowDispatch.Repository
	}
	return Repository{FullName: e.Repository}
}

// Owner and Name split GITHUB_REPOSITORY.
func (e *Event) Owner() string { o, _, _ := strings.Cut(e.Repository, "/"); return o }

// Name of the repository without its owner.
func (e *Event) RepoName() string { _, n, _ := strings.Cut(e.Repository, "/"); return n }

func shortRef(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/"} {
		if strings.HasPrefix(ref, p) {
			return strings.TrimPrefix(ref, p)
		}
	}
	return ref
}

package provenance

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Types and media type of what this package writes.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://slsa.dev/provenance/v1"
	// BuildType extends GitHub's workflow build type with the image build's
	// own parameters (externalParameters.build).
	BuildType = "https://github.com/org/timetracker-ci/blob/main/docs/supply-chain.md#build-type-image-v1"
	// MediaType is the in-toto statement as a file and an OCI artifact type.
	MediaType = "application/vnd.in-toto+json"
)

// Subject is one artifact the statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Build is what a workflow run tells about itself (GitHub's default
// environment variables and event payload) plus the build's parameters.
type Build struct {
	ServerURL         string // https://github.com
	Repository        string // owner/name
	RepositoryID      string
	OwnerID           string
	WorkflowRef       string // owner/name/.github/workflows/x.yml@refs/heads/main
	JobWorkflowRef    string // the reusable workflow that ran the job, when not WorkflowRef
	Ref               string // refs/tags/v1.2.3
	SHA               string // the commit built
	EventName         string
	RunID, RunAttempt string
	RunnerEnvironment string            // github-hosted or self-hosted
	Inputs            map[string]any    // workflow_dispatch inputs, from the event payload
	Parameters        map[string]string // build parameters: platforms, build-args, tags...
}

// Getenv reads one environment variable.
type Getenv func(string) string

// FromGitHub reads a Build from the runner's environment and the event
// payload (the file GITHUB_EVENT_PATH names; nil if none). It fails when
// the environment does not say which repository and commit were built.
func FromGitHub(getenv Getenv, event []byte) (Build, error) {
	b := Build{
		ServerURL: getenv("GITHUB_SERVER_URL"), Repository: getenv("GITHUB_REPOSITORY"),
		RepositoryID: getenv("GITHUB_REPOSITORY_ID"), OwnerID: getenv("GITHUB_REPOSITORY_OWNER_ID"),
		WorkflowRef: getenv("GITHUB_WORKFLOW_REF"), Ref: getenv("GITHUB_REF"), SHA: getenv("GITHUB_SHA"),
		EventName: getenv("GITHUB_EVENT_NAME"), RunID: getenv("GITHUB_RUN_ID"), RunAttempt: getenv("GITHUB_RUN_ATTEMPT"),
		RunnerEnvironment: getenv("RUNNER_ENVIRONMENT"),
	}
	if b.ServerURL == "" {
		b.ServerURL = "https://github.com"
	}
	var missing []string
	for k, v := range map[string]string{"GITHUB_REPOSITORY": b.Repository, "GITHUB_SHA": b.SHA, "GITHUB_WORKFLOW_REF": b.WorkflowRef, "GITHUB_REF": b.Ref} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return b, fmt.Errorf("the environment lacks %s: provenance is written inside a GitHub Actions run (locally, set them by hand)", strings.Join(missing, ", "))
	}
	if len(event) > 0 {
		var ev struct {
			Inputs map[string]any `json:"inputs"`
		}
		if err := json.Unmarshal(event, &ev); err != nil {
			return b, fmt.Errorf("the event payload is not JSON (GITHUB_EVENT_PATH): %w", err)
		}
		b.Inputs = ev.Inputs
	}
	return b, nil
}

// Statement is an in-toto statement with a SLSA provenance predicate.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Predicate is SLSA v1 build provenance.
type Predicate struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition says what was built from what.
type BuildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   ExternalParameters   `json:"externalParameters"`
	InternalParameters   map[string]any       `json:"internalParameters,omitempty"`
	ResolvedDependencies []ResourceDescriptor `json:"resolvedDependencies"`
}

// ExternalParameters are the inputs a user controls.
type ExternalParameters struct {
	Workflow Workflow          `json:"workflow"`
	Inputs   map[string]any    `json:"inputs,omitempty"`
	Build    map[string]string `json:"build,omitempty"`
}

// Workflow is the workflow that ran, as GitHub's build type names it.
type Workflow struct {
	Ref        string `json:"ref"`
	Repository string `json:"repository"`
	Path       string `json:"path"`
}

// ResourceDescriptor is a source the build read.
type ResourceDescriptor struct {
	URI    string            `json:"uri"`
	Digest map[string]string `json:"digest"`
}

// RunDetails says who built it, and which run.
type RunDetails struct {
	Builder  Builder  `json:"builder"`
	Metadata Metadata `json:"metadata"`
}

// Builder identifies the workflow that produced the provenance.
type Builder struct {
	ID string `json:"id"`
}

// Metadata identifies the run.
type Metadata struct {
	InvocationID string `json:"invocationId,omitempty"`
}

// workflowPath strips "owner/repo/" and "@ref" from a workflow ref; the
// path and the ref may both hold "@", so the ref is cut off by value.
func workflowPath(workflowRef, repo, ref string) string {
	p := strings.TrimPrefix(workflowRef, repo+"/")
	if ref != "" && strings.HasSuffix(p, "@"+ref) {
		return strings.TrimSuffix(p, "@"+ref)
	}
	if i := strings.LastIndex(p, "@"); i >= 0 {
		return p[:i]
	}
	return p
}

// New builds the statement for subjects.
func New(b Build, subjects []Subject) (*Statement, error) {
	if len(subjects) == 0 {
		return nil, errors.New("provenance needs at least one subject digest")
	}
	repoURL := strings.TrimSuffix(b.ServerURL, "/") + "/" + b.Repository
	builder := b.JobWorkflowRef
	if builder == "" {
		builder = b.WorkflowRef
	}
	internal := map[string]any{}
	gh := map[string]string{}
	for k, v := range map[string]string{"event_name": b.EventName, "repository_id": b.RepositoryID,
		"repository_owner_id": b.OwnerID, "runner_environment": b.RunnerEnvironment} {
		if v != "" {
			gh[k] = v
		}
	}
	if len(gh) > 0 {
		internal["github"] = gh
	}
	if len(internal) == 0 {
		internal = nil
	}
	subs := append([]Subject(nil), subjects...)
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].Digest["sha256"] < subs[j].Digest["sha256"] })
	st := &Statement{
		Type: StatementType, Subject: subs, PredicateType: PredicateType,
		Predicate: Predicate{
			BuildDefinition: BuildDefinition{
				BuildType: BuildType,
				ExternalParameters: ExternalParameters{
					Workflow: Workflow{Ref: b.Ref, Repository: repoURL, Path: workflowPath(b.WorkflowRef, b.Repository, b.Ref)},
					Inputs:   b.Inputs, Build: b.Parameters,
				},
				InternalParameters:   internal,
				ResolvedDependencies: []ResourceDescriptor{{URI: "git+" + repoURL + "@" + b.Ref, Digest: map[string]string{"gitCommit": b.SHA}}},
			},
			RunDetails: RunDetails{Builder: Builder{ID: strings.TrimSuffix(b.ServerURL, "/") + "/" + builder}},
		},
	}
	if b.RunID != "" {
		attempt := b.RunAttempt
		if attempt == "" {
			attempt = "1"
		}
		st.Predicate.RunDetails.Metadata.InvocationID = repoURL + "/actions/runs/" + b.RunID + "/attempts/" + attempt
	}
	return st, nil
}

// Marshal writes the statement; map keys are sorted, so the same
// statement always gives the same bytes.
func (s *Statement) Marshal() ([]byte, error) { return json.MarshalIndent(s, "", "  ") }

// Parse reads a statement and checks its types; it does not trust the
// content further than that.
func Parse(raw []byte) (*Statement, error) {
	var s Statement
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("not an in-toto statement: %w", err)
	}
	if s.Type != StatementType {
		return nil, fmt.Errorf("statement type is %q, not %s", s.Type, StatementType)
	}
	if s.PredicateType != PredicateType {
		return nil, fmt.Errorf("predicate type is %q, not %s", s.PredicateType, PredicateType)
	}
	if len(s.Subject) == 0 {
		return nil, errors.New("the statement has no subject")
	}
	return &s, nil
}

// Digests returns the sha256 digests of the subjects as "sha256:…".
func (s *Statement) Digests() []string {
	var out []string
	for _, sub := range s.Subject {
		if h := sub.Digest["sha256"]; h != "" {
			out = append(out, "sha256:"+h)
		}
	}
	return out
}

// SubjectFor makes a subject from a "sha256:…" digest.
func SubjectFor(name, digest string) (Subject, error) {
	h, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		return Subject{}, fmt.Errorf("%q is not a sha256 digest (sha256: and 64 lower-case hex digits)", digest)
	}
	return Subject{Name: name, Digest: map[string]string{"sha256": h}}, nil
}

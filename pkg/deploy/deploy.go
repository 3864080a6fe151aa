package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// Target is the repository deployments are recorded in.
type Target struct {
	Client      *github.Client
	Owner, Repo string
}

// Payload is what a deployment deploys: the image pinned by digest and
// the files that pin it. It is stored with the deployment.
type Payload struct {
	Image   string   `json:"image,omitempty"`
	Digest  string   `json:"digest,omitempty"`
	Version string   `json:"version,omitempty"`
	Files   []string `json:"files,omitempty"`
	// Rollback is set when the deployment puts an earlier release back.
	Rollback bool `json:"rollback,omitempty"`
}

// Start describes a deployment to create.
type Start struct {
	Environment string
	Ref         string // the commit (or tag) deployed
	Payload     Payload
	Description string
	// Production marks a production environment; nil: only "production" is.
	Production *bool
	Transient  bool
	LogURL     string
	URL        string // the environment's URL
}

// States a deployment can end in.
const (
	StateSuccess = "success"
	StateFailure = "failure"
	StateError   = "error"
)

// EndState maps a job's status (success, failure, cancelled) to a
// deployment state.
func EndState(jobStatus string) (string, error) {
	switch strings.ToLower(jobStatus) {
	case "success":
		return StateSuccess, nil
	case "failure":
		return StateFailure, nil
	case "cancelled", "error":
		return StateError, nil
	}
	return "", fmt.Errorf("%q is not a job status: give success, failure or cancelled (${{ job.status }})", jobStatus)
}

// describe fits a description into GitHub's 140 characters.
func describe(s string) string {
	if utf8.RuneCountInString(s) <= 140 {
		return s
	}
	r := []rune(s)
	return string(r[:139]) + "…"
}

// Begin creates the deployment and marks it in progress. auto_merge is
// off (GitHub would otherwise try to merge the default branch into the
// ref) and required_contexts is empty: the pipeline already gated it.
//
// When the environment's current deployment (its newest) already deployed
// the same digest successfully, nothing is recorded and its id is returned
// with current true: a re-run of a finished deployment changes nothing,
// while one whose deployment failed records a new one.
func Begin(ctx context.Context, t Target, s Start) (id int64, current bool, err error) {
	if s.Environment == "" {
		return 0, false, errors.New("no environment given: name the environment deployed to (staging, production)")
	}
	if s.Ref == "" {
		return 0, false, errors.New("no ref given: the commit deployed (GITHUB_SHA)")
	}
	if s.Payload.Digest != "" {
		list, _, err := t.Client.Repositories.ListDeployments(ctx, t.Owner, t.Repo, &github.DeploymentsListOptions{Environment: s.Environment, ListOptions: github.ListOptions{PerPage: 1}})
		if err != nil {
			return 0, false, fmt.Errorf("reading the deployments of %s: %w (the token needs deployments: write)", s.Environment, err)
		}
		if len(list) == 1 {
			var p Payload
			if json.Unmarshal(list[0].Payload, &p) == nil && p.Digest == s.Payload.Digest && p.Rollback == s.Payload.Rollback {
				st, err := latestState(ctx, t, list[0].GetID())
				if err != nil {
					return 0, false, err
				}
				if st == StateSuccess {
					return list[0].GetID(), true, nil
				}
			}
		}
	}
	payload, err := json.Marshal(s.Payload)
	if err != nil {
		return 0, false, err
	}
	raw := json.RawMessage(payload)
	req := &github.DeploymentRequest{Ref: github.String(s.Ref), Task: github.String("deploy"), AutoMerge: github.Bool(false),
		RequiredContexts: &[]string{}, Payload: raw, Environment: github.String(s.Environment),
		Description: github.String(describe(s.Description)), TransientEnvironment: github.Bool(s.Transient), ProductionEnvironment: s.Production}
	d, _, err := t.Client.Repositories.CreateDeployment(ctx, t.Owner, t.Repo, req)
	if err != nil {
		return 0, false, fmt.Errorf("creating the deployment of %s to %s: %w (the token needs deployments: write)", s.Ref, s.Environment, err)
	}
	if err := status(ctx, t, d.GetID(), "in_progress", s.Description, s.LogURL, s.URL); err != nil {
		return d.GetID(), false, err
	}
	return d.GetID(), false, nil
}

func status(ctx context.Context, t Target, id int64, state, desc, logURL, envURL string) error {
	_, _, err := t.Client.Repositories.CreateDeploymentStatus(ctx, t.Owner, t.Repo, id, &github.DeploymentStatusRequest{
		State: github.String(state), Description: github.String(describe(desc)), LogURL: github.String(logURL),
		EnvironmentURL: github.String(envURL), AutoInactive: github.Bool(true)})
	if err != nil {
		return fmt.Errorf("setting deployment %d to %s: %w", id, state, err)
	}
	return nil
}

// maxLookBack bounds how many earlier deployments End reads to find the
// one it replaced.
const maxLookBack = 50

// Finished is what End did.
type Finished struct {
	ID       int64   `json:"id"`
	State    string  `json:"state"`
	Replaced []int64 `json:"replaced"` // earlier deployments now inactive
}

// End sets the final state. On success every earlier deployment of the
// environment whose latest state is success becomes inactive: the one this
// deployment replaced (GitHub's auto_inactive skips production ones).
// A re-run that finds the state already set changes nothing.
func End(ctx context.Context, t Target, id int64, state, desc, logURL, envURL string) (*Finished, error) {
	switch state {
	case StateSuccess, StateFailure, StateError:
	default:
		return nil, fmt.Errorf("%q is not a final deployment state (success, failure, error)", state)
	}
	d, _, err := t.Client.Repositories.GetDeployment(ctx, t.Owner, t.Repo, id)
	if err != nil {
		return nil, fmt.Errorf("reading deployment %d: %w (give the deployment-id output of the start step)", id, err)
	}
	res := &Finished{ID: id, State: state, Replaced: []int64{}}
	cur, err := latestState(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if cur != state {
		if err := status(ctx, t, id, state, desc, logURL, envURL); err != nil {
			return nil, err
		}
	}
	if state != StateSuccess {
		return res, nil
	}
	// Only one deployment of an environment is current at a time, so the
	// newest earlier success is the one replaced: stop there (a bounded
	// look-back keeps a long history from costing a request per entry).
	opt := &github.DeploymentsListOptions{Environment: d.GetEnvironment(), ListOptions: github.ListOptions{PerPage: 30}}
	checked := 0
	for pages := 0; pages < 4; pages++ {
		list, resp, err := t.Client.Repositories.ListDeployments(ctx, t.Owner, t.Repo, opt)
		if err != nil {
			return res, fmt.Errorf("listing the deployments of %s: %w", d.GetEnvironment(), err)
		}
		for _, o := range list {
			if o.GetID() >= id {
				continue
			}
			if checked++; checked > maxLookBack {
				return res, nil
			}
			st, err := latestState(ctx, t, o.GetID())
			if err != nil {
				return res, err
			}
			if st == "inactive" {
				return res, nil // replaced already (GitHub's auto_inactive, or an earlier run)
			}
			if st != StateSuccess {
				continue
			}
			if err := status(ctx, t, o.GetID(), "inactive", fmt.Sprintf("replaced by deployment %d", id), "", ""); err != nil {
				return res, err
			}
			res.Replaced = append(res.Replaced, o.GetID())
			return res, nil
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	return res, nil
}

func latestState(ctx context.Context, t Target, id int64) (string, error) {
	sts, _, err := t.Client.Repositories.ListDeploymentStatuses(ctx, t.Owner, t.Repo, id, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", fmt.Errorf("reading the statuses of deployment %d: %w", id, err)
	}
	if len(sts) == 0 {
		return "", nil
	}
	return sts[0].GetState(), nil
}

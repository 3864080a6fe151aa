package deploymentaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/deploy"
)

func run(ctx context.Context, rt *action.Runtime) error {
	step, err := rt.Enum("step", "start", "finish")
	if err != nil {
		return err
	}
	token := rt.Input("github-token")
	if token == "" {
		return action.InputErrorf("github-token", "is empty: pass ${{ github.token }} with permissions: deployments: write")
	}
	gh, err := rt.GitHub(token, action.GitHubOptions{})
	if err != nil {
		return err
	}
	ev := gh.Event
	t := deploy.Target{Client: gh.Client, Owner: gh.Owner, Repo: gh.Repo}
	logURL := ""
	if id := rt.Getenv("GITHUB_RUN_ID"); id != "" && ev.ServerURL != "" {
		logURL = fmt.Sprintf("%s/%s/%s/actions/runs/%s", ev.ServerURL, ev.Owner(), ev.RepoName(), id)
	}
	if step == "start" {
		s, err := startInputs(rt, ev.SHA)
		if err != nil {
			return err
		}
		s.LogURL = logURL
		id, current, err := deploy.Begin(ctx, t, s)
		state := "in_progress"
		if current {
			state = deploy.StateSuccess
			rt.Logf("%s already runs %s (deployment %d): nothing new recorded", s.Environment, s.Payload.Digest, id)
		}
		if id != 0 {
			if oerr := setOutputs(rt, &deploy.Finished{ID: id, State: state, Replaced: []int64{}}, &s.Payload); oerr != nil {
				return errors.Join(err, oerr)
			}
		}
		return err
	}
	id, err := strconv.ParseInt(rt.Input("deployment-id"), 10, 64)
	if err != nil || id <= 0 {
		return action.InputErrorf("deployment-id", "%q is not a deployment id: pass the start step's deployment-id output", rt.Input("deployment-id"))
	}
	state, err := deploy.EndState(rt.Input("job-status"))
	if err != nil {
		return action.InputErrorf("job-status", "%v", err)
	}
	f, err := deploy.End(ctx, t, id, state, rt.Input("description"), logURL, rt.Input("environment-url"))
	if f != nil {
		if oerr := setOutputs(rt, f, nil); oerr != nil {
			return errors.Join(err, oerr)
		}
	}
	return err
}

// startInputs reads what a start needs, the payload from deployment.json.
func startInputs(rt *action.Runtime, sha string) (deploy.Start, error) {
	s := deploy.Start{Environment: rt.Input("environment"), Ref: rt.Input("ref"), Description: rt.Input("description"),
		URL: rt.Input("environment-url")}
	if s.Environment == "" {
		return s, action.InputErrorf("environment", "is empty: name the environment deployed to (staging, production)")
	}
	if s.Ref == "" {
		s.Ref = sha
	}
	if s.Ref == "" {
		return s, action.InputErrorf("ref", "is empty and GITHUB_SHA is not set: give the commit deployed")
	}
	p, err := rt.Enum("production", "auto", "true", "false")
	if err != nil {
		return s, err
	}
	if p != "auto" {
		b := p == "true"
		s.Production = &b
	}
	if s.Payload.Rollback, err = rt.Bool("rollback"); err != nil {
		return s, err
	}
	if dir := rt.Input("files"); dir != "" {
		jail, err := rt.Jail()
		if err != nil {
			return s, err
		}
		if err := readPayload(jail, dir, &s.Payload); err != nil {
			var refused *action.PathError
			if errors.As(err, &refused) {
				return s, err
			}
			return s, action.InputErrorf("files", "%v", err)
		}
	}
	if s.Description == "" && s.Payload.Version != "" {
		s.Description = s.Payload.Version + " " + s.Payload.Digest
	}
	return s, nil
}

// readPayload reads deployment.json and the file names in dir through the
// workspace jail: dir inside the workspace after symlinks, deployment.json
// a regular file of at most 1 MiB; only regular files are listed.
func readPayload(jail *action.Workspace, dir string, p *deploy.Payload) error {
	rel, err := jail.Rel("files", dir)
	if err != nil {
		return err
	}
	data, err := jail.ReadFile("files", path.Join(rel, "deployment.json"), action.KindText)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no deployment.json in %s (the manifest action writes one)", dir)
	}
	if err != nil {
		return err
	}
	var d struct {
		Image, Digest, Version string
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("%s/deployment.json is not valid JSON: %w", dir, err)
	}
	p.Image, p.Digest, p.Version = d.Image, d.Digest, d.Version
	entries, err := jail.ReadDir("files", rel)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && len(p.Files) < 256 {
			p.Files = append(p.Files, e.Name())
		}
	}
	return nil
}

func setOutputs(rt *action.Runtime, f *deploy.Finished, p *deploy.Payload) error {
	replaced := ""
	if len(f.Replaced) > 0 {
		replaced = strconv.FormatInt(f.Replaced[0], 10)
	}
	return errors.Join(
		rt.SetOutput("deployment-id", strconv.FormatInt(f.ID, 10)),
		rt.SetOutput("state", f.State),
		rt.SetOutput("replaced", replaced),
		rt.SetOutputJSON("json", map[string]any{"id": f.ID, "state": f.State, "replaced": f.Replaced, "payload": p}),
	)
}

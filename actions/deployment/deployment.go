package deploymentaction

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

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
		if err := readPayload(rt.Workspace(), dir, &s.Payload); err != nil {
			return s, action.InputErrorf("files", "%v", err)
		}
	}
	if s.Description == "" && s.Payload.Version != "" {
		s.Description = s.Payload.Version + " " + s.Payload.Digest
	}
	return s, nil
}

// readPayload reads deployment.json and the file names in dir, which must
// be inside the workspace (symlinks included).
func readPayload(ws, dir string, p *deploy.Payload) error {
	if filepath.IsAbs(dir) || dir == ".." || strings.HasPrefix(filepath.Clean(dir), ".."+string(filepath.Separator)) {
		return fmt.Errorf("%q is not a folder inside the workspace", dir)
	}
	root, err := os.OpenRoot(ws)
	if err != nil {
		return err
	}
	defer root.Close()
	sub, err := root.OpenRoot(filepath.Clean(dir))
	if err != nil {
		return fmt.Errorf("cannot open %s inside the workspace: %w", dir, err)
	}
	defer sub.Close()
	f, err := sub.Open("deployment.json")
	if err != nil {
		return fmt.Errorf("no deployment.json in %s (the manifest action writes one): %w", dir, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s/deployment.json is not a regular file", dir)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
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
	dh, err := sub.Open(".")
	if err != nil {
		return err
	}
	defer dh.Close()
	names, err := dh.Readdirnames(256)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		if fi, err := sub.Lstat(n); err == nil && fi.Mode().IsRegular() {
			p.Files = append(p.Files, n)
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

package deploymentaction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func env(fake *githubfake.Server) map[string]string {
	return map[string]string{"GITHUB_REPOSITORY": fake.Owner() + "/" + fake.Repo(), "GITHUB_API_URL": fake.APIURL(),
		"GITHUB_SERVER_URL": fake.URL, "GITHUB_SHA": fake.Head(), "GITHUB_RUN_ID": "42"}
}

func TestStartAndFinish(t *testing.T) {
	fake := githubfake.Start(t, githubfake.Options{})
	ws := t.TempDir()
	dir := filepath.Join(ws, "dist", "deploy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for n, c := range map[string]string{
		"deployment.json":               `{"image":"ghcr.io/org/app","digest":"sha256:abc","version":"1.2.3"}`,
		"docker-compose.production.yml": "services: {}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Env: env(fake), Inputs: map[string]string{
		"step": "start", "environment": "production", "files": "dist/deploy", "github-token": "tok"}})
	if start.ExitCode != 0 {
		t.Fatalf("start: exit %d\n%s\n%s", start.ExitCode, start.Stdout, start.Stderr)
	}
	id := start.Outputs["deployment-id"]
	if id == "" || start.Outputs["state"] != "in_progress" {
		t.Fatalf("outputs %v", start.Outputs)
	}
	ds := fake.Deployments()
	if len(ds) != 1 || !ds[0].Production || ds[0].Description != "1.2.3 sha256:abc" ||
		!strings.Contains(string(ds[0].Payload), `"files":["deployment.json","docker-compose.production.yml"]`) {
		t.Errorf("deployment %+v payload %s", ds, ds[0].Payload)
	}
	finish := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Env: env(fake), Inputs: map[string]string{
		"step": "finish", "deployment-id": id, "job-status": "success", "github-token": "tok"}})
	if finish.ExitCode != 0 || finish.Outputs["state"] != "success" {
		t.Fatalf("finish: exit %d %v\n%s", finish.ExitCode, finish.Outputs, finish.Stderr)
	}
	if got := strings.Join(fake.Deployments()[0].States, ","); got != "in_progress,success" {
		t.Errorf("states %s", got)
	}
}

func TestBadInputs(t *testing.T) {
	fake := githubfake.Start(t, githubfake.Options{})
	ws := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "deployment.json"), []byte(`{"digest":"sha256:secret"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		inputs map[string]string
		input  string
	}{
		"step":        {map[string]string{"step": "deploy"}, "step"},
		"environment": {map[string]string{"step": "start"}, "environment"},
		"outside":     {map[string]string{"step": "start", "environment": "x", "files": "../x"}, "files"},
		"symlink":     {map[string]string{"step": "start", "environment": "x", "files": "link"}, "files"},
		"production":  {map[string]string{"step": "start", "environment": "x", "production": "maybe"}, "production"},
		"id":          {map[string]string{"step": "finish", "deployment-id": "abc", "job-status": "success"}, "deployment-id"},
		"job-status":  {map[string]string{"step": "finish", "deployment-id": "5", "job-status": "skipped"}, "job-status"},
		"token":       {map[string]string{"step": "start", "environment": "x", "github-token": ""}, "github-token"},
	} {
		t.Run(name, func(t *testing.T) {
			in := map[string]string{"github-token": "tok"}
			for k, v := range c.inputs {
				in[k] = v
			}
			res := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Env: env(fake), Inputs: in})
			if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, c.input) {
				t.Errorf("exit %d, want 2 naming %s:\n%s\n%s", res.ExitCode, c.input, res.Stdout, res.Stderr)
			}
			if len(fake.Deployments()) != 0 {
				t.Errorf("a deployment was created")
			}
		})
	}
}

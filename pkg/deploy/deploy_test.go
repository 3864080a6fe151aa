package deploy

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
)

func target(t *testing.T) (Target, *githubfake.Server) {
	t.Helper()
	fake := githubfake.Start(t, githubfake.Options{})
	c, _, err := githubapi.New(githubapi.Options{APIURL: fake.APIURL(), Token: "t",
		Retry: []githubapi.TransportOption{githubapi.WithClock(time.Now, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }), githubapi.WithoutJitter()}})
	if err != nil {
		t.Fatal(err)
	}
	return Target{Client: c, Owner: fake.Owner(), Repo: fake.Repo()}, fake
}

func states(fake *githubfake.Server) map[int64]string {
	out := map[int64]string{}
	for _, d := range fake.Deployments() {
		out[d.ID] = strings.Join(d.States, ",")
	}
	return out
}

func TestStagingThenProduction(t *testing.T) {
	tg, fake := target(t)
	ctx := context.Background()
	sha := fake.Head()
	deployOnce := func(env, digest string, final string) (int64, *Finished) {
		t.Helper()
		id, _, err := Begin(ctx, tg, Start{Environment: env, Ref: sha, Payload: Payload{Image: "ghcr.io/org/app", Digest: digest, Version: "1.0.0"},
			Description: "1.0.0 " + digest, LogURL: "https://github.com/org/app/actions/runs/1"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := End(ctx, tg, id, final, "done", "", "https://app.example.com")
		if err != nil {
			t.Fatal(err)
		}
		return id, f
	}
	s1, _ := deployOnce("staging", "sha256:aa", StateSuccess)
	s2, f := deployOnce("staging", "sha256:bb", StateSuccess)
	// Staging is not production: GitHub's auto_inactive replaces s1.
	if got := states(fake); got[s1] != "in_progress,success,inactive" || got[s2] != "in_progress,success" {
		t.Errorf("staging states %v", got)
	}
	if len(f.Replaced) != 0 {
		t.Errorf("replaced %v: GitHub already did it", f.Replaced)
	}
	p1, _ := deployOnce("production", "sha256:aa", StateSuccess)
	p2, f := deployOnce("production", "sha256:bb", StateFailure)
	if len(f.Replaced) != 0 {
		t.Errorf("a failed deployment replaced %v", f.Replaced)
	}
	p3, f := deployOnce("production", "sha256:bb", StateSuccess)
	got := states(fake)
	if got[p1] != "in_progress,success,inactive" || got[p2] != "in_progress,failure" || got[p3] != "in_progress,success" {
		t.Errorf("production states %v", got)
	}
	if len(f.Replaced) != 1 || f.Replaced[0] != p1 {
		t.Errorf("replaced %v, want [%d]", f.Replaced, p1)
	}
	for _, d := range fake.Deployments() {
		var p Payload
		if err := json.Unmarshal(d.Payload, &p); err != nil || p.Image != "ghcr.io/org/app" || !strings.HasPrefix(p.Digest, "sha256:") {
			t.Errorf("payload %s (%v)", d.Payload, err)
		}
		if d.Production != (d.Environment == "production") {
			t.Errorf("deployment %d production=%v", d.ID, d.Production)
		}
	}

	// Starting again with the digest the environment already runs records
	// nothing; after the failed p2 above, the same digest was recorded anew.
	again, current, err := Begin(ctx, tg, Start{Environment: "production", Ref: sha, Payload: Payload{Digest: "sha256:bb"}})
	if err != nil || !current || again != p3 {
		t.Errorf("re-run start: %d %v %v, want the current deployment %d", again, current, err, p3)
	}

	// Ending again (a re-run of the finishing step) changes nothing.
	fake.ResetLog()
	if _, err := End(ctx, tg, p3, StateSuccess, "done", "", ""); err != nil {
		t.Fatal(err)
	}
	if n := fake.Count(http.MethodPost, "/statuses"); n != 0 {
		t.Errorf("re-run posted %d statuses", n)
	}
}

func TestFaultsAndRefusals(t *testing.T) {
	tg, fake := target(t)
	ctx := context.Background()
	if _, _, err := Begin(ctx, tg, Start{Environment: "staging", Ref: "no-such-ref"}); err == nil || !strings.Contains(err.Error(), "No ref found") {
		t.Errorf("unknown ref: %v", err)
	}
	if _, _, err := Begin(ctx, tg, Start{Ref: fake.Head()}); err == nil {
		t.Error("no environment accepted")
	}
	// A long description is cut to GitHub's 140 characters instead of refused.
	fake.Inject(githubfake.Fault{Kind: githubfake.ServerError, Method: http.MethodPost, Path: "/statuses"})
	id, _, err := Begin(ctx, tg, Start{Environment: "staging", Ref: fake.Head(), Description: strings.Repeat("x", 300)})
	if err != nil {
		t.Fatalf("a 502 on the status is retried: %v", err)
	}
	if _, err := End(ctx, tg, id, "done", "", "", ""); err == nil {
		t.Error("a state that is not final was accepted")
	}
	if _, err := End(ctx, tg, 999999, StateSuccess, "", "", ""); err == nil || !strings.Contains(err.Error(), "deployment-id") {
		t.Errorf("unknown deployment: %v", err)
	}
	// GitHub's own default merges the default branch into the ref: Begin turns it off.
	old := fake.Head()
	fake.Commit("main", "next", githubfake.Person{Name: "x", Email: "x@example.com"})
	if _, _, err := Begin(ctx, tg, Start{Environment: "staging", Ref: old}); err != nil {
		t.Errorf("deploying an older commit: %v", err)
	}
	_, _, err = tg.Client.Repositories.CreateDeployment(ctx, tg.Owner, tg.Repo, &github.DeploymentRequest{Ref: github.String(old)})
	if githubapi.StatusCode(err) != http.StatusConflict {
		t.Errorf("the fake should refuse auto_merge onto an older commit with 409, got %v", err)
	}
}

func TestEndState(t *testing.T) {
	for in, want := range map[string]string{"success": "success", "failure": "failure", "cancelled": "error", "Success": "success"} {
		if got, err := EndState(in); err != nil || got != want {
			t.Errorf("EndState(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := EndState("skipped"); err == nil {
		t.Error("skipped accepted")
	}
}

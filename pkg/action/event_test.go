package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadEvent(t *testing.T) {
	dir := t.TempDir()
	write := func(payload string) string {
		p := filepath.Join(dir, "event.json")
		if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, event, payload string
		env                  map[string]string
		check                func(t *testing.T, e *Event)
	}{
		{"push tag", "push", `{"ref":"refs/tags/v1.2.3","after":"abc","repository":{"name":"TimeTracker","full_name":"DRYTRIX/TimeTracker","default_branch":"main","owner":{"login":"DRYTRIX"},"license":{"spdx_id":"GPL-3.0"}},"head_commit":{"id":"abc","message":"feat: x","timestamp":"2024-01-09T14:30:22Z"}}`,
			map[string]string{"GITHUB_REF": "refs/tags/v1.2.3"},
			func(t *testing.T, e *Event) {
				if e.Push == nil || e.Push.HeadCommit.Message != "feat: x" || e.RefType != "tag" || e.RefName != "v1.2.3" || e.DefaultBranch != "main" || e.Repo().License != "GPL-3.0" {
					t.Errorf("%+v", e)
				}
			}},
		{"pull request", "pull_request", `{"action":"opened","number":15,"pull_request":{"number":15,"title":"t","head":{"ref":"feature","sha":"h"},"base":{"ref":"main","sha":"b"}},"repository":{"full_name":"o/r"}}`,
			map[string]string{"GITHUB_REF": "refs/pull/15/merge"},
			func(t *testing.T, e *Event) {
				if e.PullRequest == nil || e.PullRequest.Number != 15 || e.PullRequest.PullRequest.Head.Ref != "feature" {
					t.Errorf("%+v", e.PullRequest)
				}
			}},
		{"release", "release", `{"action":"published","release":{"id":7,"tag_name":"v2.0.0","prerelease":true},"repository":{"full_name":"o/r"}}`, nil,
			func(t *testing.T, e *Event) {
				if e.Release == nil || e.Release.Release.TagName != "v2.0.0" || !e.Release.Release.Prerelease {
					t.Errorf("%+v", e.Release)
				}
			}},
		{"dispatch", "workflow_dispatch", `{"ref":"refs/heads/main","inputs":{"version":"1.4.0","force":true}}`, nil,
			func(t *testing.T, e *Event) {
				if e.WorkflowDispatch.Input("version") != "1.4.0" || e.WorkflowDispatch.Input("force") != "true" {
					t.Errorf("%+v", e.WorkflowDispatch)
				}
			}},
		{"enterprise server", "push", `{}`, map[string]string{"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_API_URL": "https://ghe.example.com/api/v3", "GITHUB_RUN_ATTEMPT": "3", "GITHUB_RUN_ID": "42"},
			func(t *testing.T, e *Event) {
				if e.ServerURL != "https://ghe.example.com" || e.APIURL != "https://ghe.example.com/api/v3" || e.RunAttempt != 3 || e.RunID != 42 {
					t.Errorf("%+v", e)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"GITHUB_EVENT_NAME": tc.event, "GITHUB_EVENT_PATH": write(tc.payload), "GITHUB_REPOSITORY": "o/r"}
			for k, v := range tc.env {
				env[k] = v
			}
			e, err := ReadEvent(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, e)
		})
	}
	if _, err := ReadEvent(func(k string) string {
		return map[string]string{"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": write("{not json")}[k]
	}); err == nil {
		t.Error("corrupt payload accepted")
	}
}

func TestEventPathSpecialFileRefused(t *testing.T) {
	for _, p := range []string{"/dev/zero", "/proc/self/environ"} {
		_, err := ReadEvent(func(k string) string {
			if k == "GITHUB_EVENT_PATH" {
				return p
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
			t.Errorf("%s: %v", p, err)
		}
	}
}

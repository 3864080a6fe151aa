package provenance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

var ghEnv = map[string]string{
	"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "org/app", "GITHUB_REPOSITORY_ID": "42",
	"GITHUB_REPOSITORY_OWNER_ID": "7", "GITHUB_WORKFLOW_REF": "org/app/.github/workflows/release@v2.yml@refs/tags/v1.2.3",
	"GITHUB_REF": "refs/tags/v1.2.3", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_EVENT_NAME": "workflow_dispatch",
	"GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "2", "RUNNER_ENVIRONMENT": "github-hosted",
}

const (
	idx = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	amd = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func TestStatement(t *testing.T) {
	b, err := FromGitHub(env(ghEnv), []byte(`{"inputs":{"environment":"production","dry-run":false}}`))
	if err != nil {
		t.Fatal(err)
	}
	b.Parameters = map[string]string{"platforms": "linux/amd64,linux/arm64"}
	var subs []Subject
	for _, d := range []string{amd, idx} {
		s, err := SubjectFor("ghcr.io/org/app", d)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	st, err := New(b, subs)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := st.Marshal()
	if !bytes.Equal(raw, again) {
		t.Error("not deterministic")
	}
	back, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(back.Digests(), ","); got != idx+","+amd {
		t.Errorf("digests %s", got)
	}
	p := back.Predicate
	if w := p.BuildDefinition.ExternalParameters.Workflow; w.Path != ".github/workflows/release@v2.yml" || w.Ref != "refs/tags/v1.2.3" || w.Repository != "https://github.com/org/app" {
		t.Errorf("workflow %+v", w)
	}
	if id := p.RunDetails.Builder.ID; id != "https://github.com/org/app/.github/workflows/release@v2.yml@refs/tags/v1.2.3" {
		t.Errorf("builder %s", id)
	}
	dep := p.BuildDefinition.ResolvedDependencies[0]
	if dep.URI != "git+https://github.com/org/app@refs/tags/v1.2.3" || dep.Digest["gitCommit"] != ghEnv["GITHUB_SHA"] {
		t.Errorf("source %+v", dep)
	}
	if p.RunDetails.Metadata.InvocationID != "https://github.com/org/app/actions/runs/99/attempts/2" {
		t.Errorf("invocation %s", p.RunDetails.Metadata.InvocationID)
	}
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	ext := generic["predicate"].(map[string]any)["buildDefinition"].(map[string]any)["externalParameters"].(map[string]any)
	if ext["inputs"].(map[string]any)["environment"] != "production" || ext["build"].(map[string]any)["platforms"] != "linux/amd64,linux/arm64" {
		t.Errorf("inputs not recorded: %v", ext)
	}
}

func TestFromGitHubErrors(t *testing.T) {
	if _, err := FromGitHub(env(nil), nil); err == nil || !strings.Contains(err.Error(), "GITHUB_REPOSITORY, GITHUB_SHA") {
		t.Errorf("err = %v", err)
	}
	if _, err := FromGitHub(env(ghEnv), []byte("{")); err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("err = %v", err)
	}
	if _, err := SubjectFor("x", "sha256:12"); err == nil {
		t.Error("short digest accepted")
	}
	if _, err := New(Build{}, nil); err == nil {
		t.Error("no subjects accepted")
	}
}

func FuzzParse(f *testing.F) {
	b, _ := FromGitHub(env(ghEnv), nil)
	s, _ := SubjectFor("x", idx)
	st, _ := New(b, []Subject{s})
	raw, _ := st.Marshal()
	f.Add(raw)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := Parse(raw)
		if err != nil {
			return
		}
		if len(st.Subject) == 0 {
			t.Fatal("parsed a statement without subjects")
		}
		_ = st.Digests()
	})
}

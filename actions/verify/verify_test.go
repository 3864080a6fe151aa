package verifyaction_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	verifyaction "github.com/org/timetracker-ci/actions/verify"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
	"github.com/org/timetracker-ci/pkg/supplychain"
)

var ghEnv = map[string]string{
	"GITHUB_REPOSITORY": "org/app", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_REF": "refs/tags/v1.0.0",
	"GITHUB_WORKFLOW_REF": "org/app/.github/workflows/cd-release.yml@refs/tags/v1.0.0", "GITHUB_SERVER_URL": "https://github.com",
}

// TestAttestThenVerify verifies a pushed index before and after its SBOMs
// and provenance are attached, with its deployment file.
func TestAttestThenVerify(t *testing.T) {
	host := registrytest.StartDistribution(t, "", "")
	repo := host + "/org/app"
	idx := sbomtest.DebianPythonIndex(t)
	d, _ := idx.Digest()
	ref, _ := name.ParseReference(repo+":1.0.0", name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ws, "deploy", "docker-compose.production.yml"), []byte("services:\n  app:\n    image: "+repo+":1.0.0@"+d.String()+"\n"), 0o644)
	os.WriteFile(filepath.Join(ws, "deploy", "SHA256SUMS"), []byte("x  y\n"), 0o644)

	verifyCase := actiontest.Case{Dir: ws, Args: []string{repo + ":1.0.0", "--tags", "1.0.0", "--deployment-files", "deploy", "--insecure-registries", host}}
	res := actiontest.Run(t, verifyaction.Action(), verifyCase)
	if res.ExitCode == 0 || !strings.Contains(res.Stdout+res.Stderr, "sbom linux/amd64") {
		t.Fatalf("verify before attest: exit %d, want a failure naming the SBOM gap\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}

	b, err := provenance.FromGitHub(func(k string) string { return ghEnv[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := supplychain.Attest(context.Background(), registry.New(registry.WithInsecure(host)), supplychain.AttestRequest{Image: repo + "@" + d.String(), Build: b}); err != nil {
		t.Fatal(err)
	}

	res = actiontest.Run(t, verifyaction.Action(), verifyCase)
	if res.ExitCode != 0 || res.Outputs["ok"] != "true" {
		t.Fatalf("verify after attest: exit %d\n%s%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "verified: 8 checks passed") {
		t.Errorf("no verdict line:\n%s", res.Stdout)
	}

	// A platform the index lacks: named.
	bad := verifyCase
	bad.Args = append(append([]string(nil), verifyCase.Args...), "--platforms", "linux/amd64,linux/riscv64")
	res = actiontest.Run(t, verifyaction.Action(), bad)
	if res.ExitCode == 0 || !strings.Contains(res.Outputs["gaps"], "platform linux/riscv64") {
		t.Errorf("missing platform: exit %d gaps %s", res.ExitCode, res.Outputs["gaps"])
	}
}

func TestVerifyBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--image", "Not A Ref"}, "image"},
		{[]string{"r.example/app:1", "--sbom-format", "xml"}, "sbom-format"},
		{[]string{"r.example/app:1", "--deployment-files", "../etc"}, "deployment-files"},
		{[]string{"r.example/app:1", "--platforms", "linux"}, "platforms"},
	} {
		res := actiontest.Run(t, verifyaction.Action(), actiontest.Case{Dir: t.TempDir(), Args: tc.args})
		if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 naming %s\n%s%s", tc.args, res.ExitCode, tc.want, res.Stdout, res.Stderr)
		}
	}
}

package attestaction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

var ghEnv = map[string]string{
	"GITHUB_REPOSITORY": "org/app", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_REF": "refs/tags/v1.0.0",
	"GITHUB_WORKFLOW_REF": "org/app/.github/workflows/cd-release.yml@refs/tags/v1.0.0", "GITHUB_SERVER_URL": "https://github.com",
}

func TestAttest(t *testing.T) {
	host := registrytest.New(t, nil)
	repo := host + "/org/app"
	idx := sbomtest.DebianPythonIndex(t)
	d, _ := idx.Digest()
	ref, _ := name.ParseReference(repo+"@"+d.String(), name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	c := actiontest.Case{Dir: ws, Env: ghEnv, Inputs: map[string]string{
		"image": repo + "@" + d.String(), "insecure-registries": host, "build-parameters": "platforms=linux/amd64,linux/arm64\n# comment",
	}}
	first := actiontest.Run(t, Action(), c)
	if first.ExitCode != 0 {
		t.Fatalf("exit %d\n%s%s", first.ExitCode, first.Stdout, first.Stderr)
	}
	if got := first.Outputs["sboms"]; got != `["dist/attestations/sbom-linux-amd64.spdx.json","dist/attestations/sbom-linux-arm64.spdx.json"]` {
		t.Errorf("sboms output %s", got)
	}
	sbom, _ := os.ReadFile(filepath.Join(ws, first.Outputs["sbom"]))
	if !strings.Contains(string(sbom), `"name": "Flask"`) || strings.Contains(string(sbom), "urllib3") {
		t.Errorf("SBOM:\n%.600s", sbom)
	}
	prov, _ := os.ReadFile(filepath.Join(ws, first.Outputs["provenance"]))
	st, err := provenance.Parse(prov)
	if err != nil || len(st.Digests()) != 3 || st.Predicate.BuildDefinition.ExternalParameters.Build["platforms"] != "linux/amd64,linux/arm64" {
		t.Errorf("provenance %v: %s", err, prov)
	}
	refs, err := registry.New(registry.WithInsecure(host)).Referrers(t.Context(), repo, d.String())
	if err != nil || len(refs) != 1 {
		t.Errorf("referrers of the index: %+v %v", refs, err)
	}

	// A re-run attaches nothing and writes the same files.
	again := actiontest.Run(t, Action(), c)
	sbom2, _ := os.ReadFile(filepath.Join(ws, again.Outputs["sbom"]))
	prov2, _ := os.ReadFile(filepath.Join(ws, again.Outputs["provenance"]))
	if again.ExitCode != 0 || string(sbom2) != string(sbom) || string(prov2) != string(prov) || !strings.Contains(again.Stdout, "already attached") {
		t.Errorf("re-run: exit %d\n%s", again.ExitCode, again.Stdout)
	}
}

func TestAttestBadInput(t *testing.T) {
	for _, tc := range []struct {
		inputs map[string]string
		env    map[string]string
		want   string
	}{
		{map[string]string{"image": "r.example/app:1", "sbom-format": "xml"}, ghEnv, "sbom-format"},
		{map[string]string{"image": "r.example/app:1", "output-dir": "../out"}, ghEnv, "output-dir"},
		{map[string]string{"image": "r.example/app:1", "max-binary-size": "0"}, ghEnv, "max-binary-size"},
		{map[string]string{"image": "r.example/app:1", "build-parameters": "novalue"}, ghEnv, "build-parameters"},
		{map[string]string{"image": "r.example/app:1"}, nil, "provenance"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: t.TempDir(), Env: tc.env, Inputs: tc.inputs})
		if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 naming %s\n%s%s", tc.inputs, res.ExitCode, tc.want, res.Stdout, res.Stderr)
		}
	}
}

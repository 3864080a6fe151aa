package scanaction

import (
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/sbom"
)

// workspace holds an SBOM with requests 2.31.0 and Flask 3.0.0 and the
// vulnscan fixture records.
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	doc, err := sbom.SPDX(sbom.Subject{Name: "r/app", Digest: "sha256:" + strings.Repeat("b", 64)}, []sbom.Package{
		{Type: sbom.TypePython, Name: "requests", Version: "2.31.0", Location: "/site/requests-2.31.0.dist-info/METADATA"},
		{Type: sbom.TypePython, Name: "Flask", Version: "3.1.0", Location: "/site/flask-3.1.0.dist-info/METADATA"},
	})
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(ws, "dist"), 0o755)
	os.WriteFile(filepath.Join(ws, "dist", "sbom.json"), doc, 0o644)
	os.MkdirAll(filepath.Join(ws, "osv"), 0o755)
	data, err := os.ReadFile("../../pkg/vulnscan/testdata/osv/FIXTURE-2026-0001.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ws, "osv", "FIXTURE-2026-0001.json"), data, 0o644)
	return ws
}

func TestScanFailsAboveThreshold(t *testing.T) {
	ws := workspace(t)
	c := actiontest.Case{Dir: ws, Inputs: map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv"}}
	res := actiontest.Run(t, Action(), c)
	if res.ExitCode != 1 || res.Outputs["failing"] != "1" || !strings.Contains(res.Stderr+res.Stdout, "FIXTURE-2026-0001") {
		t.Fatalf("exit %d outputs %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	sarif, err := os.ReadFile(filepath.Join(ws, "dist/scan/vulnerabilities.sarif"))
	if err != nil || !strings.Contains(string(sarif), `"ruleId": "FIXTURE-2026-0001"`) {
		t.Errorf("SARIF not written before failing: %v", err)
	}

	c.Inputs["severity-threshold"] = "critical"
	if res := actiontest.Run(t, Action(), c); res.ExitCode != 0 || res.Outputs["findings"] != "1" {
		t.Errorf("threshold critical: exit %d %v", res.ExitCode, res.Outputs)
	}

	os.MkdirAll(filepath.Join(ws, ".github"), 0o755)
	os.WriteFile(filepath.Join(ws, ".github", "vulnerability-ignore.yml"), []byte("ignore:\n  - id: FIXTURE-2026-0001\n    expires: 2999-01-01\n    reason: fixture\n"), 0o644)
	delete(c.Inputs, "severity-threshold")
	if res := actiontest.Run(t, Action(), c); res.ExitCode != 0 || res.Outputs["failing"] != "0" {
		t.Errorf("ignored: exit %d %v\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}
}

func TestScanBadInput(t *testing.T) {
	ws := workspace(t)
	os.WriteFile(filepath.Join(ws, "bad-ignore.yml"), []byte("ignore:\n  - id: X\n    reason: no date\n"), 0o644)
	for _, tc := range []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv", "severity-threshold": "severe"}, "severity-threshold"},
		{map[string]string{"osv-database": "osv"}, "sboms"},
		{map[string]string{"sboms": "../x.json", "osv-database": "osv"}, "sboms"},
		{map[string]string{"sboms": "dist/missing.json", "osv-database": "osv"}, "sboms"},
		{map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv", "ignore-file": "bad-ignore.yml"}, "ignore-file"},
		{map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv", "ignore-file": "missing.yml"}, "ignore-file"},
		{map[string]string{"sboms": "dist/sbom.json", "osv-database": "nowhere"}, "osv-database"},
		{map[string]string{"sboms": "dist/sbom.json", "osv-database": "osv", "sarif-file": "/tmp/x.sarif"}, "sarif-file"},
	} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Inputs: tc.inputs})
		if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 naming %s\n%s%s", tc.inputs, res.ExitCode, tc.want, res.Stdout, res.Stderr)
		}
	}
}

func TestScanImageArchive(t *testing.T) {
	ws := workspace(t)
	tag, _ := name.NewTag("app:ci-test")
	if err := tarball.WriteToFile(filepath.Join(ws, "image.tar"), tag, sbomtest.DebianPythonImage(t)); err != nil {
		t.Fatal(err)
	}
	// requests 2.31.0 is in the image: the fixture record fails the run.
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Inputs: map[string]string{"image-archive": "image.tar", "osv-database": "osv"}})
	if res.ExitCode != 1 || res.Outputs["failing"] != "1" {
		t.Fatalf("exit %d %v\n%s%s", res.ExitCode, res.Outputs, res.Stdout, res.Stderr)
	}
	doc, err := os.ReadFile(filepath.Join(ws, "dist/scan/sbom.spdx.json"))
	if err != nil || !strings.Contains(string(doc), `"name": "requests"`) {
		t.Errorf("sbom-file: %v", err)
	}
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: ws, Inputs: map[string]string{"image-archive": "nothing.tar", "osv-database": "osv"}})
	if res.ExitCode != 2 || !strings.Contains(res.Stdout+res.Stderr, "image-archive") {
		t.Errorf("missing archive: exit %d", res.ExitCode)
	}
}

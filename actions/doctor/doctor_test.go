package doctoraction

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

func TestFixtureFailsWithEveryFinding(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: root, Inputs: map[string]string{"path": "pkg/doctor/testdata/mistakes", "format": "json"}})
	if res.ExitCode != 1 {
		t.Fatalf("exit %d, want 1 (errors found)\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["errors"] != "6" || res.Outputs["warnings"] != "8" {
		t.Errorf("errors %q, warnings %q; want 6 and 8", res.Outputs["errors"], res.Outputs["warnings"])
	}
	var fs []struct{ Rule, File string }
	if err := json.Unmarshal([]byte(res.Outputs["json"]), &fs); err != nil || len(fs) != 14 {
		t.Fatalf("json output: %v, %d findings; want 14", err, len(fs))
	}
	if !strings.Contains(res.Stdout, `"rule": "migration-heads"`) {
		t.Errorf("--format json printed no JSON:\n%s", res.Stdout)
	}
}

func TestExampleAppPasses(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: root, Inputs: map[string]string{"path": "examples/timetracker"}})
	if res.ExitCode != 0 || res.Outputs["errors"] != "0" || res.Outputs["warnings"] != "0" || res.Outputs["json"] != "[]" {
		t.Errorf("exit %d, outputs %v\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}
}

func TestWarningsAlonePass(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCMD [\"/app\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{}})
	if res.ExitCode != 0 || res.Outputs["warnings"] != "2" {
		t.Errorf("exit %d, outputs %v: want 0 with 2 warnings\n%s", res.ExitCode, res.Outputs, res.Stdout)
	}
}

func TestBadInput(t *testing.T) {
	for _, in := range []map[string]string{{"path": "nope"}, {"format": "xml"}, {"tiers": "unit: {marker: 'unit and'}"}} {
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: t.TempDir(), Inputs: in})
		if res.ExitCode != 2 || len(res.Outputs) != 0 {
			t.Errorf("%v: exit %d, outputs %v; want 2 and none", in, res.ExitCode, res.Outputs)
		}
	}
}

package tiers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestApplyShards(t *testing.T) {
	for _, c := range []struct {
		spec []string
		want string // name=shards of every default tier, or the error's text
	}{
		{nil, "smoke=1 unit=1 integration=1 security=1 database=1"},
		{[]string{"3"}, "smoke=3 unit=3 integration=3 security=3 database=3"},
		{[]string{"2", "unit=4"}, "smoke=2 unit=4 integration=2 security=2 database=2"},
		{[]string{" unit = 4 "}, "smoke=1 unit=4 integration=1 security=1 database=1"},
		{[]string{"0"}, "give a number of shards from 1 to 256"},
		{[]string{"257"}, "give a number of shards from 1 to 256"},
		{[]string{"unit=x"}, "give a number of shards"},
		{[]string{"nope=2"}, `"nope=2" names no defined tier`},
	} {
		defs := Defaults()
		got, err := ApplyShards(defs, c.spec)
		var text string
		if err != nil {
			text = err.Error()
		} else {
			var parts []string
			for _, tr := range got {
				parts = append(parts, tr.Name+"="+strconv.Itoa(tr.Shards))
			}
			text = strings.Join(parts, " ")
		}
		if !strings.Contains(text, c.want) {
			t.Errorf("ApplyShards(%q) = %s, want %s", c.spec, text, c.want)
		}
		for i := range defs {
			if defs[i].Shards != Defaults()[i].Shards {
				t.Errorf("ApplyShards(%q) changed its argument", c.spec)
			}
		}
	}
}

func TestDecodePlan(t *testing.T) {
	good, err := json.Marshal(&Plan{Version: PlanVersion, Tiers: []TierPlan{{Tier: Tier{Name: "unit"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := DecodePlan(string(good)); err != nil || p.Tiers[0].Name != "unit" {
		t.Errorf("DecodePlan(good) = %+v, %v", p, err)
	}
	for text, want := range map[string]string{
		"not json": "pass its plan output unchanged",
		`{"version":99,"tiers":[{"name":"unit"}]}`: "plan and run with the same release",
		`{"version":1,"tiers":[]}`:                 "0 tiers",
	} {
		if _, err := DecodePlan(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodePlan(%q) = %v, want an error with %q", text, err, want)
		}
	}
}

func TestWorkDir(t *testing.T) {
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{"": ws, ".": ws, "app": filepath.Join(ws, "app"), filepath.Join(ws, "app"): filepath.Join(ws, "app")} {
		if got, err := WorkDir(ws, dir); err != nil || got != want {
			t.Errorf("WorkDir(%q) = %q, %v, want %q", dir, got, err, want)
		}
	}
	for _, dir := range []string{"missing", "file"} {
		if _, err := WorkDir(ws, dir); err == nil || !strings.Contains(err.Error(), dir+" is not a directory of the workspace") {
			t.Errorf("WorkDir(%q) = %v, want an error naming it", dir, err)
		}
	}
}

func TestResultGlobsAndClearResults(t *testing.T) {
	p := &Plan{Version: PlanVersion, ResultsDir: "test-results", Tiers: []TierPlan{{Tier: Tier{Name: "unit"}}, {Tier: Tier{Name: "smoke"}}}}
	junit, cov := p.ResultGlobs()
	if strings.Join(junit, " ") != "test-results/junit-unit-*.xml test-results/junit-smoke-*.xml" ||
		strings.Join(cov, " ") != "test-results/coverage-unit-*.xml test-results/coverage-smoke-*.xml" {
		t.Errorf("ResultGlobs = %q, %q", junit, cov)
	}
	dir := t.TempDir()
	if err := p.ClearResults(dir); err != nil {
		t.Errorf("no results directory yet: %v", err)
	}
	rd := filepath.Join(dir, "test-results")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{ // name: removed
		"junit-unit-1.xml": true, "coverage-unit-2-a3.xml": true, "junit-smoke-1.xml": true,
		"junit-database-1.xml": false, "timings.json": false, "notes-unit-1.xml": false,
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(rd, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.ClearResults(dir); err != nil {
		t.Fatal(err)
	}
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(rd, name))
		if gone := os.IsNotExist(err); gone != removed {
			t.Errorf("%s: removed %v, want %v", name, gone, removed)
		}
	}
}

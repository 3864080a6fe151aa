package tiers

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultsValid(t *testing.T) {
	ds := Defaults()
	var names []string
	for _, d := range ds {
		if err := d.Validate(); err != nil {
			t.Error(err)
		}
		names = append(names, d.Name)
	}
	if got := strings.Join(names, ","); got != "smoke,unit,integration,security,database" {
		t.Errorf("default tiers = %s", got)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   []Tier
		errSub string
	}{
		{
			name: "mapping overrides a built-in and adds one",
			in:   "unit:\n  marker: unit and not slow\n  shards: 4\n  timeout: 90s\nslow:\n  timeout-minutes: 30\n  args: [--durations=10]\n  workers: auto\n",
			want: []Tier{
				{Name: "unit", Marker: "unit and not slow", Timeout: 2, Coverage: true, Shards: 4},
				{Name: "slow", Marker: "slow", Timeout: 30, Shards: 1, Args: []string{"--durations=10"}, Workers: "auto"},
			},
		},
		{
			name: "list form, empty marker runs everything",
			in:   "- name: all\n  marker: ''\n  needs-database: true\n  paths: ['tests/**/*.py']\n",
			want: []Tier{{Name: "all", Marker: "", Timeout: 10, Shards: 1, NeedsDatabase: true, Paths: []string{"tests/**/*.py"}}},
		},
		{name: "null body takes defaults", in: "smoke:\n", want: []Tier{Defaults()[0]}},
		{name: "typo", in: "unit:\n  marke: unit\n", errSub: `unknown setting "marke" at line 2`},
		{name: "bad marker", in: "unit:\n  marker: unit &&\n", errSub: "character '&'"},
		{name: "bad timeout", in: "unit:\n  timeout: soon\n", errSub: `timeout "soon"`},
		{name: "too long", in: "unit:\n  timeout: 400\n", errSub: "outside 1..360"},
		{name: "zero shards", in: "unit:\n  shards: 0\n", errSub: "shards 0 is outside"},
		{name: "bad name", in: "Unit Tests:\n  marker: unit\n", errSub: `tier name "Unit Tests"`},
		{name: "twice", in: "- name: a\n- name: a\n", errSub: "defined twice"},
		{name: "scalar", in: "unit", errSub: "expected a mapping"},
		{name: "empty", in: "", errSub: "empty"},
		{name: "bad workers", in: "unit:\n  workers: many\n", errSub: `workers "many"`},
		{name: "bad yaml", in: "unit: [\n", errSub: "not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tiers.yml"), []byte("smoke: {shards: 2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := Load(ctx, dir, "tiers.yml")
	if err != nil || len(got) != 1 || got[0].Shards != 2 {
		t.Fatalf("from file: %+v, %v", got, err)
	}
	got, err = Load(ctx, dir, "smoke: {shards: 3}")
	if err != nil || got[0].Shards != 3 {
		t.Fatalf("inline: %+v, %v", got, err)
	}
	if got, err = Load(ctx, dir, ""); err != nil || len(got) != 5 {
		t.Fatalf("default: %d tiers, %v", len(got), err)
	}
	if _, err = Load(ctx, dir, "missing.yml"); err == nil || !strings.Contains(err.Error(), "tiers file missing.yml") {
		t.Fatalf("missing file: %v", err)
	}
	sel, err := Select(Defaults(), []string{"database", "smoke"})
	if err != nil || len(sel) != 2 || sel[0].Name != "smoke" {
		t.Fatalf("select: %+v %v", sel, err)
	}
	if _, err := Select(Defaults(), []string{"e2e"}); err == nil || !strings.Contains(err.Error(), `"e2e" is not defined`) {
		t.Fatalf("select unknown: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("unit:\n  marker: unit and not slow\n  shards: 4\n")
	f.Add("- name: a\n  timeout: 5m\n")
	f.Add("a: &x {shards: 2}\nb: *x\n")
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := Parse([]byte(in))
		if err != nil {
			return
		}
		for _, tr := range ts {
			if err := tr.Validate(); err != nil {
				t.Fatalf("Parse returned an invalid tier: %v", err)
			}
		}
	})
}

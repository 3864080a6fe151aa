package workflowcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
)

func testContracts(t *testing.T) *Contracts {
	t.Helper()
	cs, err := LoadContracts(context.Background(), filepath.Join("testdata", "repo"))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func render(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(filepath.ToSlash(f.String()))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestGolden checks the deliberately broken workflows under testdata against
// the findings recorded beside them (go test -update rewrites them).
func TestGolden(t *testing.T) {
	cs := testContracts(t)
	for _, file := range []string{
		filepath.Join("testdata", "workflows", "caller.yml"),
		filepath.Join("testdata", "repo", ".github", "workflows", "reusable.yml"),
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fs, err := CheckFiles(context.Background(), []string{file}, Options{Repo: "org/timetracker-ci", Contracts: cs})
			if err != nil {
				t.Fatal(err)
			}
			got := render(fs)
			golden.CheckString(t, strings.TrimSuffix(file, filepath.Ext(file))+".golden", got)
		})
	}
}

func TestContracts(t *testing.T) {
	cs := testContracts(t)
	demo := cs.Actions["demo"]
	if demo == nil {
		t.Fatal("actions/demo not loaded")
	}
	if p := demo.Inputs["images"]; !p.Required || p.HasDefault {
		t.Errorf("images = %+v, want required without default", p)
	}
	if p := demo.Inputs["scheme"]; !p.Required || !p.HasDefault {
		t.Errorf("scheme = %+v, want required with default", p)
	}
	if !demo.Outputs["tags"] || demo.Outputs["labels"] {
		t.Errorf("outputs = %v", demo.Outputs)
	}
	wf := cs.Workflows["reusable.yml"]
	if wf == nil {
		t.Fatal("reusable.yml not loaded as a reusable workflow")
	}
	if !wf.Secrets["registry-token"].Required || wf.Secrets["slack-webhook"].Required {
		t.Errorf("secrets = %+v", wf.Secrets)
	}
	if !wf.Outputs["version"] || len(wf.Inputs) != 2 {
		t.Errorf("contract = %+v", wf)
	}
}

func TestRules(t *testing.T) {
	cs := testContracts(t)
	tests := []struct {
		name, yaml string
		want       []string // rules, in order
	}{
		{"clean", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {contents: read}
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - run: echo "$TITLE" "${{ github.event_name }}" "${{ github.sha }}" "${{ matrix.inputs }}"
        env:
          TITLE: ${{ github.event.pull_request.title }}
`, nil},
		{"event in run", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo ${{ github.event.head_commit.message }}
`, []string{RuleRunInjection}},
		{"inputs in run", `
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo ${{inputs.name}}
`, []string{RuleRunInjection}},
		{"head_ref bracket", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo ${{ github['head_ref'] }}
`, []string{RuleRunInjection}},
		{"no permissions", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps: [{run: "true"}]
`, []string{RulePermissions}},
		{"short sha", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: actions/checkout@11bd719 # v7
`, []string{RulePin}},
		{"local action outside a reusable workflow is fine", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: ./actions/demo
        with: {images: x}
`, nil},
		{"local action in a reusable workflow", `
on: [workflow_call]
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: ./actions/demo
`, []string{RuleLocalAction, RuleRequiredInput}},
		{"caller grants less than the reusable workflow needs", `
on: push
permissions: {contents: write}
jobs:
  call:
    permissions: {}
    uses: org/timetracker-ci/.github/workflows/reusable.yml@main
    with: {image: x}
    secrets: {registry-token: t}
  inherit-workflow-grant:
    uses: org/timetracker-ci/.github/workflows/reusable.yml@main
    with: {image: x}
    secrets: {registry-token: t}
`, []string{RulePermission, RulePermissions}},
		{"read-all covers read", `
on: push
jobs:
  call:
    permissions: read-all
    uses: org/timetracker-ci/.github/workflows/reusable.yml@main
    with: {image: x}
    secrets: inherit
`, nil},
		{"required input with default may be omitted", `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: org/timetracker-ci/actions/demo@v1
        with: {images: x}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf, err := Parse("t.yml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Check(wf, Options{Repo: "org/timetracker-ci", Contracts: cs}) {
				got = append(got, f.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("rules = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"- a\n- b\n", "just text", "jobs: [1, 2]\n", "a: [\n"} {
		if _, err := Parse("bad.yml", []byte(in)); err == nil {
			t.Errorf("Parse(%q) = nil error", in)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, p := range []string{
		filepath.Join("testdata", "workflows", "caller.yml"),
		filepath.Join("testdata", "repo", ".github", "workflows", "reusable.yml"),
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("on: workflow_call\njobs: {a: {steps: [{run: '${{ inputs.x }}'}]}}"))
	cs, err := LoadContracts(context.Background(), filepath.Join("testdata", "repo"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, err := Parse("fuzz.yml", data)
		if err != nil {
			return
		}
		for _, fd := range Check(wf, Options{Repo: "org/timetracker-ci", Contracts: cs}) {
			if fd.Rule == "" || fd.Message == "" {
				t.Fatalf("empty finding %+v", fd)
			}
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "workflows", "caller.yml"))
	if err != nil {
		b.Fatal(err)
	}
	cs, err := LoadContracts(context.Background(), filepath.Join("testdata", "repo"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		wf, err := Parse("caller.yml", data)
		if err != nil {
			b.Fatal(err)
		}
		Check(wf, Options{Repo: "org/timetracker-ci", Contracts: cs})
	}
}

func TestLocalActionContract(t *testing.T) {
	wf, err := Parse("t.yml", []byte(`
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - id: d
        uses: ./actions/demo
        with: {images: x, colour: red}
      - run: echo "$V"
        env:
          V: ${{ steps.d.outputs.nope }}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Check(wf, Options{Repo: "org/timetracker-ci", Contracts: testContracts(t)}) {
		got = append(got, f.Rule)
	}
	if want := []string{RuleInput, RuleOutput}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rules = %v, want %v", got, want)
	}
}

package gotestjson

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/junit"
)

func parseFile(t *testing.T, path string) ([]junit.Case, junit.Stats) {
	t.Helper()
	var cases []junit.Case
	st, err := ParseFile(context.Background(), path, func(c junit.Case) error {
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases, st
}

func find(cases []junit.Case, pkg, name string) (junit.Case, bool) {
	for _, c := range cases {
		if c.Suite == pkg && c.Name == name {
			return c, true
		}
	}
	return junit.Case{}, false
}

// testdata/mixed.json is real go test -json output of a module with a
// passing, a failing (subtests, parallel tests), a panicking (in init) and
// a non-compiling package.
func TestMixed(t *testing.T) {
	cases, st := parseFile(t, "testdata/mixed.json")
	want := junit.Stats{Suites: 4, Tests: 9, Passed: 4, Failed: 2, Errors: 2, Skipped: 1, Runs: 9}
	st.Time = 0
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	const demo = "example.com/demo/"
	two, ok := find(cases, demo+"failpkg", "TestTable/two")
	if !ok || two.Status != junit.StatusFailed || two.File != "fail_test.go" || two.Line != 9 || two.Message != "double(2) = 2, want 3" {
		t.Errorf("TestTable/two = %+v", two)
	}
	if strings.Contains(two.Detail, "=== RUN") || !strings.Contains(two.Detail, "double(2) = 2, want 3") {
		t.Errorf("TestTable/two detail = %q", two.Detail)
	}
	skip, _ := find(cases, demo+"okpkg", "TestSkipped")
	if skip.Status != junit.StatusSkipped || skip.Message != "needs postgres" {
		t.Errorf("TestSkipped = %+v", skip)
	}
	build, ok := find(cases, demo+"brokenpkg", BuildFailedName)
	if !ok || build.Status != junit.StatusError || !strings.Contains(build.Detail, "undefined: undefined") {
		t.Errorf("build failure = %+v", build)
	}
	pan, ok := find(cases, demo+"panicpkg", PackageFailedName)
	if !ok || pan.Status != junit.StatusError || pan.Message != "panic: init failed: missing DATABASE_URL" || !strings.Contains(pan.Detail, "goroutine 1") {
		t.Errorf("panic = %+v", pan)
	}
	if _, ok := find(cases, demo+"failpkg", PackageFailedName); ok {
		t.Error("failpkg has failing tests, yet a package failure was added")
	}
}

// testdata/rerun.json is a package run then its failures rerun (as
// gotestsum --rerun-fails does): TestFlaky failed then passed.
func TestRerun(t *testing.T) {
	cases, st := parseFile(t, "testdata/rerun.json")
	st.Time = 0
	want := junit.Stats{Suites: 1, Tests: 3, Passed: 2, Failed: 1, Flaky: 1, Runs: 5}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	fl, _ := find(cases, "example.com/demo/flakypkg", "TestFlaky")
	if !fl.Flaky || fl.Status != junit.StatusPassed || fl.Runs != 2 || fl.Message != "connection reset by peer" {
		t.Errorf("TestFlaky = %+v", fl)
	}
}

func TestStreamErrors(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"junit", "<testsuites/>\n", "no go test -json events found"},
		{"json-garbage", "{\"Action\": 12\n", "not go test -json output"},
		{"text", "hello\nworld\n", "no go test -json events found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(context.Background(), strings.NewReader(tt.in), func(junit.Case) error { return nil })
			var se *junit.SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want a *junit.SyntaxError containing %q", err, tt.msg)
			}
		})
	}
}

func TestCutShort(t *testing.T) {
	in := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"work\n"}
`
	var got []junit.Case
	st, err := Parse(context.Background(), strings.NewReader(in), func(c junit.Case) error { got = append(got, c); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Errors != 1 || len(got) != 1 || got[0].Name != "TestA" || !strings.Contains(got[0].Message, "cut short") || got[0].Detail != "work" {
		t.Errorf("stats %+v cases %+v", st, got)
	}
}

// The go-junit-report corpus pairs go test -json input with the JUnit
// report that tool wrote; our counts must agree with the report's.
func TestCorpus(t *testing.T) {
	dir := "../../../shared/corpus/junit/go-junit-report"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not available (%v)", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.gojson.txt"))
	if len(files) == 0 {
		t.Fatal("no *.gojson.txt in the corpus")
	}
	for _, f := range files {
		num := filepath.Base(f)[:3]
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, got := parseFile(t, f)
			want, err := junit.ParseFile(context.Background(), filepath.Join(dir, num+"-report.xml"), func(junit.Case) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			if got.Tests != want.Tests || got.Passed != want.Passed || got.Failed != want.Failed || got.Errors != want.Errors || got.Skipped != want.Skipped {
				t.Errorf("got %+v, go-junit-report wrote %+v", got, want)
			}
		})
	}
}

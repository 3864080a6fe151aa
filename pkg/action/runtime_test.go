package action_test

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

//go:embed testdata/action.yml
var testMeta []byte

type seen struct {
	prefix  string
	dry     bool
	count   int
	timeout time.Duration
	items   []string
}

func testAction(s *seen, extra func(rt *action.Runtime) error) *action.Action {
	return &action.Action{Name: "test", Metadata: testMeta, Run: func(ctx context.Context, rt *action.Runtime) error {
		var err error
		s.prefix = rt.Input("tag-prefix")
		if s.dry, err = rt.Bool("dry-run"); err != nil {
			return err
		}
		if s.count, err = rt.Int("count"); err != nil {
			return err
		}
		if s.timeout, err = rt.Duration("timeout"); err != nil {
			return err
		}
		s.items = rt.List("items")
		// other is written first and never from input: a value of out that
		// injected an "other" line would be read after it and replace it.
		if err := rt.SetOutput("other", "kept"); err != nil {
			return err
		}
		if err := rt.SetOutput("out", rt.Input("echo")); err != nil {
			return err
		}
		if extra != nil {
			return extra(rt)
		}
		return nil
	}}
}

func TestInputsFromEnvWithDefaults(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, nil), actiontest.Case{Inputs: map[string]string{
		"name": "x", "dry-run": "True", "count": "3", "items": "a, b\n# comment\n\nc", "echo": "hello",
	}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if s.prefix != "v" || !s.dry || s.count != 3 || s.timeout != 5*time.Minute || strings.Join(s.items, "|") != "a|b|c" {
		t.Errorf("inputs = %+v", s)
	}
	if res.Outputs["out"] != "hello" || res.Outputs["other"] != "kept" || len(res.Outputs) != 2 {
		t.Errorf("outputs = %q", res.Outputs)
	}
}

func TestInputsFromFlags(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		if got := strings.Join(rt.Args(), " "); got != "pytest -q" {
			return fmt.Errorf("args %q", got)
		}
		return nil
	}), actiontest.Case{Local: true, Args: []string{"--name", "n", "--tag-prefix=", "--dry-run", "--items", "a", "--items", "b", "--echo", "x", "--", "pytest", "-q"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if s.prefix != "" || !s.dry || strings.Join(s.items, ",") != "a,b" {
		t.Errorf("inputs = %+v", s)
	}
	if !strings.Contains(res.Stdout, "out=x\n") {
		t.Errorf("local outputs not printed as name=value: %q", res.Stdout)
	}
}

func TestBadInputExits2NamingTheInputAndWritesNoOutputs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		args   []string
		want   string
	}{
		{"missing required", map[string]string{"name": ""}, nil, `input "name"`},
		{"malformed bool", map[string]string{"name": "n", "dry-run": "yes"}, nil, `input "dry-run"`},
		{"malformed int", map[string]string{"name": "n", "count": "three"}, nil, `input "count"`},
		{"malformed duration", map[string]string{"name": "n", "timeout": "soon"}, nil, `input "timeout"`},
		{"unknown flag", map[string]string{"name": "n"}, []string{"--nope", "x"}, "--nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s seen
			in := map[string]string{"echo": "written?"}
			for k, v := range tc.inputs {
				in[k] = v
			}
			res := actiontest.Run(t, testAction(&s, nil), actiontest.Case{Inputs: in, Args: tc.args})
			if res.ExitCode != 2 {
				t.Fatalf("exit %d, want 2", res.ExitCode)
			}
			msg := res.Stdout + res.Stderr
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message does not name %s: %q", tc.want, msg)
			}
			if len(res.Outputs) != 0 {
				t.Errorf("outputs written on bad input: %q", res.Outputs)
			}
		})
	}
}

func TestLocalBadInputIsOneLine(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, nil), actiontest.Case{Local: true, Args: []string{"--name", "n", "--dry-run=yes"}})
	if res.ExitCode != 2 || strings.Count(strings.TrimSpace(res.Stderr), "\n") != 0 || !strings.Contains(res.Stderr, "dry-run") {
		t.Fatalf("exit %d stderr %q", res.ExitCode, res.Stderr)
	}
}

// A crafted value cannot create or change any output but its own.
func TestOutputInjection(t *testing.T) {
	crafted := []string{
		"a\nother=pwned",
		"a\r\nother=pwned",
		"a%0Aother=pwned",
		"::set-output name=other::pwned",
		"x\n::set-output name=other::pwned",
		"::add-mask::secret\nother=pwned",
		"a\nghadelimiter_00000000000000000000000000000000\nother<<EOF\npwned\nEOF",
		"out<<EOF\nother=pwned\nEOF",
		"EOF\nother=pwned",
		"",
		"trailing newline\n",
	}
	for _, v := range crafted {
		var s seen
		res := actiontest.Run(t, testAction(&s, nil), actiontest.Case{Inputs: map[string]string{"name": "n", "echo": v}})
		if res.ExitCode != 0 {
			t.Fatalf("%q: exit %d", v, res.ExitCode)
		}
		// The runner reads the file line by line, so CRLF inside a value reads back as LF.
		want := strings.ReplaceAll(strings.TrimSpace(v), "\r\n", "\n")
		if len(res.Outputs) != 2 || res.Outputs["out"] != want || res.Outputs["other"] != "kept" {
			t.Errorf("value %q: outputs as the runner reads them = %q", v, res.Outputs)
		}
		for _, line := range strings.Split(res.Stdout, "\n") {
			if strings.HasPrefix(line, "::set-output") || strings.HasPrefix(line, "::add-mask::secret") {
				t.Errorf("value %q reached stdout as a command: %q", v, line)
			}
		}
	}
}

func TestUndeclaredOutputIsAnError(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		return rt.SetOutput("nope", "x")
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout, `output \"nope\" is not declared`) && !strings.Contains(res.Stdout, "output %22nope%22") && !strings.Contains(res.Stdout, `"nope" is not declared`) {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Stdout)
	}
}

func TestUndeclaredInputIsABug(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		_ = rt.Input("not-declared")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout, "not-declared") {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Stdout)
	}
}

func TestSecretsMaskedBeforeAnythingElse(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.Logf("working")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n", "github-token": "ghs_abc\nsecond"}})
	lines := strings.Split(res.Stdout, "\n")
	if lines[0] != "::add-mask::ghs_abc" || lines[1] != "::add-mask::second" {
		t.Fatalf("first lines %q", lines[:3])
	}
}

func TestWorkErrorKeepsOutputsAndExits1(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		return &action.FileError{File: "tests/x.xml", Line: 7, Err: errors.New("3 tests failed")}
	}), actiontest.Case{Inputs: map[string]string{"name": "n", "echo": "kept"}})
	if res.ExitCode != 1 || res.Outputs["out"] != "kept" {
		t.Fatalf("exit %d outputs %q", res.ExitCode, res.Outputs)
	}
	want := "::error file=tests/x.xml,line=7::tests/x.xml:7: 3 tests failed"
	if len(res.Annotations) != 1 || res.Annotations[0] != want {
		t.Errorf("annotations %q, want %q", res.Annotations, want)
	}
}

func TestLogDefusesCommands(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.Logf("commit message:\n::add-mask::x\n  ::error::fake")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	for _, line := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			t.Errorf("logged text became a command: %q", line)
		}
	}
}

func TestSummaryDegradesUnderLimit(t *testing.T) {
	var s seen
	var asked []action.Detail
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.SetSummary(func(d action.Detail) string {
			asked = append(asked, d)
			switch d {
			case action.DetailFull:
				return "| a |\n|---|\n" + strings.Repeat("| row |\n", 300000)
			case action.DetailReduced:
				return "| a |\n|---|\n" + strings.Repeat("| row |\n", 1000)
			}
			return "counts only"
		})
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	if res.ExitCode != 0 || len(asked) != 2 || !strings.HasSuffix(strings.TrimSpace(res.Summary), "| row |") {
		t.Fatalf("exit %d asked %v summary %d bytes", res.ExitCode, asked, len(res.Summary))
	}
}

func TestHelpFromMetadata(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, nil), actiontest.Case{Local: true, Args: []string{"--help"}})
	for _, want := range []string{"--tag-prefix (default \"v\")", "--name (required)", "Outputs", "out"} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, res.Stdout)
		}
	}
}

func TestInvokeCapturesOutputs(t *testing.T) {
	var s seen
	env := action.Env{Getenv: func(k string) string {
		if k == "INPUT_ECHO" {
			return "from the caller's environment"
		}
		return ""
	}, Stdout: &strings.Builder{}, Stderr: &strings.Builder{}}
	out, err := action.Invoke(context.Background(), testAction(&s, nil), env, map[string]string{"name": "n", "echo": "given"})
	if err != nil || out["out"] != "given" {
		t.Fatalf("out %q err %v", out, err)
	}
	if _, err := action.Invoke(context.Background(), testAction(&s, nil), env, map[string]string{"bogus": "x"}); err == nil {
		t.Fatal("undeclared input accepted")
	}
}

func TestSetEnvUsesFileCommands(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		rt.SetEnv("APP_VERSION", "1.2.3\nINJECTED=1")
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	if res.ExitCode != 0 || len(res.Env) != 1 || res.Env["APP_VERSION"] != "1.2.3\nINJECTED=1" {
		t.Fatalf("exit %d env %q", res.ExitCode, res.Env)
	}
}

func TestLogfFromManyGoroutines(t *testing.T) {
	var s seen
	res := actiontest.Run(t, testAction(&s, func(rt *action.Runtime) error {
		done := make(chan struct{})
		for i := 0; i < 8; i++ {
			go func() {
				for j := 0; j < 50; j++ {
					rt.Logf("line %d", j)
					rt.Debugf("debug %d", j)
				}
				done <- struct{}{}
			}()
		}
		for i := 0; i < 8; i++ {
			<-done
		}
		return nil
	}), actiontest.Case{Inputs: map[string]string{"name": "n"}})
	if res.ExitCode != 0 || strings.Count(res.Stdout, "line ") != 400 {
		t.Fatalf("exit %d, %d lines", res.ExitCode, strings.Count(res.Stdout, "line "))
	}
}

func TestHiddenCommandsRunButAreNotListed(t *testing.T) {
	ran := false
	p := &action.Program{Version: "test", Commands: []*action.Command{
		{Name: "visible", Summary: "shown"},
		{Name: "secret-helper", Summary: "for scripts", Hidden: true, Run: func(context.Context, action.Env, []string) error { ran = true; return nil }},
	}}
	var out strings.Builder
	env := action.Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &out}
	if code := p.Main(context.Background(), env, []string{"--help"}); code != 0 || strings.Contains(out.String(), "secret-helper") || !strings.Contains(out.String(), "visible") {
		t.Fatalf("exit %d help:\n%s", code, out.String())
	}
	if code := p.Main(context.Background(), env, []string{"secret-helper"}); code != 0 || !ran {
		t.Fatalf("hidden command: exit %d ran %v", code, ran)
	}
	out.Reset()
	if code := p.Main(context.Background(), env, []string{"nope"}); code != 2 || strings.Count(strings.TrimSpace(out.String()), "\n") != 0 || !strings.Contains(out.String(), `"nope"`) {
		t.Fatalf("unknown subcommand: exit %d %q", code, out.String())
	}
}

// recorder keeps the failures actiontest reports instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestActiontestWantsEveryOutputSet(t *testing.T) {
	partial := &action.Action{Name: "test", Metadata: testMeta, Run: func(_ context.Context, rt *action.Runtime) error {
		return rt.SetOutput("out", "x")
	}}
	rec := &recorder{TB: t}
	res := actiontest.Run(rec, partial, actiontest.Case{Inputs: map[string]string{"name": "x"}})
	if res.ExitCode != 0 || len(rec.errors) != 1 || !strings.Contains(rec.errors[0], `output "other" is declared in action.yml but was never set`) {
		t.Errorf("exit %d, failures %q: want one failure for the unset output", res.ExitCode, rec.errors)
	}
	// A failed run may stop before its outputs: no complaint then.
	failing := &action.Action{Name: "test", Metadata: testMeta, Run: func(context.Context, *action.Runtime) error {
		return errors.New("boom")
	}}
	rec = &recorder{TB: t}
	if res := actiontest.Run(rec, failing, actiontest.Case{Inputs: map[string]string{"name": "x"}}); res.ExitCode != 1 || len(rec.errors) != 0 {
		t.Errorf("failed run: exit %d, failures %q", res.ExitCode, rec.errors)
	}
}

func TestSummaryFailure(t *testing.T) {
	if got := action.SummaryFailure(nil); got != "" {
		t.Errorf("SummaryFailure(nil) = %q", got)
	}
	if got, want := action.SummaryFailure(errors.New("push refused:\nquota")), "**Failed:** push refused: quota\n\n"; got != want {
		t.Errorf("SummaryFailure = %q, want %q", got, want)
	}
}

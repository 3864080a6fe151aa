// Package actiontest runs an action in-process exactly as the GitHub runner
// would: INPUT_* variables with the defaults of action.yml, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY and GITHUB_ENV files, and an event payload file. A
// successful run that leaves a declared output unset fails the test.
package actiontest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action"
)

// Case is one run.
type Case struct {
	Inputs map[string]string // by input name, as written under with:
	Env    map[string]string // GITHUB_* and other variables
	Event  []byte            // payload for GITHUB_EVENT_PATH
	Args   []string          // command-line arguments (flags, then -- and args)
	Dir    string            // working directory (GITHUB_WORKSPACE unless Env sets it)
	Local  bool              // run as outside Actions: no runner files, outputs on stdout
}

// Result is what came back.
type Result struct {
	ExitCode    int
	Outputs     map[string]string
	Summary     string
	Stdout      string
	Stderr      string
	Annotations []string          // raw ::error/::warning/::notice lines
	Env         map[string]string // what the action exported through GITHUB_ENV
}

// Run runs a as the runner would and returns what it wrote.
func Run(t testing.TB, a *action.Action, c Case) Result {
	t.Helper()
	meta, err := a.Meta()
	if err != nil {
		t.Fatalf("action.yml of %s: %v", a.Name, err)
	}
	tmp := t.TempDir()
	vars := map[string]string{}
	if !c.Local {
		vars["GITHUB_ACTIONS"] = "true"
		vars["CI"] = "true"
		vars["RUNNER_TEMP"] = filepath.Join(tmp, "runner-temp")
		if err := os.MkdirAll(vars["RUNNER_TEMP"], 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_STATE"} {
			p := filepath.Join(tmp, strings.ToLower(f))
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			vars[f] = p
		}
		// The runner sets every declared input, with its default when not given.
		// An expression default is evaluated by the runner; here it is
		// empty unless the case gives the input (as a token would be).
		for _, in := range meta.Inputs {
			if !strings.Contains(in.Default, "${{") {
				vars[action.InputEnvName(in.Name)] = in.Default
			}
		}
	}
	dir := c.Dir
	if dir == "" {
		dir = tmp
	}
	vars["GITHUB_WORKSPACE"] = dir
	for k, v := range c.Inputs {
		vars[action.InputEnvName(k)] = v
	}
	if c.Event != nil {
		p := filepath.Join(tmp, "event.json")
		if err := os.WriteFile(p, c.Event, 0o644); err != nil {
			t.Fatal(err)
		}
		vars["GITHUB_EVENT_PATH"] = p
	}
	for k, v := range c.Env {
		vars[k] = v
	}
	var stdout, stderr bytes.Buffer
	env := action.Env{
		Getenv:    func(k string) string { return vars[k] },
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		Stdout:    &stdout, Stderr: &stderr, Dir: dir,
	}
	code := action.Execute(context.Background(), a, env, c.Args)
	res := Result{ExitCode: code, Stdout: stdout.String(), Stderr: stderr.String(), Outputs: map[string]string{}}
	if p := vars["GITHUB_OUTPUT"]; p != "" && !c.Local {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		res.Outputs, err = action.ParseFileCommands(string(data))
		if err != nil {
			t.Fatalf("GITHUB_OUTPUT as the runner reads it: %v\n%s", err, data)
		}
		sum, err := os.ReadFile(vars["GITHUB_STEP_SUMMARY"])
		if err != nil {
			t.Fatal(err)
		}
		res.Summary = string(sum)
		envData, err := os.ReadFile(vars["GITHUB_ENV"])
		if err != nil {
			t.Fatal(err)
		}
		if res.Env, err = action.ParseFileCommands(string(envData)); err != nil {
			t.Fatalf("GITHUB_ENV as the runner reads it: %v", err)
		}
	}
	// A later step reading an output that was never set gets an empty
	// string and no warning: every declared output must be set on success,
	// empty where it does not apply.
	if code == action.ExitOK && !c.Local {
		for _, out := range meta.Outputs {
			if _, ok := res.Outputs[out.Name]; !ok {
				t.Errorf("actions/%s: output %q is declared in action.yml but was never set (set it, empty where it does not apply)", a.Name, out.Name)
			}
		}
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		for _, p := range []string{"::error", "::warning", "::notice"} {
			if strings.HasPrefix(line, p) {
				res.Annotations = append(res.Annotations, line)
			}
		}
	}
	return res
}

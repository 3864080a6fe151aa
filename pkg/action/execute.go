package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Exit codes of every action and command.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// newRuntime resolves inputs for one run: flags first, then INPUT_*
// variables, then the defaults of action.yml.
func newRuntime(a *Action, env Env, flags map[string]string, args []string) (*Runtime, error) {
	meta, err := a.Meta()
	if err != nil {
		return nil, err
	}
	if env.Getenv == nil {
		return nil, errors.New("action runtime: Env.Getenv is nil")
	}
	rt := &Runtime{name: a.Name, meta: meta, env: env, inputs: map[string]string{}, raw: map[string]string{}, args: args,
		local: env.Getenv("GITHUB_ACTIONS") != "true"}
	for _, in := range meta.Inputs {
		v, ok := flags[in.Name]
		if !ok {
			v, ok = env.lookup(InputEnvName(in.Name))
		}
		if !ok {
			v = in.Default
			// An expression default (${{ github.token }}) is the runner's to
			// evaluate; when it did not set the input, the value is unknown,
			// not the expression's text.
			if strings.Contains(v, "${{") {
				v = ""
			}
		}
		rt.inputs[in.Name] = strings.TrimSpace(v)
		rt.raw[in.Name] = v
	}
	return rt, nil
}

// Execute runs one action as the binary's subcommand and returns the exit code.
func Execute(ctx context.Context, a *Action, env Env, args []string) int {
	return execute(ctx, a, env, args, nil)
}

// execute is Execute; interrupt, when set, derives the context the action
// runs with once the command line is read (see Program.Interrupt).
func execute(ctx context.Context, a *Action, env Env, args []string, interrupt func(context.Context) (context.Context, context.CancelFunc)) int {
	meta, err := a.Meta()
	if err != nil {
		fmt.Fprintf(env.Stderr, "timetracker-ci %s: %v\n", a.Name, err)
		return ExitFailure
	}
	if a.Positional != "" && len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "help" {
		args = append([]string{"--" + a.Positional, args[0]}, args[1:]...)
	}
	flags, rest, help, err := parseFlags(meta, args)
	if help {
		io.WriteString(env.Stdout, Help(a.Name, meta))
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "timetracker-ci %s: %v (see timetracker-ci %s --help)\n", a.Name, err, a.Name)
		return ExitUsage
	}
	rt, err := newRuntime(a, env, flags, rest)
	if err != nil {
		fmt.Fprintf(env.Stderr, "timetracker-ci %s: %v\n", a.Name, err)
		return ExitFailure
	}
	if interrupt != nil {
		var stop context.CancelFunc
		ctx, stop = interrupt(ctx)
		defer stop()
	}
	start := time.Now().Add(-time.Second) // file times may be coarser than the clock
	runErr := rt.run(ctx, a)
	if n, err := GiveToWorkspaceOwner(ctx, rt.Workspace(), start); err != nil {
		rt.Annotate(Annotation{Level: LevelWarning, Title: "Workspace owner", Message: err.Error()})
	} else if n > 0 {
		rt.Logf("%d files written into the workspace given to its owner", n)
	}
	return rt.finish(runErr)
}

// Invoke runs an action in-process with the given inputs and returns its
// outputs, for composing actions (the local pipeline). Logs, annotations
// and the summary go to env as usual.
func Invoke(ctx context.Context, a *Action, env Env, inputs map[string]string) (map[string]string, error) {
	meta, err := a.Meta()
	if err != nil {
		return nil, err
	}
	for k := range inputs {
		if _, ok := meta.Input(k); !ok {
			return nil, fmt.Errorf("action %s has no input %q", a.Name, k)
		}
	}
	// Inputs given here replace any INPUT_* variable of the caller.
	inner := env
	inner.LookupEnv = func(k string) (string, bool) {
		if strings.HasPrefix(k, "INPUT_") {
			return "", false
		}
		return env.lookup(k)
	}
	rt, err := newRuntime(a, inner, inputs, nil)
	if err != nil {
		return nil, err
	}
	rt.capture = map[string]string{}
	runErr := rt.run(ctx, a)
	code := rt.finish(runErr)
	if code != ExitOK && runErr == nil {
		runErr = fmt.Errorf("action %s failed", a.Name)
	}
	return rt.capture, runErr
}

func (rt *Runtime) run(ctx context.Context, a *Action) (err error) {
	// Secrets first: nothing may print before they are masked.
	for _, in := range rt.meta.Inputs {
		if in.Secret() && rt.inputs[in.Name] != "" {
			rt.Mask(rt.inputs[in.Name])
		}
	}
	for _, in := range rt.meta.Inputs {
		if in.Required && rt.inputs[in.Name] == "" {
			return InputErrorf(in.Name, "is required: set it under with: in the workflow, or pass --%s locally", in.Name)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in %s (please report it): %v\n%s", rt.name, r, debug.Stack())
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.Run(ctx, rt)
}

// finish writes annotations, summary and outputs and decides the exit code.
func (rt *Runtime) finish(runErr error) int {
	rt.closeJail()
	code := ExitOK
	if len(rt.bugs) > 0 {
		runErr = errors.Join(runErr, fmt.Errorf("%w in %s: %s", errBug, rt.name, strings.Join(rt.bugs, "; ")))
	}
	if runErr != nil {
		code = ExitFailure
		a := Annotation{Level: LevelError, Message: runErr.Error(), Rank: 1 << 30}
		var ie *InputError
		var pe *workspace.PathError
		switch {
		case errors.As(runErr, &ie):
			code = ExitUsage
			if ie.Input != "" {
				a.Title = "Input " + ie.Input
			}
		case errors.As(runErr, &pe):
			code = ExitUsage
			if pe.Input != "" {
				a.Title = "Input " + pe.Input
			}
		}
		var fe *FileError
		if errors.As(runErr, &fe) {
			a.File, a.Line = fe.File, fe.Line
		}
		if len(a.Message) > maxAnnotationMessage {
			rt.Logf("%s", a.Message) // the annotation is cut; the log keeps it whole
		}
		rt.Annotate(a)
	}
	writeAnnotations(rt.env.Stdout, rt.annotations, rt.local)
	if runErr != nil && rt.local {
		// One line on stderr for a person; under Actions the annotation says it.
		fmt.Fprintf(rt.env.Stderr, "timetracker-ci %s: %s\n", rt.name, firstLine(runErr.Error()))
	}
	if code == ExitUsage {
		return code // bad input changes nothing: no outputs, no summary
	}
	if err := rt.flushSummary(); err != nil {
		fmt.Fprintf(rt.env.Stderr, "timetracker-ci %s: %v\n", rt.name, err)
		code = ExitFailure
	}
	if err := rt.flushOutputs(); err != nil {
		fmt.Fprintf(rt.env.Stderr, "timetracker-ci %s: %v\n", rt.name, err)
		code = ExitFailure
	}
	return code
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (rt *Runtime) flushSummary() error {
	if rt.summary == nil {
		return nil
	}
	path := rt.env.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		if rt.capture == nil {
			fmt.Fprintln(rt.env.Stdout)
			fmt.Fprint(rt.env.Stdout, chooseSummary(rt.summary, SummaryLimit))
			fmt.Fprintln(rt.env.Stdout)
		}
		return nil
	}
	return appendFile(path, chooseSummary(rt.summary, SummaryLimit)+"\n")
}

func (rt *Runtime) flushOutputs() error {
	if rt.capture != nil {
		for _, p := range rt.outputs {
			rt.capture[p.key] = p.value
		}
		return nil
	}
	for _, f := range []struct {
		variable string
		pairs    []kv
	}{{"GITHUB_ENV", rt.envs}, {"GITHUB_STATE", rt.states}} {
		if path := rt.env.Getenv(f.variable); path != "" && len(f.pairs) > 0 {
			if err := appendFileCommands(path, f.pairs); err != nil {
				return err
			}
		}
	}
	if path := rt.env.Getenv("GITHUB_OUTPUT"); path != "" {
		return appendFileCommands(path, rt.outputs)
	}
	return printOutputs(rt.env.Stdout, rt.outputs)
}

// FileError points an error at a file and line, so its annotation does too.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

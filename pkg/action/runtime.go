package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/org/timetracker-ci/pkg/redact"
)

// Action is one GitHub action and one subcommand of the binary.
type Action struct {
	Name     string // the subcommand: the directory under actions/
	Metadata []byte // the embedded action.yml
	Run      func(ctx context.Context, rt *Runtime) error
	// Positional names the input a single bare argument fills on the
	// command line ("timetracker-ci verify IMAGE"); empty: flags only.
	Positional string
	// Parsed is the action.yml decoded ahead of time (actions/metadata_gen.go,
	// written by go test ./actions -update): Meta uses it when its Source is
	// the digest of Metadata, and parses the YAML otherwise. Decoding YAML
	// at every start costs about half a millisecond.
	Parsed *Preparsed

	parse   sync.Once
	meta    *Metadata
	metaErr error
}

// New is the action named name (its directory under actions/), described
// by its embedded action.yml and doing run. Every glue package declares
// itself with it, so its whole preamble is
//
//	//go:embed action.yml
//	var metadata []byte
//
//	// Action returns the <name> action.
//	func Action() *action.Action { return action.New("<name>", metadata, run) }
func New(name string, metadata []byte, run func(ctx context.Context, rt *Runtime) error) *Action {
	return &Action{Name: name, Metadata: metadata, Run: run}
}

// Meta is the parsed action.yml. It is parsed on first use and kept, so an
// action run many times in one process (the local pipeline, tests, help
// and catalog) reads its YAML once. The result is shared: do not change it.
func (a *Action) Meta() (*Metadata, error) {
	a.parse.Do(func() {
		if p := a.Parsed; p != nil && p.Meta != nil && p.Source == MetadataDigest(a.Metadata) {
			a.meta = p.Meta
			return
		}
		a.meta, a.metaErr = ParseMetadata(a.Metadata)
		if a.metaErr != nil {
			a.metaErr = fmt.Errorf("action %s: %w", a.Name, a.metaErr)
		}
	})
	return a.meta, a.metaErr
}

// Command is a subcommand that is not a GitHub action (a local helper).
type Command struct {
	Name, Summary string
	Hidden        bool // for scripts and tests: runs, but is not listed in --help
	Run           func(ctx context.Context, env Env, args []string) error
}

// Env is the process environment an action runs in; tests and in-process
// composition pass their own.
type Env struct {
	Getenv    func(string) string
	LookupEnv func(string) (string, bool) // optional; derived from Getenv when nil
	Stdout    io.Writer
	Stderr    io.Writer
	Dir       string // working directory; the process's when empty
}

// OSEnv is the environment of this process.
func OSEnv() Env {
	dir, _ := os.Getwd()
	return Env{Getenv: os.Getenv, LookupEnv: os.LookupEnv, Stdout: os.Stdout, Stderr: os.Stderr, Dir: dir}
}

func (e Env) lookup(k string) (string, bool) {
	if e.LookupEnv != nil {
		return e.LookupEnv(k)
	}
	v := e.Getenv(k)
	return v, v != ""
}

// Runtime is what an action's Run sees: inputs, outputs, annotations,
// summary, logs and the event context.
type Runtime struct {
	name   string
	meta   *Metadata
	env    Env
	inputs map[string]string
	raw    map[string]string // inputs as given, untrimmed (RawInput)
	args   []string
	local  bool

	mu          sync.Mutex
	logMu       sync.Mutex // serialises log lines written from several goroutines
	outputs     []kv
	envs        []kv // GITHUB_ENV
	states      []kv // GITHUB_STATE
	annotations []Annotation
	summary     func(Detail) string
	bugs        []string
	capture     map[string]string // Invoke: outputs are returned, not written
	event       *Event
	eventErr    error
	eventOnce   sync.Once
	tempDir     string
	jail        *Workspace
	jailErr     error
	masked      map[string]bool // values already sent to the runner's mask
}

// Metadata is the action's parsed action.yml.
func (rt *Runtime) Metadata() *Metadata { return rt.meta }

// SetOutput records an output declared in action.yml.
func (rt *Runtime) SetOutput(name, value string) error {
	if _, ok := rt.meta.Output(name); !ok {
		return fmt.Errorf("action %s: output %q is not declared in action.yml", rt.name, name)
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for i := range rt.outputs {
		if rt.outputs[i].key == name {
			rt.outputs[i].value = value
			return nil
		}
	}
	rt.outputs = append(rt.outputs, kv{name, value})
	return nil
}

// SetEnv exports a variable to the job's later steps (GITHUB_ENV).
func (rt *Runtime) SetEnv(name, value string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.envs = append(rt.envs, kv{name, value})
}

// SaveState keeps a value for the action's post step (GITHUB_STATE).
func (rt *Runtime) SaveState(name, value string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.states = append(rt.states, kv{name, value})
}

// SetOutputJSON records an output as compact JSON.
func (rt *Runtime) SetOutputJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode output %s: %w", name, err)
	}
	return rt.SetOutput(name, string(b))
}

// Annotate records an annotation; the budget is applied when the action ends.
func (rt *Runtime) Annotate(a Annotation) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	a.seq = len(rt.annotations)
	rt.annotations = append(rt.annotations, a)
}

// SetSummary sets the step summary; render is asked for less detail until it fits.
func (rt *Runtime) SetSummary(render func(d Detail) string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.summary = render
}

// Logf writes a log line. Lines that would start a workflow command are
// defused, so text from commits or test output cannot issue commands.
func (rt *Runtime) Logf(format string, args ...any) {
	rt.println(defuse(fmt.Sprintf(format, args...)))
}

func (rt *Runtime) println(line string) {
	rt.logMu.Lock()
	defer rt.logMu.Unlock()
	fmt.Fprintln(rt.env.Stdout, line)
}

// Debugf writes a debug line (shown when step debugging is on).
func (rt *Runtime) Debugf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if rt.local {
		if rt.env.Getenv("RUNNER_DEBUG") == "1" {
			rt.logMu.Lock()
			fmt.Fprintln(rt.env.Stderr, "debug: "+msg)
			rt.logMu.Unlock()
		}
		return
	}
	rt.println("::debug::" + escapeData(msg))
}

// Group wraps long work in a collapsible log group.
func (rt *Runtime) Group(name string, fn func() error) error {
	if rt.local {
		rt.println("== " + name)
	} else {
		rt.println("::group::" + escapeData(name))
		defer rt.println("::endgroup::")
	}
	return fn()
}

// Mask hides a secret in the log from here on. The runner masks only the
// exact strings it is told about ("Because there are multiple ways a secret
// value can be transformed, automatic redaction is not guaranteed",
// https://docs.github.com/en/actions/reference/secure-use-reference), so the
// forms a secret travels in (base64, URL-encoded) are masked too.
func (rt *Runtime) Mask(secret string) {
	for _, form := range SecretForms(secret) {
		rt.maskOne(form)
	}
}

// MaskCredential masks a password and the HTTP Basic form of user:password
// (base64), which a server echoing the Authorization header would print.
func (rt *Runtime) MaskCredential(user, password string) {
	rt.Mask(password)
	if user != "" && password != "" {
		for _, f := range redact.BasicForms(user, password) {
			rt.maskOne(f)
		}
	}
}

func (rt *Runtime) maskOne(v string) {
	for _, line := range splitLines(v) {
		if line = strings.TrimSpace(line); line != "" && !rt.local && rt.firstMask(line) {
			rt.println("::add-mask::" + escapeData(line))
		}
	}
}

// firstMask records a masked value and reports whether it is new: a secret
// that several inputs or helpers mask is sent to the runner once.
func (rt *Runtime) firstMask(v string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.masked[v] {
		return false
	}
	if rt.masked == nil {
		rt.masked = map[string]bool{}
	}
	rt.masked[v] = true
	return true
}

// SecretForms is a secret and the encodings it may be printed in.
func SecretForms(secret string) []string {
	if strings.TrimSpace(secret) == "" {
		return nil
	}
	forms := []string{secret}
	for _, f := range redact.Forms(secret) {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// Event returns the run's context, read once.
func (rt *Runtime) Event() (*Event, error) {
	rt.eventOnce.Do(func() { rt.event, rt.eventErr = ReadEvent(rt.env.Getenv) })
	return rt.event, rt.eventErr
}

// Getenv reads the action's environment.
func (rt *Runtime) Getenv(key string) string { return rt.env.Getenv(key) }

// Workspace is GITHUB_WORKSPACE, else the working directory.
func (rt *Runtime) Workspace() string {
	if w := rt.env.Getenv("GITHUB_WORKSPACE"); w != "" {
		return w
	}
	if rt.env.Dir != "" {
		return rt.env.Dir
	}
	wd, _ := os.Getwd()
	return wd
}

// TempDir is RUNNER_TEMP, else a directory made for this run.
func (rt *Runtime) TempDir() string {
	if t := rt.env.Getenv("RUNNER_TEMP"); t != "" {
		return t
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.tempDir == "" {
		d, err := os.MkdirTemp("", "timetracker-ci-")
		if err != nil {
			d = os.TempDir()
		}
		rt.tempDir = d
	}
	return rt.tempDir
}

// Args are the command-line arguments after --.
func (rt *Runtime) Args() []string { return rt.args }

// Local reports whether the action runs outside GitHub Actions.
func (rt *Runtime) Local() bool { return rt.local }

// Stdout is where logs go.
func (rt *Runtime) Stdout() io.Writer { return rt.env.Stdout }

// Progress reports progress of long work: at most a line a second, and
// nothing at all for work that ends within a second.
type Progress struct {
	rt          *Runtime
	label       string
	total       int
	mu          sync.Mutex
	done        int
	start, last time.Time
	now         func() time.Time
}

// Progress starts a progress reporter; total may be 0 when unknown.
func (rt *Runtime) Progress(label string, total int) *Progress {
	now := time.Now
	t := now()
	return &Progress{rt: rt, label: label, total: total, start: t, last: t, now: now}
}

// Add records n more units of work done.
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	t := p.now()
	if t.Sub(p.start) < time.Second || t.Sub(p.last) < time.Second {
		return
	}
	p.last = t
	if p.total > 0 {
		p.rt.Logf("%s: %d/%d (%d%%)", p.label, p.done, p.total, p.done*100/p.total)
	} else {
		p.rt.Logf("%s: %d", p.label, p.done)
	}
}

// Done ends the reporter, with a closing line when the work took over a second.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := p.now().Sub(p.start); d >= time.Second {
		p.rt.Logf("%s: done, %d in %s", p.label, p.done, d.Round(100*time.Millisecond))
	}
}

func escapeData(v string) string {
	v = strings.ReplaceAll(v, "%", "%25")
	v = strings.ReplaceAll(v, "\r", "%0D")
	return strings.ReplaceAll(v, "\n", "%0A")
}

// defuse keeps logged text from being read as a workflow command: the
// runner acts on lines starting with "::". A carriage return ends a line
// for the runner's log as much as a line feed does, so both split lines here.
func defuse(s string) string {
	if !strings.Contains(s, "::") {
		return s
	}
	var b strings.Builder
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start {
			rest := strings.TrimLeft(s[i:], " \t")
			if strings.HasPrefix(rest, "::") {
				b.WriteString("\u200b")
			}
		}
		b.WriteByte(c)
		start = c == '\n' || c == '\r'
	}
	return b.String()
}

// splitLines splits on \n, \r\n and a lone \r.
func splitLines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
}

// errBug marks mistakes in an action's own code (an undeclared input or output).
var errBug = errors.New("action bug")

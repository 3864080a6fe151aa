package gotestjson

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
)

// MaxLine caps one line of the stream. test2json splits long output, so a
// longer line means the file is not a go test -json stream.
const MaxLine = 16 << 20

// Names of the cases that stand for a package-level failure.
const (
	BuildFailedName   = "[build failed]"
	SetupFailedName   = "[setup failed]"
	PackageFailedName = "[package failed]"
)

// event is one line of test2json output (cmd/test2json documents it).
type event struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

type testKey struct{ pkg, test string }

type running struct {
	output []byte // capped at junit.MaxDetail
	cut    bool
}

type pkgState struct {
	output    running // package-level output (no Test)
	failed    int     // tests that failed in the current run of the package
	hadTests  bool
	firstSeen int
}

type parser struct {
	ctx     context.Context
	fn      func(junit.Case) error
	stats   junit.Stats
	tests   map[testKey]*running
	pkgs    map[string]*pkgState
	builds  map[string]*running // build-output by import path
	stray   running             // lines that are not JSON (compiler errors printed by go test)
	held    map[testKey]*heldCase
	seq     int
	lineNo  int
	sawJSON bool
}

type heldCase struct {
	c   junit.Case
	seq int
}

// Parse reads a go test -json stream (as written by go test -json or
// gotestsum --jsonfile, possibly several runs concatenated) and calls fn
// once per test or subtest. A package that fails without a failing test
// (build failure, panic in init or TestMain, os.Exit, timeout) becomes one
// StatusError case named BuildFailedName, SetupFailedName or
// PackageFailedName, so no failure goes unreported. Lines that are not
// JSON (compiler errors printed by go test) are read as package output.
// A test that failed and is later run again and passes (gotestsum
// --rerun-fails, concatenated streams) is one flaky case.
func Parse(ctx context.Context, r io.Reader, fn func(junit.Case) error) (junit.Stats, error) {
	p := &parser{
		ctx:    ctx,
		fn:     fn,
		tests:  make(map[testKey]*running),
		pkgs:   make(map[string]*pkgState),
		builds: make(map[string]*running),
		held:   make(map[testKey]*heldCase),
	}
	err := p.run(r)
	if err == nil {
		err = p.finish()
	}
	return p.stats, err
}

// ParseFile is Parse on a file; errors name the file.
func ParseFile(ctx context.Context, path string, fn func(junit.Case) error) (junit.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return junit.Stats{}, fmt.Errorf("opening go test -json output: %w", err)
	}
	defer f.Close()
	st, err := Parse(ctx, f, fn)
	if err != nil {
		var se *junit.SyntaxError
		if errors.As(err, &se) && se.File == "" {
			se.File = path
		} else if se == nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return st, err
}

func (p *parser) run(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(line) > MaxLine {
				return &junit.SyntaxError{Line: p.lineNo + 1, Msg: fmt.Sprintf("a line is longer than %d bytes; this is not go test -json output", MaxLine)}
			}
			long = append(long, line...)
			continue
		}
		if len(long) > 0 {
			line = append(long, line...)
			long = long[:0]
		}
		if len(line) > 0 {
			p.lineNo++
			if p.lineNo%4096 == 0 {
				if cerr := p.ctx.Err(); cerr != nil {
					return cerr
				}
			}
			if perr := p.line(bytes.TrimRight(line, "\r\n")); perr != nil {
				return perr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading go test -json output: %w", err)
		}
	}
}

var buildFailedLine = lazyre.New(`^FAIL\s+(\S+)\s+\[(build|setup) failed\]`)

func (p *parser) line(b []byte) error {
	if len(b) == 0 || b[0] != '{' {
		// go test prints build errors as plain text, even with -json.
		if m := buildFailedLine.FindSubmatch(b); m != nil {
			name := BuildFailedName
			if string(m[2]) == "setup" {
				name = SetupFailedName
			}
			detail, cut := p.stray.output, p.stray.cut
			p.stray = running{}
			return p.packageError(string(m[1]), name, "build failed", detail, cut)
		}
		appendCapped(&p.stray, b)
		appendCapped(&p.stray, []byte{'\n'})
		return nil
	}
	var e event
	if err := decodeEvent(b, &e); err != nil {
		if !p.sawJSON {
			return &junit.SyntaxError{Line: p.lineNo, Msg: fmt.Sprintf("not go test -json output (%v); produce it with go test -json", err)}
		}
		// A line cut short (e.g. the test binary was killed mid-write):
		// keep it as stray output.
		appendCapped(&p.stray, b)
		appendCapped(&p.stray, []byte{'\n'})
		return nil
	}
	p.sawJSON = true
	switch e.Action {
	case "build-output":
		r := p.builds[e.ImportPath]
		if r == nil {
			r = &running{}
			p.builds[e.ImportPath] = r
		}
		appendCapped(r, []byte(e.Output))
		return nil
	case "build-fail":
		return nil // reported by the package's fail event (FailedBuild)
	}
	if e.Package == "" {
		return nil
	}
	ps := p.pkg(e.Package)
	if e.Test == "" {
		return p.packageEvent(ps, &e)
	}
	k := testKey{e.Package, e.Test}
	switch e.Action {
	case "run":
		ps.hadTests = true
		p.tests[k] = &running{}
	case "output":
		// Output of a test that is not running (late lines after its
		// result) is dropped: it must not resurrect the test.
		if r := p.tests[k]; r != nil && !noise(e.Output) {
			appendCapped(r, []byte(e.Output))
		}
	case "pass", "fail", "skip":
		ps.hadTests = true
		r := p.tests[k]
		delete(p.tests, k)
		if r == nil {
			r = &running{}
		}
		st := junit.StatusPassed
		switch e.Action {
		case "fail":
			st = junit.StatusFailed
			ps.failed++
		case "skip":
			st = junit.StatusSkipped
		}
		return p.testDone(k, st, e.Elapsed, r)
	}
	return nil
}

func (p *parser) pkg(name string) *pkgState {
	ps := p.pkgs[name]
	if ps == nil {
		p.seq++
		ps = &pkgState{firstSeen: p.seq}
		p.pkgs[name] = ps
		p.stats.Suites++
	}
	return ps
}

// noise tells the lines test2json repeats in every test's output.
func noise(s string) bool {
	t := strings.TrimLeft(s, " ")
	return strings.HasPrefix(t, "=== RUN") || strings.HasPrefix(t, "=== PAUSE") ||
		strings.HasPrefix(t, "=== CONT") || strings.HasPrefix(t, "=== NAME") ||
		strings.HasPrefix(t, "--- PASS") || strings.HasPrefix(t, "--- FAIL") || strings.HasPrefix(t, "--- SKIP")
}

func (p *parser) packageEvent(ps *pkgState, e *event) error {
	switch e.Action {
	case "output":
		appendCapped(&ps.output, []byte(e.Output))
	case "start":
		// A new run of the package (a rerun in a concatenated stream).
		ps.failed, ps.output = 0, running{}
	case "pass", "skip":
		ps.output = running{}
		return p.abandon(e.Package, "the package passed but this test never reported a result")
	case "fail":
		if err := p.abandon(e.Package, "the test binary exited before this test finished (panic, os.Exit or timeout: see the package output)"); err != nil {
			return err
		}
		defer func() { ps.output, ps.failed = running{}, 0 }()
		if e.FailedBuild != "" {
			b := p.builds[e.FailedBuild]
			delete(p.builds, e.FailedBuild)
			var detail []byte
			cut := false
			if b != nil {
				detail, cut = b.output, b.cut
			}
			return p.packageError(e.Package, BuildFailedName, "build failed", detail, cut)
		}
		if ps.failed > 0 {
			return nil // its failing tests carry the failure
		}
		return p.packageError(e.Package, PackageFailedName, firstLine(ps.output.output, "the package failed without a failing test"), ps.output.output, ps.output.cut)
	}
	return nil
}

// abandon reports the tests of pkg still running when the package ended as
// errors: they never got a result.
func (p *parser) abandon(pkg, why string) error {
	var ks []testKey
	for k := range p.tests {
		if k.pkg == pkg {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b testKey) int { return cmp.Compare(a.test, b.test) })
	for _, k := range ks {
		r := p.tests[k]
		delete(p.tests, k)
		if err := p.emitNew(k, junit.StatusError, 0, why, r); err != nil {
			return err
		}
	}
	return nil
}

var fileLine = lazyre.New(`^\s+([^\s:]+\.go):(\d+): ?(.*)$`)

// testDone records a finished test; failing ones are held so that a later
// passing rerun marks them flaky instead of adding a case.
func (p *parser) testDone(k testKey, st junit.Status, elapsed float64, r *running) error {
	if h := p.held[k]; h != nil {
		h.c.Runs++
		h.c.Time += elapsed
		if st == junit.StatusPassed {
			delete(p.held, k)
			h.c.Status, h.c.Flaky = junit.StatusPassed, true
			return p.emit(h.c)
		}
		return nil
	}
	c := p.newCase(k, st, elapsed, "", r)
	if st != junit.StatusFailed {
		return p.emit(c)
	}
	p.seq++
	p.held[k] = &heldCase{c: c, seq: p.seq}
	return nil
}

func (p *parser) emitNew(k testKey, st junit.Status, elapsed float64, msg string, r *running) error {
	return p.emit(p.newCase(k, st, elapsed, msg, r))
}

func (p *parser) newCase(k testKey, st junit.Status, elapsed float64, msg string, r *running) junit.Case {
	c := junit.Case{Suite: k.pkg, Classname: k.pkg, Name: k.test, Time: elapsed, Status: st, Runs: 1, Message: msg}
	if st == junit.StatusPassed || r == nil {
		return c
	}
	// The first "file.go:N: message" line locates the failure or skip.
	for _, ln := range strings.Split(string(r.output), "\n") {
		if m := fileLine.FindStringSubmatch(ln); m != nil {
			c.File = m[1]
			c.Line, _ = strconv.Atoi(m[2])
			if c.Message == "" {
				c.Message = strings.TrimSpace(m[3])
			}
			break
		}
	}
	if c.Message == "" {
		c.Message = firstLine(r.output, "")
	}
	c.Detail = detail(r.output, r.cut)
	return c
}

var compileError = lazyre.New(`^(\S+\.go):(\d+):(?:\d+:)? (.+)$`)

func (p *parser) packageError(pkg, name, msg string, out []byte, cut bool) error {
	p.pkg(pkg)
	c := junit.Case{Suite: pkg, Classname: pkg, Name: name, Status: junit.StatusError, Runs: 1, Message: msg, Detail: detail(out, cut)}
	if name == BuildFailedName {
		// The first compiler error locates the failure.
		for _, ln := range strings.Split(string(out), "\n") {
			if m := compileError.FindStringSubmatch(strings.TrimSpace(ln)); m != nil {
				c.File = strings.TrimPrefix(m[1], "./")
				c.Line, _ = strconv.Atoi(m[2])
				c.Message = "build failed: " + m[3]
				break
			}
		}
	}
	return p.emit(c)
}

func (p *parser) emit(c junit.Case) error {
	p.stats.Add(c)
	return p.fn(c)
}

// finish reports what the stream left open: failing tests never rerun,
// tests and packages without a result (the stream was cut short).
func (p *parser) finish() error {
	held := make([]*heldCase, 0, len(p.held))
	for _, h := range p.held {
		held = append(held, h)
	}
	slices.SortFunc(held, func(a, b *heldCase) int { return cmp.Compare(a.seq, b.seq) })
	for _, h := range held {
		if err := p.emit(h.c); err != nil {
			return err
		}
	}
	var pkgs []string
	for k := range p.tests {
		pkgs = append(pkgs, k.pkg)
	}
	slices.Sort(pkgs)
	pkgs = slices.Compact(pkgs)
	for _, pkg := range pkgs {
		if err := p.abandon(pkg, "the stream ended before this test reported a result; the go test -json output was cut short"); err != nil {
			return err
		}
	}
	if len(p.stray.output) > 0 && !p.sawJSON {
		return &junit.SyntaxError{Line: 1, Msg: "no go test -json events found; produce the file with go test -json"}
	}
	return nil
}

func appendCapped(r *running, b []byte) {
	if r.cut {
		return
	}
	room := junit.MaxDetail - len(r.output)
	if len(b) > room {
		b = b[:room]
		r.cut = true
	}
	r.output = append(r.output, b...)
}

func detail(out []byte, cut bool) string {
	s := strings.TrimRight(string(out), "\n")
	if cut {
		s += junit.TruncatedMark
	}
	return s
}

func firstLine(out []byte, def string) string {
	for _, ln := range strings.Split(string(out), "\n") {
		if t := strings.TrimSpace(ln); t != "" && t != "FAIL" && !strings.HasPrefix(t, "=== ") {
			return t
		}
	}
	return def
}

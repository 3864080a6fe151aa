package junit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// Parse reads one JUnit XML report from r and calls fn once per test case,
// after merging the executions the report records for it (see the package
// documentation). Memory grows with the failing cases held for merging, not
// with the number of cases read. An error returned by fn stops the parse
// and is returned as is.
func Parse(ctx context.Context, r io.Reader, fn func(Case) error) (Stats, error) {
	return parse(newScanner(ctx, r), fn)
}

func parse(s *scanner, fn func(Case) error) (Stats, error) {
	p := parser{s: s, fn: fn, intern: make(map[string]string)}
	p.m.init()
	err := p.run()
	if err == nil {
		err = p.m.flush(p.emit)
	}
	return p.stats, err
}

// ParseFile is Parse on a file; errors name the file (and the line, for a
// *SyntaxError or ErrNotJUnit).
func ParseFile(ctx context.Context, path string, fn func(Case) error) (Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, fmt.Errorf("opening test report: %w", err)
	}
	defer f.Close()
	st, err := Parse(ctx, f, fn)
	if err != nil {
		var se *SyntaxError
		var ne *notJUnitError
		switch {
		case errors.As(err, &se) && se.File == "":
			se.File = path
		case errors.As(err, &ne) && ne.file == "":
			ne.file = path
		case !errors.As(err, &se) && !errors.As(err, &ne):
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return st, err
}

type notJUnitError struct {
	file string
	line int
	root string
}

func (e *notJUnitError) Error() string {
	where := fmt.Sprintf("line %d", e.line)
	if e.file != "" {
		where = fmt.Sprintf("%s:%d", e.file, e.line)
	}
	return fmt.Sprintf("%s: root element <%s>: %v", where, e.root, ErrNotJUnit)
}

func (e *notJUnitError) Unwrap() error { return ErrNotJUnit }

// Result elements of a test case: the first three decide its status, the
// others record extra executions (reruns) that failed.
const (
	resSkipped = iota
	resFailure
	resError
	resFlakyFailure // surefire flakyFailure, rerunFailure; pytest-rerunfailures rerun
	resFlakyError   // surefire flakyError, rerunError
	numRes
)

type result struct {
	seen         bool
	message, typ string
	detail       []byte
	detailWasCut bool
	count        int
}

type parser struct {
	s      *scanner
	fn     func(Case) error
	stats  Stats
	m      merger
	intern map[string]string
	recent [2]string // the last values interned: consecutive cases share their classname and file

	roots  int
	suites []string // open <testsuite> names, innermost last

	inCase    bool
	caseDepth int
	cur       execution
	res       [numRes]result
	resDepth  int // depth of the result element whose text is collected, 0 if none
	resKind   int
	muteDepth int // depth of a <system-out>/<system-err> inside it, 0 if none

	key []byte // scratch for the merge key
}

// execution is one <testcase> element.
type execution struct {
	suite, classname, file string
	name                   []byte
	line                   int
	time                   float64
	disabled               bool
}

func (p *parser) emit(c Case) error {
	p.stats.Add(c)
	return p.fn(c)
}

func (p *parser) run() error {
	s := p.s
	for {
		kind, err := s.next(p.resDepth > 0 && p.muteDepth == 0)
		if err != nil {
			return err
		}
		switch kind {
		case tokEOF:
			if p.roots == 0 {
				return &SyntaxError{Line: s.lineAt(s.end), Msg: "no XML element: the file is empty or not XML; check that the test run wrote its report"}
			}
			return nil
		case tokStart:
			if err := p.start(); err != nil {
				return err
			}
		case tokEnd:
			if err := p.end(); err != nil {
				return err
			}
		}
	}
}

func (p *parser) start() error {
	s := p.s
	name := localName(s.name)
	depth := s.depth()
	if s.selfClosing {
		depth++ // the depth the element would have had
	}
	if depth == 1 {
		p.roots++
		if !bytes.Equal(name, []byte("testsuites")) && !bytes.Equal(name, []byte("testsuite")) {
			return &notJUnitError{line: s.line(), root: string(s.name)}
		}
	}
	if p.inCase {
		if p.resDepth > 0 {
			// Inside a result: its text is the detail, except the output
			// surefire nests in flaky and rerun elements.
			if p.muteDepth == 0 && !s.selfClosing && (bytes.Equal(name, []byte("system-out")) || bytes.Equal(name, []byte("system-err"))) {
				p.muteDepth = depth
			}
			return nil
		}
		if depth != p.caseDepth+1 {
			return nil
		}
		kind := resultKind(name)
		if kind < 0 {
			return nil
		}
		r := &p.res[kind]
		r.count++
		if !r.seen {
			r.seen = true
			r.message = p.attrString("message")
			r.typ = p.attrString("type")
			if s.selfClosing {
				return nil
			}
			p.resDepth, p.resKind = depth, kind
			s.text, s.textCut = s.text[:0], false
		}
		return nil
	}
	switch {
	case bytes.Equal(name, []byte("testsuite")):
		p.stats.Suites++
		if s.selfClosing {
			return nil
		}
		p.suites = append(p.suites, p.attrInterned("name"))
	case bytes.Equal(name, []byte("testcase")):
		p.beginCase(depth)
		if s.selfClosing {
			return p.endCase()
		}
	}
	return nil
}

func resultKind(name []byte) int {
	switch string(name) {
	case "failure":
		return resFailure
	case "error":
		return resError
	case "skipped", "disabled":
		return resSkipped
	case "flakyFailure", "rerunFailure", "rerun":
		return resFlakyFailure
	case "flakyError", "rerunError":
		return resFlakyError
	}
	return -1
}

func (p *parser) beginCase(depth int) {
	p.inCase, p.caseDepth = true, depth
	for i := range p.res {
		r := &p.res[i]
		r.seen, r.count, r.message, r.typ, r.detail, r.detailWasCut = false, 0, "", "", r.detail[:0], false
	}
	e := &p.cur
	*e = execution{name: e.name[:0]}
	if len(p.suites) > 0 {
		e.suite = p.suites[len(p.suites)-1]
	}
	for _, a := range p.s.attrs {
		switch string(a.name) {
		case "name":
			e.name, _ = appendUnescape(e.name, a.value, MaxTagSize)
		case "classname":
			e.classname = p.internValue(a.value)
		case "file", "filepath":
			e.file = p.internValue(a.value)
		case "line", "lineno":
			e.line, _ = strconv.Atoi(string(bytes.TrimSpace(a.value)))
			e.line = max(e.line, 0)
		case "time", "duration":
			e.time = parseSeconds(a.value)
		case "status", "result":
			// googletest: status="notrun" result="suppressed" for a
			// DISABLED_ test; other tools write status="disabled".
			switch string(a.value) {
			case "disabled", "notrun", "suppressed":
				e.disabled = true
			}
		}
	}
}

func (p *parser) end() error {
	s := p.s
	depth := s.depth() + 1 // depth of the element just closed
	if p.muteDepth > 0 && depth == p.muteDepth {
		p.muteDepth = 0
		return nil
	}
	if p.resDepth > 0 && depth == p.resDepth {
		r := &p.res[p.resKind]
		r.detail = append(r.detail[:0], trimBlankLines(s.text)...)
		r.detailWasCut = s.textCut
		p.resDepth = 0
		return nil
	}
	if p.inCase {
		if depth == p.caseDepth {
			return p.endCase()
		}
		return nil
	}
	if bytes.Equal(localName(s.name), []byte("testsuite")) && len(p.suites) > 0 {
		p.suites = p.suites[:len(p.suites)-1]
	}
	return nil
}

// endCase turns the finished <testcase> into an execution record for the
// merger.
func (p *parser) endCase() error {
	p.inCase = false
	e := &p.cur
	x := run{time: e.time, line: e.line}
	deciding := -1
	switch {
	case e.disabled:
		// A disabled test did not run, whatever else it records.
		x.status = StatusSkipped
		deciding = resSkipped
		if !p.res[resSkipped].seen {
			deciding = -1
		}
	case p.res[resError].seen:
		x.status, deciding = StatusError, resError
	case p.res[resFailure].seen:
		x.status, deciding = StatusFailed, resFailure
	case p.res[resSkipped].seen:
		x.status, deciding = StatusSkipped, resSkipped
	default:
		x.status = StatusPassed
	}
	if deciding >= 0 {
		x.result = &p.res[deciding]
	}
	x.extraFail = p.res[resFlakyFailure].count
	x.extraErr = p.res[resFlakyError].count
	if x.extraFail > 0 {
		x.extra = &p.res[resFlakyFailure]
	} else if x.extraErr > 0 {
		x.extra = &p.res[resFlakyError]
	}

	// The key identifies a test within the file: suite, class, file, name.
	k := append(p.key[:0], e.suite...)
	k = append(k, 0)
	k = append(k, e.classname...)
	k = append(k, 0)
	k = append(k, e.file...)
	k = append(k, 0)
	k = append(k, e.name...)
	p.key = k
	return p.m.add(k, len(e.name), e, &x, p.emit)
}

// trimBlankLines drops the white space around a detail, which comes from
// the report's indentation.
func trimBlankLines(b []byte) []byte { return bytes.TrimSpace(b) }

func (p *parser) attr(name string) ([]byte, bool) {
	for _, a := range p.s.attrs {
		if string(a.name) == name {
			return a.value, true
		}
	}
	return nil, false
}

func (p *parser) attrString(name string) string {
	v, ok := p.attr(name)
	if !ok || len(v) == 0 {
		return ""
	}
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return string(v)
	}
	out, _ := appendUnescape(nil, v, MaxTagSize)
	return string(out)
}

func (p *parser) attrInterned(name string) string {
	v, _ := p.attr(name)
	return p.internValue(v)
}

// maxInterned bounds the intern table; past it the table starts over, so a
// report with millions of distinct class names still runs in bounded
// memory.
const maxInterned = 1 << 14

// internValue decodes an attribute value and returns a shared string for
// it: suites, classes and files repeat across many cases.
func (p *parser) internValue(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if bytes.IndexByte(v, '&') >= 0 || bytes.IndexByte(v, '\r') >= 0 {
		v, _ = appendUnescape(nil, v, MaxTagSize)
	}
	for _, s := range p.recent {
		if s == string(v) {
			return s
		}
	}
	if s, ok := p.intern[string(v)]; ok {
		p.recent[1], p.recent[0] = p.recent[0], s
		return s
	}
	if len(p.intern) >= maxInterned {
		clear(p.intern)
	}
	s := string(v)
	p.intern[s] = s
	p.recent[1], p.recent[0] = p.recent[0], s
	return s
}

// parseSeconds reads a time attribute. Values that are not numbers (such
// as web-test-runner's "<<computed>>") count as 0, and so do negative,
// infinite and NaN values.
func parseSeconds(b []byte) float64 {
	// Fast path: plain decimals such as "0.001" or "12", exact when the
	// digits fit in 2^53 and the fraction has at most 22 digits.
	var mant uint64
	frac, digits := -1, 0
	ok := len(b) > 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			ok = false
		}
		if !ok {
			break
		}
	}
	if ok && digits > 0 && digits <= 15 && frac <= 22 {
		if frac <= 0 {
			return float64(mant)
		}
		return float64(mant) / pow10[frac]
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

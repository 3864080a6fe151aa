package coverage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ParseError reports a coverage file that cannot be read.
type ParseError struct {
	File string // empty for a stream with no name
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

type inconsistentError struct {
	file     string
	line     int
	was, now int
}

func (e *inconsistentError) Error() string {
	return fmt.Sprintf("cover profile: the block of %s at line %d has %d statements in one record and %d in another; profiles from different versions of the code were mixed, regenerate them from one commit", e.file, e.line, e.was, e.now)
}

// MaxProfileLine caps one line of a Go cover profile.
const MaxProfileLine = 1 << 20

// ParseGoProfile reads a Go cover profile (go test -coverprofile). Blocks
// recorded more than once (one test binary per package, -coverpkg) are
// merged as golang.org/x/tools/cover merges them: same file and range,
// counts summed, or or-ed in set mode. Several profiles concatenated with
// the same mode line are accepted.
func ParseGoProfile(ctx context.Context, r io.Reader) (*Report, error) {
	rep := newReport()
	br := bufio.NewReaderSize(r, 256<<10)
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, &ParseError{Line: lineNo + 1, Msg: fmt.Sprintf("a line is longer than %d bytes; this is not a Go cover profile", br.Size())}
		}
		if len(line) > 0 {
			lineNo++
			if lineNo%8192 == 0 {
				if cerr := ctx.Err(); cerr != nil {
					return nil, cerr
				}
			}
			if perr := rep.goLine(bytes.TrimRight(line, "\r\n"), lineNo); perr != nil {
				return nil, perr
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("reading cover profile: %w", err)
		}
	}
	if rep.Mode == "" {
		return nil, &ParseError{Line: 1, Msg: "empty cover profile (no \"mode:\" line); write it with go test -coverprofile"}
	}
	for _, f := range rep.files {
		if err := f.finishGo(rep.Mode); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func (rep *Report) goLine(line []byte, lineNo int) error {
	if mode, ok := bytes.CutPrefix(line, []byte("mode: ")); ok {
		m := string(bytes.TrimSpace(mode))
		switch {
		case m != "set" && m != "count" && m != "atomic":
			return &ParseError{Line: lineNo, Msg: fmt.Sprintf("unknown cover mode %q; expected set, count or atomic", m)}
		case rep.Mode == "":
			rep.Mode = m
		case rep.Mode != m:
			return &ParseError{Line: lineNo, Msg: fmt.Sprintf("cover mode %q after mode %q; profiles of different modes cannot be merged, use one -covermode", m, rep.Mode)}
		}
		return nil
	}
	if rep.Mode == "" {
		return &ParseError{Line: lineNo, Msg: "a Go cover profile starts with a \"mode: set|count|atomic\" line; write it with go test -coverprofile"}
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	name, b, err := parseBlock(line)
	if err != nil {
		return &ParseError{Line: lineNo, Msg: fmt.Sprintf("%v; expected file.go:line.col,line.col statements count", err)}
	}
	f := rep.file(name)
	f.blocks = append(f.blocks, b)
	return nil
}

// parseBlock reads "name.go:12.3,14.5 2 1" from the right, as the file
// name may itself contain ':' or '.'.
func parseBlock(l []byte) (string, Block, error) {
	var b Block
	end := len(l)
	fields := []struct {
		sep  byte
		dst  *int
		what string
	}{
		{' ', &b.Count, "count"}, {' ', &b.NumStmt, "statement count"}, {'.', &b.EndCol, "end column"},
		{',', &b.EndLine, "end line"}, {'.', &b.StartCol, "start column"}, {':', &b.StartLine, "start line"},
	}
	for _, fd := range fields {
		i := bytes.LastIndexByte(l[:end], fd.sep)
		if i < 0 {
			return "", b, fmt.Errorf("no %s", fd.what)
		}
		v, err := strconv.Atoi(string(l[i+1 : end]))
		if err != nil || v < 0 {
			return "", b, fmt.Errorf("bad %s %q", fd.what, l[i+1:end])
		}
		*fd.dst = v
		end = i
	}
	if end == 0 {
		return "", b, errors.New("no file name")
	}
	return string(l[:end]), b, nil
}

// maxNesting bounds element nesting: encoding/xml keeps every open element,
// so a hostile report of millions of nested elements would hold them all.
// Cobertura nests 7 deep; the JUnit reader refuses past 256 as well.
const maxNesting = 256

// ParseCobertura reads a Cobertura XML report (coverage.py's coverage xml,
// pytest-cov's --cov-report=xml, and other tools'). Each file's statements
// are its class-level <line> elements; a line listed by several classes of
// one file counts once with its highest hits. File names are kept as
// written; Normalize makes them repository-relative using Sources.
func ParseCobertura(ctx context.Context, r io.Reader) (*Report, error) {
	rep := newReport()
	g := &guardReader{r: r}
	d := xml.NewDecoder(g)
	var (
		inSources, inSource bool
		source              strings.Builder
		class               *File
		classDepth, depth   int
		linesDepth          int // depth of the class's own <lines>, 0 outside
		rootSeen            bool
	)
	lineOf := func() int { l, _ := d.InputPos(); return l }
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.Is(err, errTokenTooLarge) {
				return nil, &ParseError{Line: lineOf(), Msg: errTokenTooLarge.Error()}
			}
			if errors.As(err, &se) {
				return nil, &ParseError{Line: se.Line, Msg: fmt.Sprintf("not well-formed XML: %s; regenerate the coverage report", se.Msg)}
			}
			return nil, fmt.Errorf("reading Cobertura report: %w", err)
		}
		g.mark = d.InputOffset()
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) || bytes.HasPrefix(bytes.TrimSpace(t), []byte("ENTITY")) {
				if bytes.Contains(t, []byte("[")) {
					return nil, &ParseError{Line: lineOf(), Msg: "DOCTYPE with an internal subset (entity declarations) is refused; coverage reports do not need one"}
				}
			}
		case xml.StartElement:
			depth++
			if depth > maxNesting {
				return nil, &ParseError{Line: lineOf(), Msg: fmt.Sprintf("elements nested over %d deep: not a coverage report (Cobertura nests 7 deep); regenerate it", maxNesting)}
			}
			name := t.Name.Local
			if !rootSeen {
				rootSeen = true
				if name != "coverage" {
					return nil, &ParseError{Line: lineOf(), Msg: fmt.Sprintf("root element <%s>: not a Cobertura coverage report (expected <coverage>); ask the coverage tool for Cobertura XML (coverage xml, pytest --cov-report=xml)", name)}
				}
			}
			switch {
			case name == "sources":
				inSources = true
			case name == "source" && inSources:
				inSource = true
				source.Reset()
			case name == "class" && class == nil:
				fn := attr(t, "filename")
				if fn == "" {
					fn = attr(t, "name")
				}
				class, classDepth = rep.file(fn), depth
			case name == "lines" && class != nil && depth == classDepth+1:
				linesDepth = depth
			case name == "line" && linesDepth > 0 && depth == linesDepth+1:
				n, err := strconv.Atoi(attr(t, "number"))
				if err != nil || n < 0 {
					return nil, &ParseError{Line: lineOf(), Msg: fmt.Sprintf("<line number=%q> is not a line number", attr(t, "number"))}
				}
				hits, err := strconv.ParseFloat(attr(t, "hits"), 64)
				if err != nil || hits < 0 {
					hits = 0
				}
				h := class.lines[n]
				h.hits = max(h.hits, int(min(hits, 1<<40)))
				if cov, total, ok := conditionCoverage(attr(t, "condition-coverage")); ok {
					h.bcover, h.branches = max(h.bcover, cov), max(h.branches, total)
				}
				class.lines[n] = h
			}
		case xml.EndElement:
			switch {
			case t.Name.Local == "sources":
				inSources = false
			case t.Name.Local == "source" && inSource:
				inSource = false
				if s := strings.TrimSpace(source.String()); s != "" {
					rep.Sources = append(rep.Sources, s)
				}
			case depth == linesDepth:
				linesDepth = 0
			case depth == classDepth && class != nil:
				class = nil
			}
			depth--
		case xml.CharData:
			if inSource {
				source.Write(t)
			}
		}
	}
	if !rootSeen {
		return nil, &ParseError{Line: 1, Msg: "empty file: not a Cobertura coverage report"}
	}
	for _, f := range rep.files {
		f.finishLines()
	}
	return rep, nil
}

// maxCoberturaToken bounds one XML token (encoding/xml holds a whole
// token in memory): a larger one is refused instead of buffered.
const maxCoberturaToken = 4 << 20

var errTokenTooLarge = errors.New("an XML token larger than 4 MiB; this is not a coverage report")

// guardReader stops reading when the decoder has not finished a token in
// maxCoberturaToken bytes.
type guardReader struct {
	r    io.Reader
	n    int64
	mark int64
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n-g.mark > maxCoberturaToken {
		return 0, errTokenTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// conditionCoverage reads "50% (1/2)".
func conditionCoverage(s string) (covered, total int, ok bool) {
	i := strings.IndexByte(s, '(')
	j := strings.IndexByte(s, ')')
	if i < 0 || j < i {
		return 0, 0, false
	}
	a, b, found := strings.Cut(s[i+1:j], "/")
	if !found {
		return 0, 0, false
	}
	c, err1 := strconv.Atoi(strings.TrimSpace(a))
	t, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || c < 0 || t < c {
		return 0, 0, false
	}
	return c, t, true
}

// ParseFile reads a coverage file of either format, telling them apart by
// content (a Cobertura report starts with '<'). Errors name the file.
func ParseFile(ctx context.Context, path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening coverage report: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(512)
	var rep *Report
	if t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"); len(t) > 0 && t[0] == '<' {
		rep, err = ParseCobertura(ctx, br)
	} else {
		rep, err = ParseGoProfile(ctx, br)
	}
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) && pe.File == "" {
			pe.File = path
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

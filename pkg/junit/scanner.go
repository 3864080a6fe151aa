package junit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The scanner reads the subset of XML that test reports use: elements,
// attributes, character data, CDATA sections, comments and processing
// instructions. DOCTYPE and every other markup declaration are refused, so
// no entity can be declared and an entity-expansion bomb cannot start.
// It never allocates per token: names and attribute values are slices of
// its buffer, valid until the next call to next.

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
)

type attr struct{ name, value []byte } // value still escaped

const (
	readSize = 1 << 20 // bytes read at a time; also the initial buffer
	maxDepth = 256     // deeper nesting is refused (no JUnit report needs it)
)

type scanner struct {
	ctx   context.Context
	r     io.Reader
	buf   []byte
	chunk int // the initial buffer size, and the least room kept for a read
	pos   int // next unread byte
	end   int // end of valid data
	eof   bool
	rerr  error

	lines   int // newlines in buf[:linePos] and in the bytes dropped before it
	linePos int

	// The current token.
	kind        tokKind
	name        []byte
	attrs       []attr
	selfClosing bool
	tokPos      int

	// Text and CDATA content seen while wantText is set is appended here,
	// decoded, up to textCap bytes; textCut records that some was dropped.
	text    []byte
	textCap int
	textCut bool

	// Open elements, for well-formedness and for error messages.
	stack    []byte
	stackOff []int
}

func newScanner(ctx context.Context, r io.Reader) *scanner {
	return newScannerSize(ctx, r, readSize)
}

// newScannerSize lets tests use tiny buffers, so that every token is split
// across reads somewhere.
func newScannerSize(ctx context.Context, r io.Reader, size int) *scanner {
	return &scanner{ctx: ctx, r: r, buf: make([]byte, size), chunk: size, textCap: MaxDetail}
}

// lineAt returns the 1-based line of buf[p] (p >= linePos).
func (s *scanner) lineAt(p int) int {
	if p > s.linePos {
		s.lines += bytes.Count(s.buf[s.linePos:p], nl)
		s.linePos = p
	}
	return s.lines + 1
}

var nl = []byte{'\n'}

func (s *scanner) errorAtLine(line int, format string, args ...any) error {
	if s.rerr != nil {
		// The input stopped because reading failed (or ctx ended), not
		// because the report is cut short.
		return fmt.Errorf("reading the report: %w", s.rerr)
	}
	return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) errorf(p int, format string, args ...any) error {
	if s.rerr != nil {
		return fmt.Errorf("reading the report: %w", s.rerr)
	}
	if p < s.linePos {
		p = s.linePos
	}
	return &SyntaxError{Line: s.lineAt(p), Msg: fmt.Sprintf(format, args...)}
}

// more reads more input, keeping buf[s.pos:]. It reports false at the end
// of the input or on a read error (kept in s.rerr).
func (s *scanner) more() bool {
	if s.eof {
		return false
	}
	if err := s.ctx.Err(); err != nil {
		s.rerr, s.eof = err, true
		return false
	}
	if s.pos > 0 {
		s.lineAt(s.pos)
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.linePos -= s.pos
		s.end = n
		s.pos = 0
	}
	if len(s.buf)-s.end < s.chunk/2 {
		// A token longer than the buffer: grow, up to the tag cap.
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == nil && n == 0 && tries >= 100 {
			err = io.ErrNoProgress // as bufio does, for a broken reader
		}
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// moreTag reads until the unfinished tag at s.pos has twice the bytes it
// had (or the input ends), so that re-parsing a long tag read in small
// pieces stays linear.
func (s *scanner) moreTag() bool {
	want := min(2*(s.end-s.pos), MaxTagSize) + 1
	if !s.more() {
		return false
	}
	for s.end-s.pos < want && s.more() {
	}
	return true
}

// need makes n bytes available from s.pos if the input has them.
func (s *scanner) need(n int) bool {
	for s.end-s.pos < n {
		if !s.more() {
			return false
		}
	}
	return true
}

// skipPast discards input up to and including pattern. It reports false at
// the end of the input.
func (s *scanner) skipPast(pattern string) bool {
	for {
		i := bytes.Index(s.buf[s.pos:s.end], []byte(pattern))
		if i >= 0 {
			s.pos += i + len(pattern)
			return true
		}
		// Keep a possible partial match at the end.
		if keep := len(pattern) - 1; s.end-s.pos > keep {
			s.pos = s.end - keep
		}
		if !s.more() {
			return false
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// isNameStart accepts the ASCII name start characters and every non-ASCII
// byte; a '<' followed by anything else is read as text (lenient).
func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// next reads up to and including the next start or end tag. Text before it
// is appended to s.text (decoded) when wantText is set, and skipped
// otherwise.
func (s *scanner) next(wantText bool) (tokKind, error) {
	for {
		if s.pos >= s.end && !s.more() {
			return s.atEOF()
		}
		c := s.buf[s.pos]
		if c != '<' {
			if err := s.scanText(wantText); err != nil {
				return tokEOF, err
			}
			continue
		}
		if !s.need(2) {
			// A lone '<' at the very end.
			return tokEOF, s.errorf(s.pos, "unexpected end of file in a tag; the report was cut short, check that the test run finished writing it")
		}
		switch c1 := s.buf[s.pos+1]; {
		case c1 == '/':
			return s.scanEndTag()
		case c1 == '?':
			line := s.lineAt(s.pos)
			if !s.skipPast("?>") {
				return tokEOF, s.errorAtLine(line, "unexpected end of file in a processing instruction")
			}
		case c1 == '!':
			if err := s.scanBang(wantText); err != nil {
				return tokEOF, err
			}
		case isNameStart(c1):
			return s.scanStartTag()
		default:
			// Not markup: a literal '<' in text (not well-formed, accepted).
			if wantText {
				s.appendText([]byte{'<'})
			}
			s.pos++
		}
	}
}

func (s *scanner) atEOF() (tokKind, error) {
	if s.rerr != nil {
		return tokEOF, fmt.Errorf("reading the report: %w", s.rerr)
	}
	if d := len(s.stackOff); d > 0 {
		return tokEOF, s.errorf(s.end, "unexpected end of file: <%s> is not closed; the report was cut short, check that the test run finished writing it", s.stack[s.stackOff[d-1]:])
	}
	return tokEOF, nil
}

func (s *scanner) appendText(b []byte) {
	if s.textCut {
		return
	}
	room := s.textCap - len(s.text)
	if len(b) > room {
		// Cut at a character boundary.
		for room > 0 && !utf8.RuneStart(b[room]) {
			room--
		}
		b = b[:room]
		s.textCut = true
	}
	s.text = append(s.text, b...)
}

// scanText consumes character data up to the next '<' (or the end of the
// buffer).
func (s *scanner) scanText(wantText bool) error {
	data := s.buf[s.pos:s.end]
	i := bytes.IndexByte(data, '<')
	if !wantText {
		if i < 0 {
			s.pos = s.end
		} else {
			s.pos += i
		}
		return nil
	}
	if i < 0 {
		i = len(data)
		if !s.eof {
			// Do not split an entity reference or a "\r\n" across reads.
			if j := bytes.LastIndexByte(data, '&'); j >= 0 && len(data)-j < 16 && bytes.IndexByte(data[j:], ';') < 0 {
				i = j
			} else if data[i-1] == '\r' {
				i--
			}
			if i == 0 {
				if !s.more() {
					i = s.end - s.pos
					data = s.buf[s.pos:s.end]
				} else {
					return nil
				}
			}
		}
	}
	if !s.textCut {
		var complete bool
		s.text, complete = appendUnescape(s.text, data[:i], s.textCap)
		s.textCut = !complete
	}
	s.pos += i
	return nil
}

// scanBang handles "<!": comments, CDATA sections, and (refused) DOCTYPE
// and other declarations.
func (s *scanner) scanBang(wantText bool) error {
	s.need(9)
	start := s.pos
	line := s.lineAt(start)
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		s.pos += 4
		if !s.skipPast("-->") {
			return s.errorAtLine(line, "unexpected end of file in a comment")
		}
		return nil
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		s.pos += 9
		for {
			data := s.buf[s.pos:s.end]
			i := bytes.Index(data, []byte("]]>"))
			if i >= 0 {
				if wantText {
					s.appendCDATA(data[:i])
				}
				s.pos += i + 3
				return nil
			}
			// Keep "]]" and a trailing '\r' for the next read.
			n := len(data) - 2
			if n > 0 && data[n-1] == '\r' {
				n--
			}
			if n > 0 {
				if wantText {
					s.appendCDATA(data[:n])
				}
				s.pos += n
			}
			if !s.more() {
				return s.errorAtLine(line, "unexpected end of file in a CDATA section (<![CDATA[ without ]]>); the report is corrupt, regenerate it")
			}
		}
	}
	if s.eof && (bytes.HasPrefix([]byte("<!--"), rest) || bytes.HasPrefix([]byte("<![CDATA["), rest)) {
		return s.errorAtLine(line, "unexpected end of file in markup; the report was cut short, check that the test run finished writing it")
	}
	return s.errorf(start, "markup declarations (<!DOCTYPE or <!ENTITY) are refused: test reports do not need them and they allow entity-expansion attacks; remove the declaration")
}

// appendCDATA appends raw CDATA, turning "\r\n" and "\r" into "\n" as XML
// requires.
func (s *scanner) appendCDATA(b []byte) {
	if bytes.IndexByte(b, '\r') < 0 {
		s.appendText(b)
		return
	}
	for len(b) > 0 && !s.textCut {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			s.appendText(b)
			return
		}
		s.appendText(b[:i])
		s.appendText(nl)
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

func (s *scanner) scanEndTag() (tokKind, error) {
	// s.pos stays at the tag's '<' while more() moves the buffer.
	for {
		i := bytes.IndexByte(s.buf[s.pos+2:s.end], '>')
		if i >= 0 {
			name := bytes.TrimRight(s.buf[s.pos+2:s.pos+2+i], " \t\r\n")
			s.tokPos = s.pos
			d := len(s.stackOff)
			if d == 0 {
				return tokEOF, s.errorf(s.pos, "unexpected </%s> with no element open", name)
			}
			open := s.stack[s.stackOff[d-1]:]
			if !bytes.Equal(open, name) {
				return tokEOF, s.errorf(s.pos, "<%s> is closed by </%s>; the report is corrupt, regenerate it", open, name)
			}
			s.pos += 2 + i + 1
			s.name = open
			s.stack = s.stack[:s.stackOff[d-1]]
			s.stackOff = s.stackOff[:d-1]
			s.kind = tokEnd
			return tokEnd, nil
		}
		if s.end-s.pos > MaxTagSize {
			return tokEOF, s.errorf(s.pos, "an end tag is longer than %d MiB; the report is corrupt", MaxTagSize>>20)
		}
		if !s.moreTag() {
			return tokEOF, s.errorf(s.pos, "unexpected end of file in an end tag; the report was cut short, check that the test run finished writing it")
		}
	}
}

// scanStartTag reads a whole start tag. When the tag is not complete in the
// buffer it reads more and starts over, so every slice points into one
// buffer state.
func (s *scanner) scanStartTag() (tokKind, error) {
	for {
		ok, err := s.parseStartTag()
		if err != nil {
			return tokEOF, err
		}
		if ok {
			return tokStart, nil
		}
		if s.end-s.pos > MaxTagSize {
			return tokEOF, s.errorf(s.pos, "a tag is longer than %d MiB (an attribute value this large is not a test report); the report is refused", MaxTagSize>>20)
		}
		if !s.moreTag() {
			return tokEOF, s.errorf(s.pos, "unexpected end of file in a tag; the report was cut short, check that the test run finished writing it")
		}
	}
}

// parseStartTag returns false, nil when the buffer ends inside the tag.
func (s *scanner) parseStartTag() (bool, error) {
	b := s.buf[s.pos:s.end]
	i := 1
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' && b[i] != '/' {
		i++
	}
	if i == len(b) {
		return false, nil
	}
	name := b[1:i]
	s.attrs = s.attrs[:0]
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		switch b[i] {
		case '>':
			return true, s.startDone(name, false, i+1)
		case '/':
			if i+1 == len(b) {
				return false, nil
			}
			if b[i+1] == '>' {
				return true, s.startDone(name, true, i+2)
			}
			i++ // stray '/': lenient
			continue
		}
		// Attribute name.
		n0 := i
		for i < len(b) && !isSpace(b[i]) && b[i] != '=' && b[i] != '>' && b[i] != '/' {
			i++
		}
		an := b[n0:i]
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		if b[i] != '=' {
			// An attribute without a value (not XML): lenient, empty value.
			s.attrs = append(s.attrs, attr{name: an})
			continue
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		q := b[i]
		if q == '"' || q == '\'' {
			j := bytes.IndexByte(b[i+1:], q)
			if j < 0 {
				return false, nil
			}
			s.attrs = append(s.attrs, attr{name: an, value: b[i+1 : i+1+j]})
			i += j + 2
			continue
		}
		// Unquoted value (not XML): lenient, up to a space or '>'.
		v0 := i
		for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
			i++
		}
		if i == len(b) {
			return false, nil
		}
		s.attrs = append(s.attrs, attr{name: an, value: b[v0:i]})
	}
}

func (s *scanner) startDone(name []byte, selfClosing bool, n int) error {
	s.tokPos = s.pos
	s.pos += n
	s.name = name
	s.selfClosing = selfClosing
	s.kind = tokStart
	if !selfClosing {
		if len(s.stackOff) >= maxDepth {
			return s.errorf(s.tokPos, "elements are nested more than %d deep; this is not a test report", maxDepth)
		}
		s.stackOff = append(s.stackOff, len(s.stack))
		s.stack = append(s.stack, name...)
	}
	return nil
}

// line returns the line of the current token.
func (s *scanner) line() int { return s.lineAt(s.tokPos) }

// depth is the number of open elements (after the current token).
func (s *scanner) depth() int { return len(s.stackOff) }

// localName strips a namespace prefix.
func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// appendUnescape appends src to dst with entity and character references
// decoded and "\r\n"/"\r" turned into "\n", stopping once dst reaches
// limit bytes. Unknown or malformed references are kept as written
// (lenient: such a file is not well-formed XML, but its text is still
// useful).
func appendUnescape(dst, src []byte, limit int) (out []byte, complete bool) {
	for len(src) > 0 && len(dst) < limit {
		i := 0
		for i < len(src) && src[i] != '&' && src[i] != '\r' {
			i++
		}
		dst = appendCapped(dst, src[:i], limit)
		src = src[i:]
		if len(src) == 0 {
			break
		}
		if src[0] == '\r' {
			dst = append(dst, '\n')
			src = src[1:]
			if len(src) > 0 && src[0] == '\n' {
				src = src[1:]
			}
			continue
		}
		r, n := decodeEntity(src)
		if n == 0 {
			dst = append(dst, '&')
			src = src[1:]
			continue
		}
		dst = utf8.AppendRune(dst, r)
		src = src[n:]
	}
	if len(dst) <= limit && len(src) == 0 {
		return dst, true
	}
	if len(dst) > limit {
		dst = dst[:limit]
		// Drop a UTF-8 sequence left partial by the cut.
		for k := 0; k < 3 && len(dst) > 0; k++ {
			if r, size := utf8.DecodeLastRune(dst); r != utf8.RuneError || size != 1 {
				break
			}
			dst = dst[:len(dst)-1]
		}
	}
	return dst, false
}

func appendCapped(dst, b []byte, limit int) []byte {
	if room := limit - len(dst); len(b) > room {
		b = b[:room]
	}
	return append(dst, b...)
}

// decodeEntity decodes the reference at the start of b ("&amp;",
// "&#10;", "&#x1F600;"), returning the rune and the bytes used, or n == 0
// when b does not start with one.
func decodeEntity(b []byte) (r rune, n int) {
	end := bytes.IndexByte(b[:min(len(b), 16)], ';')
	if end < 2 {
		return 0, 0
	}
	ref := b[1:end]
	if ref[0] == '#' {
		digits, base := ref[1:], rune(10)
		if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
			digits, base = digits[1:], 16
		}
		if len(digits) == 0 {
			return 0, 0
		}
		for _, c := range digits {
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = rune(c - '0')
			case base == 16 && c >= 'a' && c <= 'f':
				d = rune(c-'a') + 10
			case base == 16 && c >= 'A' && c <= 'F':
				d = rune(c-'A') + 10
			default:
				return 0, 0
			}
			r = r*base + d
			if r > utf8.MaxRune {
				return 0, 0
			}
		}
		if r == 0 || !utf8.ValidRune(r) {
			return 0, 0 // NUL and surrogates are never characters
		}
		return r, end + 1
	}
	switch string(ref) {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	return 0, 0
}

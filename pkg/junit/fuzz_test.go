package junit

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// addSeeds adds every report under testdata as a fuzz seed.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<testsuite><testcase name="a&amp;b" time="<<computed>>"/></testsuite>`))
	f.Add([]byte("<testsuites>\r\n<testsuite name='s'><testcase name=\"x\"><failure message=\"m&#10;n\"><![CDATA[a\r\nb]]>&lt;c&gt;</failure></testcase></testsuite></testsuites>"))
}

// FuzzParse: any input either parses with consistent totals or fails with
// an error; it never panics.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var n, failing int
		st, err := Parse(context.Background(), bytes.NewReader(data), func(c Case) error {
			n++
			if c.Status == StatusFailed || c.Status == StatusError {
				failing++
			}
			if c.Runs < 1 || c.Time < 0 || len(c.Detail) > MaxDetail+len(TruncatedMark) {
				t.Fatalf("bad case %+v", c)
			}
			return nil
		})
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && !errors.Is(err, ErrNotJUnit) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			return
		}
		if st.Tests != n || st.Passed+st.Failed+st.Errors+st.Skipped != st.Tests || st.Runs < st.Tests || st.Flaky > st.Passed || st.Failed+st.Errors != failing {
			t.Fatalf("inconsistent stats %+v for %d cases", st, n)
		}
	})
}

// scanEvents runs our scanner over data, text included, and renders what
// it sees as lines: "S name a=v ...", "E name", "T text".
func scanEvents(data []byte) ([]string, error) {
	return scanEventsFrom(newScanner(context.Background(), bytes.NewReader(data)))
}

// scanEventsSmall reads through a 16-byte buffer, one byte per read, so
// every token straddles reads somewhere.
func scanEventsSmall(data []byte) ([]string, error) {
	return scanEventsFrom(newScannerSize(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), 16))
}

func scanEventsFrom(s *scanner) ([]string, error) {
	s.textCap = 1 << 30
	var ev []string
	flush := func() {
		if len(s.text) > 0 {
			ev = append(ev, "T "+string(s.text))
			s.text = s.text[:0]
		}
	}
	for {
		kind, err := s.next(true)
		if err != nil {
			return nil, err
		}
		flush()
		switch kind {
		case tokEOF:
			return ev, nil
		case tokStart:
			var b strings.Builder
			b.WriteString("S " + string(s.name))
			for _, a := range s.attrs {
				v, _ := appendUnescape(nil, a.value, 1<<30)
				fmt.Fprintf(&b, " %s=%q", a.name, v)
			}
			ev = append(ev, b.String())
			if s.selfClosing {
				ev = append(ev, "E "+string(s.name))
			}
		case tokEnd:
			ev = append(ev, "E "+string(s.name))
		}
	}
}

// referenceEvents is the same rendering from encoding/xml. ok is false when
// encoding/xml finds the input not well-formed, or it holds a directive
// (which our scanner refuses by design), or nests deeper than we accept.
func referenceEvents(data []byte) (ev []string, ok bool) {
	// Token (not RawToken) checks that tags match and the file is complete.
	check := xml.NewDecoder(bytes.NewReader(data))
	depth, maxD := 0, 0
	for {
		tok, err := check.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false
		}
		switch tok.(type) {
		case xml.Directive:
			return nil, false
		case xml.StartElement:
			depth++
			maxD = max(maxD, depth)
		case xml.EndElement:
			depth--
		}
	}
	if maxD > maxDepth {
		return nil, false
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var text []byte
	flush := func() {
		if len(text) > 0 {
			ev = append(ev, "T "+string(text))
			text = text[:0]
		}
	}
	name := func(n xml.Name) string {
		if n.Space != "" {
			return n.Space + ":" + n.Local
		}
		return n.Local
	}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			flush()
			return ev, true
		}
		if err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			flush()
			var b strings.Builder
			b.WriteString("S " + name(t.Name))
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s=%q", name(a.Name), a.Value)
			}
			ev = append(ev, b.String())
		case xml.EndElement:
			flush()
			ev = append(ev, "E "+name(t.Name))
		}
	}
}

// FuzzScannerDifferential: on every input encoding/xml accepts as
// well-formed, our scanner sees the same elements, attributes (decoded)
// and text (decoded, CDATA included, comments dropped).
func FuzzScannerDifferential(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`<a x="1" y='&quot;2&#x41;'><b>t&amp;u<![CDATA[<c>]]><!-- no --></b><?pi x?></a>`))
	f.Add([]byte("<r>\r\nline\rx</r>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, ok := referenceEvents(data)
		if !ok {
			return
		}
		for _, scan := range []func([]byte) ([]string, error){scanEvents, scanEventsSmall} {
			got, err := scan(data)
			if err != nil {
				t.Fatalf("encoding/xml accepts the input, the scanner fails: %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("scanner:\n%s\nencoding/xml:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})
}

// render runs a parse and prints its cases, totals and error.
func render(st Stats, err error, cases []Case) string {
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "%+v\n", c)
	}
	fmt.Fprintf(&b, "%+v %v", st, err)
	return b.String()
}

// FuzzParseChunking: the result does not depend on how the input is cut
// into reads (the buffer-refill paths of the scanner).
func FuzzParseChunking(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var big, small []Case
		st1, err1 := Parse(context.Background(), bytes.NewReader(data), func(c Case) error { big = append(big, c); return nil })
		st2, err2 := parse(newScannerSize(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), 16), func(c Case) error { small = append(small, c); return nil })
		if a, b := render(st1, err1, big), render(st2, err2, small); a != b {
			t.Fatalf("1 MiB buffer:\n%s\n16-byte buffer, 1-byte reads:\n%s", a, b)
		}
	})
}

// TestScannerMatchesEncodingXML runs the differential check over the whole
// corpus of real reports when it is present.
func TestScannerMatchesEncodingXML(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if _, err := os.Stat(corpusDir); err == nil {
		filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
				files = append(files, p)
			}
			return nil
		})
	}
	compared := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := referenceEvents(data)
		if !ok {
			continue
		}
		compared++
		scans := []func([]byte) ([]string, error){scanEvents, scanEventsSmall}
		if len(data) > 64<<10 {
			scans = scans[:1] // TestChunkingCorpus covers large files in small reads
		}
		for _, scan := range scans {
			got, err := scan(data)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: scanner and encoding/xml disagree", p)
			}
		}
	}
	if compared == 0 {
		t.Fatal("no well-formed file compared")
	}
	t.Logf("compared %d well-formed files", compared)
}

// TestChunkingCorpus: every real report gives the same result through a
// 16-byte buffer fed one byte per read as through the normal buffer.
func TestChunkingCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if _, err := os.Stat(corpusDir); err == nil {
		filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
				files = append(files, p)
			}
			return nil
		})
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var big, small []Case
		st1, err1 := Parse(context.Background(), bytes.NewReader(data), func(c Case) error { big = append(big, c); return nil })
		st2, err2 := parse(newScannerSize(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), 16), func(c Case) error { small = append(small, c); return nil })
		if a, b := render(st1, err1, big), render(st2, err2, small); a != b {
			t.Errorf("%s: results differ with a 16-byte buffer", p)
		}
	}
}

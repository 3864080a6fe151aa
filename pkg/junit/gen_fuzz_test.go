package junit

import (
	"strings"
	"testing"
)

// wellFormed builds a well-formed report from fuzz bytes, so that the
// differential target spends its time on documents encoding/xml accepts:
// nested elements with JUnit names, attributes and text mixing literal
// characters, entity and character references, CDATA, comments and
// processing instructions.
func wellFormed(ops []byte) []byte {
	names := []string{"testsuites", "testsuite", "testcase", "failure", "error", "skipped", "system-out", "properties", "property", "flakyFailure", "rerunFailure", "stackTrace", "x:testcase"}
	attrs := []string{"name", "classname", "file", "line", "time", "message", "type", "status", "xsi:type"}
	pieces := []string{"a", "Z", "0.5", " ", "\t", "\r\n", "\n", "\r", "é", "😀", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#10;", "&#x41;", "&#233;", ">", "]]", "-", "disabled", "<<", "/"}
	var b strings.Builder
	var stack []string
	next := func() byte {
		if len(ops) == 0 {
			return 0
		}
		c := ops[0]
		ops = ops[1:]
		return c
	}
	value := func(quote byte) string {
		var v strings.Builder
		for n := int(next() % 6); n > 0; n-- {
			p := pieces[int(next())%len(pieces)]
			switch {
			case p == "<<":
				p = "&lt;&lt;"
			case strings.IndexByte(p, quote) >= 0:
				continue
			}
			v.WriteString(p)
		}
		return v.String()
	}
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	root := names[int(next())%2]
	stack = append(stack, root)
	b.WriteString("<" + root + ">")
	for len(ops) > 0 {
		switch op := next() % 8; op {
		case 0, 1: // open an element with attributes
			name := names[int(next())%len(names)]
			b.WriteString("<" + name)
			used := map[string]bool{}
			for n := int(next() % 4); n > 0; n-- {
				a := attrs[int(next())%len(attrs)]
				if used[a] {
					continue
				}
				used[a] = true
				q := byte('"')
				if next()%2 == 0 {
					q = '\''
				}
				b.WriteString(" " + a + "=" + string(q) + value(q) + string(q))
			}
			// This element sits at depth len(stack)+1, which must stay within maxDepth.
			if next()%3 == 0 || len(stack)+1 >= maxDepth {
				b.WriteString("/>")
			} else {
				b.WriteString(">")
				stack = append(stack, name)
			}
		case 2: // close
			if len(stack) > 1 {
				b.WriteString("</" + stack[len(stack)-1] + ">")
				stack = stack[:len(stack)-1]
			}
		case 3, 4: // text
			t := value(0)
			t = strings.ReplaceAll(t, ">", "&gt;")
			t = strings.ReplaceAll(t, "]]", "] ]")
			b.WriteString(t)
		case 5:
			b.WriteString("<![CDATA[" + strings.ReplaceAll(value(0), "]]", "] ]") + "<tag>]]>")
		case 6:
			b.WriteString("<!-- c " + strings.ReplaceAll(value(0), "-", "_") + " -->")
		case 7:
			b.WriteString("<?pi " + strings.ReplaceAll(value(0), "?", "") + "?>")
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString("</" + stack[i] + ">")
	}
	return []byte(b.String())
}

// FuzzScannerDifferentialWellFormed: the differential check on generated
// well-formed documents, plus the buffer-size invariance of Parse.
func FuzzScannerDifferentialWellFormed(f *testing.F) {
	f.Add([]byte{0, 0, 2, 1, 3, 0, 0, 4, 3, 5, 7, 1, 8, 9, 3, 2, 0, 5, 6, 7, 1})
	f.Add([]byte("testsuite testcase failure &amp; cdata"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		doc := wellFormed(ops)
		want, ok := referenceEvents(doc)
		if !ok {
			t.Fatalf("generated document is not well-formed:\n%s", doc)
		}
		for _, scan := range []func([]byte) ([]string, error){scanEvents, scanEventsSmall} {
			got, err := scan(doc)
			if err != nil {
				t.Fatalf("%v\n%s", err, doc)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("document:\n%s\nscanner:\n%s\nencoding/xml:\n%s", doc, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	})
}

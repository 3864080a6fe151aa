package gotestjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/org/timetracker-ci/pkg/junit"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("# p\nx.go:1:1: undefined: y\nFAIL\tp [build failed]\n"))
	f.Add([]byte(`{"Action":"run","Package":"p","Test":"T"}` + "\n" + `{"Action":"fail","Package":"p"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		st, err := Parse(context.Background(), bytes.NewReader(data), func(c junit.Case) error {
			n++
			if c.Runs < 1 || len(c.Detail) > junit.MaxDetail+len(junit.TruncatedMark) {
				t.Fatalf("bad case %+v", c)
			}
			return nil
		})
		if err != nil {
			var se *junit.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			return
		}
		if st.Tests != n || st.Passed+st.Failed+st.Errors+st.Skipped != n || st.Flaky > st.Passed {
			t.Fatalf("inconsistent stats %+v for %d cases", st, n)
		}
	})
}

// BenchmarkParse: 10 packages of 1,000 tests with output, 1% failing.
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for p := range 10 {
		pkg := fmt.Sprintf("example.com/app/pkg%d", p)
		fmt.Fprintf(&buf, "{\"Action\":\"start\",\"Package\":%q}\n", pkg)
		for i := range 1000 {
			test := fmt.Sprintf("TestThing%d", i)
			fmt.Fprintf(&buf, "{\"Time\":\"2026-01-01T00:00:00.1Z\",\"Action\":\"run\",\"Package\":%q,\"Test\":%q}\n", pkg, test)
			fmt.Fprintf(&buf, "{\"Time\":\"2026-01-01T00:00:00.1Z\",\"Action\":\"output\",\"Package\":%q,\"Test\":%q,\"Output\":\"=== RUN   %s\\n\"}\n", pkg, test, test)
			action := "pass"
			if i%100 == 99 {
				action = "fail"
				fmt.Fprintf(&buf, "{\"Time\":\"2026-01-01T00:00:00.1Z\",\"Action\":\"output\",\"Package\":%q,\"Test\":%q,\"Output\":\"    thing_test.go:%d: got 1, want 2\\n\"}\n", pkg, test, i)
			}
			fmt.Fprintf(&buf, "{\"Time\":\"2026-01-01T00:00:00.1Z\",\"Action\":%q,\"Package\":%q,\"Test\":%q,\"Elapsed\":0.01}\n", action, pkg, test)
		}
		fmt.Fprintf(&buf, "{\"Action\":\"fail\",\"Package\":%q,\"Elapsed\":1.5}\n", pkg)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Parse(context.Background(), bytes.NewReader(data), func(junit.Case) error { return nil })
		if err != nil || st.Tests != 10_000 || st.Failed != 100 {
			b.Fatal(st, err)
		}
	}
}

// FuzzDecodeEvent: whenever the small decoder accepts a line, encoding/json
// accepts it too and decodes the same event.
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Add([]byte(`{"Action":"output","Test":"T\u00e9\t\"x\"","Output":"\u001b[31mred\\n","Elapsed":1.5e-3}`))
	f.Add([]byte(`{"action":"pass","Elapsed":null,"Extra":[1,{"a":2}]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var fast, ref event
		if !fastDecode(line, &fast) {
			return
		}
		if err := json.Unmarshal(line, &ref); err != nil {
			t.Fatalf("small decoder accepted %q, encoding/json: %v", line, err)
		}
		if fast != ref {
			t.Fatalf("%q:\nsmall decoder %+v\nencoding/json %+v", line, fast, ref)
		}
	})
}

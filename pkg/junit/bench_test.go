package junit

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/org/timetracker-ci/internal/junitgen"
)

func genReport(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if _, err := junitgen.Generate(&buf, n); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParse measures the scanner and merger on a pytest-like report
// of 100,000 cases (about 17 MB); scripts/bench-junit.sh runs the full
// 1,000,000-case file and measures the peak RSS.
func BenchmarkParse(b *testing.B) {
	data := genReport(b, 100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Parse(context.Background(), bytes.NewReader(data), func(Case) error { return nil })
		if err != nil || st.Tests != 100_000 {
			b.Fatal(st, err)
		}
	}
}

// BenchmarkEncodingXMLTokens is the yardstick: encoding/xml tokenising the
// same report, doing nothing with the tokens.
func BenchmarkEncodingXMLTokens(b *testing.B) {
	data := genReport(b, 100_000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.RawToken()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

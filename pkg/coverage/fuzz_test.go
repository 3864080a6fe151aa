package coverage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
)

func seed(f *testing.F, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
}

func checkReport(t *testing.T, r *Report) {
	if r.Covered() > r.Statements() || r.Covered() < 0 {
		t.Fatalf("covered %d of %d", r.Covered(), r.Statements())
	}
	if p := r.Percent(); p < 0 || p > 100 {
		t.Fatalf("percent %v", p)
	}
	m := Merge(r, r)
	if m.Statements() != r.Statements() {
		t.Fatalf("merging a report with itself changed its statements: %d, %d", m.Statements(), r.Statements())
	}
}

func FuzzParseGoProfile(f *testing.F) {
	seed(f, "testdata/cover.profile")
	f.Add([]byte("mode: set\na.go:1.1,2.2 1 1\na.go:1.1,2.2 1 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseGoProfile(context.Background(), bytes.NewReader(data))
		if err != nil {
			return
		}
		checkReport(t, r)
	})
}

func FuzzParseCobertura(f *testing.F) {
	seed(f, "testdata/coverage.xml")
	f.Add([]byte(`<coverage><packages><package><classes><class filename="a.py"><lines><line number="1" hits="1" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseCobertura(context.Background(), bytes.NewReader(data))
		if err != nil {
			return
		}
		checkReport(t, r)
	})
}

func BenchmarkParseGoProfile(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("mode: atomic\n")
	// 200 files of 250 blocks, each recorded twice (two test binaries).
	for rep := 0; rep < 2; rep++ {
		for f := range 200 {
			for i := range 250 {
				fmt.Fprintf(&buf, "example.com/app/pkg%d/file.go:%d.2,%d.16 %d %d\n", f, 10+i*4, 12+i*4, 1+i%3, (i*rep)%5)
			}
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseGoProfile(context.Background(), bytes.NewReader(data))
		if err != nil || len(r.Files()) != 200 {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCobertura(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" ?><coverage version="7.4"><sources><source>/src</source></sources><packages><package name="app"><classes>`)
	for f := range 200 {
		fmt.Fprintf(&buf, `<class name="m%d.py" filename="app/m%d.py"><methods/><lines>`, f, f)
		for l := range 250 {
			fmt.Fprintf(&buf, `<line number="%d" hits="%d"/>`, l+1, l%4)
		}
		buf.WriteString(`</lines></class>`)
	}
	buf.WriteString(`</classes></package></packages></coverage>`)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseCobertura(context.Background(), bytes.NewReader(data))
		if err != nil || r.Statements() != 50_000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerge: 16 shards' Go profiles of the same 200 files merged, as
// the report merges shards and tiers.
func BenchmarkMerge(b *testing.B) {
	var shards []*Report
	for s := range 16 {
		var buf bytes.Buffer
		buf.WriteString("mode: count\n")
		for f := range 200 {
			for i := range 100 {
				fmt.Fprintf(&buf, "example.com/app/pkg%d/file.go:%d.2,%d.16 2 %d\n", f, 10+i*3, 11+i*3, (i+s)%3)
			}
		}
		r, err := ParseGoProfile(context.Background(), &buf)
		if err != nil {
			b.Fatal(err)
		}
		shards = append(shards, r)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := Merge(shards...)
		if m.Statements() != 200*100*2 {
			b.Fatal(m.Statements())
		}
	}
}

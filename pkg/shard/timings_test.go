package shard

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseTimings(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   map[string]map[string]float64
		errSub string
	}{
		{name: "empty file", in: "", want: map[string]map[string]float64{}},
		{name: "flat", in: `{"tests/a.py::t": 1.5, "tests/b.py": 2}`, want: map[string]map[string]float64{"": {"tests/a.py::t": 1.5, "tests/b.py": 2}}},
		{name: "versioned", in: `{"version":1,"tiers":{"unit":{"x":0.25},"smoke":{"y":1}}}`, want: map[string]map[string]float64{"unit": {"x": 0.25}, "smoke": {"y": 1}}},
		{name: "future version", in: `{"version":2,"tiers":{}}`, errSub: "version 2"},
		{name: "not an object", in: `[1,2]`, errSub: "not a JSON object"},
		{name: "string seconds", in: `{"x":"1"}`, errSub: `"x": the value must be a number`},
		{name: "negative", in: `{"x":-1}`, errSub: "non-negative"},
		{name: "empty id", in: `{"":1}`, errSub: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimings(strings.NewReader(tt.in))
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("error = %v, want %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Tiers, tt.want) {
				t.Errorf("got %v, want %v", got.Tiers, tt.want)
			}
		})
	}
}

func TestTimingsRoundTripAndFor(t *testing.T) {
	tm := NewTimings()
	tm.Set("unit", "tests/test_a.py::test_x", 0.1234)
	tm.Set("unit", "tests/test_a.py::test_y", 2)
	tm.Set("", "tests/test_b.py::test_z", 3)
	var b bytes.Buffer
	if _, err := tm.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	const want = "{\"version\":1,\"tiers\":{\"\":{\n\"tests/test_b.py::test_z\":3.000},\"unit\":{\n\"tests/test_a.py::test_x\":0.123,\n\"tests/test_a.py::test_y\":2.000}}}\n"
	if b.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", b.String(), want)
	}
	back, err := ParseTimings(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.For("unit")["tests/test_a.py::test_x"]; got != 0.123 {
		t.Errorf("unit x = %v", got)
	}
	if got := back.For("smoke"); !reflect.DeepEqual(got, map[string]float64{"tests/test_b.py::test_z": 3}) {
		t.Errorf("a tier with no own timings falls back to the untiered ones, got %v", got)
	}
	tm2 := NewTimings()
	tm2.Set("unit", "tests/test_a.py::test_x", 9)
	back.Merge(tm2)
	if back.For("unit")["tests/test_a.py::test_x"] != 9 || back.Len() != 3 {
		t.Errorf("merge: %v", back.Tiers)
	}
}

func TestReadTimingsFileMissing(t *testing.T) {
	tm, err := ReadTimingsFile(context.Background(), filepath.Join(t.TempDir(), "none.json"))
	if err != nil || tm.Len() != 0 {
		t.Fatalf("missing file: %v, %v", tm, err)
	}
}

func FuzzParseTimings(f *testing.F) {
	f.Add(`{"a":1}`)
	f.Add(`{"version":1,"tiers":{"u":{"x":1e3}}}`)
	f.Add(`{"version":1,"tiers":null}`)
	f.Add(`{"x":1e400}`)
	f.Fuzz(func(t *testing.T, in string) {
		tm, err := ParseTimings(strings.NewReader(in))
		if err != nil {
			return
		}
		// Whatever parses must survive a round trip with the same tests.
		var b bytes.Buffer
		if _, err := tm.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		back, err := ParseTimings(&b)
		if err != nil {
			t.Fatalf("re-reading written timings: %v\n%s", err, b.String())
		}
		if back.Len() != tm.Len() {
			t.Fatalf("round trip kept %d of %d timings", back.Len(), tm.Len())
		}
	})
}

// BenchmarkTimingsRoundTrip writes and reads 100,000 timings, the size of
// a large suite's cache file.
func BenchmarkTimingsRoundTrip(b *testing.B) {
	tm := NewTimings()
	for i, it := range LongTailed(100_000, 3) {
		tm.Set([]string{"unit", "integration"}[i%2], it.ID, it.Seconds)
	}
	var buf bytes.Buffer
	if _, err := tm.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		var out bytes.Buffer
		if _, err := tm.WriteTo(&out); err != nil {
			b.Fatal(err)
		}
		back, err := ParseTimings(&out)
		if err != nil || back.Len() != tm.Len() {
			b.Fatalf("%v, %d timings", err, back.Len())
		}
	}
}

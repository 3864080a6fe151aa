package shard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// TimingsVersion is the version written into timings files.
const TimingsVersion = 1

// MaxTimingsSize bounds a timings file read into memory.
const MaxTimingsSize = 256 << 20

// Timings are measured durations in seconds by test id, per tier. The
// tier "" holds timings that apply to every tier (a flat file).
//
// On disk it is JSON: {"version":1,"tiers":{"unit":{"tests/test_a.py::test_x":0.12}}}.
// A flat object {"tests/test_a.py::test_x":0.12} is accepted too, so timings
// produced by other tools can be used directly.
type Timings struct {
	Tiers map[string]map[string]float64
}

type timingsFile struct {
	Version int                           `json:"version"`
	Tiers   map[string]map[string]float64 `json:"tiers"`
}

// NewTimings returns empty timings.
func NewTimings() *Timings { return &Timings{Tiers: map[string]map[string]float64{}} }

// Set records a duration for a test of a tier.
func (t *Timings) Set(tier, id string, seconds float64) {
	m := t.Tiers[tier]
	if m == nil {
		m = map[string]float64{}
		t.Tiers[tier] = m
	}
	m[id] = seconds
}

// For returns the timings that apply to a tier: the tier's own when it has
// any, else the untiered ones. The map must not be modified.
func (t *Timings) For(tier string) map[string]float64 {
	if t == nil {
		return nil
	}
	if m := t.Tiers[tier]; len(m) > 0 {
		return m
	}
	return t.Tiers[""]
}

// Len is the number of timings over all tiers.
func (t *Timings) Len() int {
	n := 0
	for _, m := range t.Tiers {
		n += len(m)
	}
	return n
}

// Merge adds other's timings; other wins where both have a test.
func (t *Timings) Merge(other *Timings) {
	if other == nil {
		return
	}
	for tier, m := range other.Tiers {
		for id, s := range m {
			t.Set(tier, id, s)
		}
	}
}

// ParseTimings reads a timings file.
func ParseTimings(r io.Reader) (*Timings, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTimingsSize+1))
	if err != nil {
		return nil, fmt.Errorf("read timings: %w", err)
	}
	if len(data) > MaxTimingsSize {
		return nil, fmt.Errorf("timings file is over %d MiB: keep only the tests of the current suite", MaxTimingsSize>>20)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return NewTimings(), nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("timings file is not a JSON object of test id to seconds: %v", err)
	}
	t := NewTimings()
	if _, structured := probe["version"]; structured {
		var f timingsFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("timings file does not match {\"version\":1,\"tiers\":{tier:{test id:seconds}}}: %v", err)
		}
		if f.Version != TimingsVersion {
			return nil, fmt.Errorf("timings file has version %d; this release reads version %d: delete the cached file to start over", f.Version, TimingsVersion)
		}
		for tier, m := range f.Tiers {
			if len(m) == 0 {
				continue
			}
			for id, s := range m {
				if err := checkSeconds(id, s); err != nil {
					return nil, err
				}
			}
			t.Tiers[tier] = m // the decoded map, checked: no copy
		}
		return t, nil
	}
	for id, raw := range probe {
		var s float64
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("timings file: test %q: the value must be a number of seconds", id)
		}
		if err := checkSeconds(id, s); err != nil {
			return nil, err
		}
		t.Set("", id, s)
	}
	return t, nil
}

func checkSeconds(id string, s float64) error {
	if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return fmt.Errorf("timings file: test %q has %v seconds: durations must be non-negative", id, s)
	}
	if strings.TrimSpace(id) == "" {
		return errors.New("timings file: a test id is empty")
	}
	return nil
}

// ReadTimingsFile reads a timings file; a missing file is no timings (the
// first run of a pipeline has no cache yet).
func ReadTimingsFile(ctx context.Context, path string) (*Timings, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return NewTimings(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("open timings: %w", err)
	}
	defer f.Close()
	t, err := ParseTimings(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// writeJSONString writes s as a JSON string: directly when it needs no
// escaping (test ids nearly always), else through encoding/json.
func writeJSONString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			k, _ := json.Marshal(s)
			b.Write(k)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// WriteTo writes the timings as JSON with sorted keys, one test per line,
// so cached files diff well.
func (t *Timings) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\"version\":%d,\"tiers\":{", TimingsVersion)
	tiers := make([]string, 0, len(t.Tiers))
	for k := range t.Tiers {
		tiers = append(tiers, k)
	}
	sort.Strings(tiers)
	for i, tier := range tiers {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(tier)
		b.Write(k)
		b.WriteString(":{")
		m := t.Tiers[tier]
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var num []byte
		for j, id := range ids {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n")
			writeJSONString(&b, id)
			b.WriteByte(':')
			// Millisecond precision is plenty for planning and keeps files small.
			num = strconv.AppendFloat(num[:0], m[id], 'f', 3, 64)
			b.Write(num)
		}
		b.WriteString("}")
	}
	b.WriteString("}}\n")
	n, err := w.Write(b.Bytes())
	return int64(n), err
}

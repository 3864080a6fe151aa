package shard

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		items  []Item
		n      int
		want   [][]string
		secs   []float64
		errSub string
	}{
		{name: "empty", n: 2, want: [][]string{{}, {}}, secs: []float64{0, 0}},
		{
			name:  "longest first onto least loaded",
			items: []Item{{"a", 5, true}, {"b", 4, true}, {"c", 3, true}, {"d", 3, true}, {"e", 2, true}},
			n:     2,
			// 5→0, 4→1, 3(c)→1 (7), 3(d)→0 (8), 2→1 (9)
			want: [][]string{{"a", "d"}, {"b", "c", "e"}},
			secs: []float64{8, 9},
		},
		{
			name:  "ties broken by name then shard index",
			items: []Item{{"z", 1, true}, {"y", 1, true}, {"x", 1, true}},
			n:     2,
			want:  [][]string{{"x", "z"}, {"y"}},
			secs:  []float64{2, 1},
		},
		{
			name:  "unknown tests get the mean",
			items: []Item{{"a", 6, true}, {"b", 2, true}, {"new1", 0, false}, {"new2", 0, false}},
			n:     2,
			// mean 4: a=6→0, new1=4→1, new2=4→1 (8), b=2→0 (8)
			want: [][]string{{"a", "b"}, {"new1", "new2"}},
			secs: []float64{8, 8},
		},
		{
			name:  "nothing known: one second each",
			items: []Item{{"a", 0, false}, {"b", 0, false}, {"c", 0, false}},
			n:     3,
			want:  [][]string{{"a"}, {"b"}, {"c"}},
			secs:  []float64{1, 1, 1},
		},
		{name: "more shards than items", items: []Item{{"a", 1, true}}, n: 3, want: [][]string{{"a"}, {}, {}}, secs: []float64{1, 0, 0}},
		{name: "zero shards", n: 0, errSub: "at least 1"},
		{name: "duplicate", items: []Item{{"a", 1, true}, {"a", 2, true}}, n: 2, errSub: `"a" is listed twice`},
		{name: "negative", items: []Item{{"a", -1, true}}, n: 1, errSub: "non-negative"},
		{name: "NaN", items: []Item{{"a", math.NaN(), true}}, n: 1, errSub: "non-negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Split(tt.items, tt.n)
			if tt.errSub != "" {
				if err == nil || !contains(err.Error(), tt.errSub) {
					t.Fatalf("Split error = %v, want it to contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			var secs []float64
			for _, s := range res.Shards {
				got = append(got, s.IDs)
				secs = append(secs, s.Seconds)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("shards = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(secs, tt.secs) {
				t.Errorf("seconds = %v, want %v", secs, tt.secs)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// LongTailed returns n tests with log-normal durations (median about 0.2s,
// a long tail of slow tests), as real suites have; seeded, so reproducible.
func LongTailed(n int, seed uint64) []Item {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	items := make([]Item, n)
	for i := range items {
		s := math.Exp(r.NormFloat64()*1.5 - 1.6)
		items[i] = Item{ID: fmt.Sprintf("tests/test_mod%04d.py::test_case_%06d", i%5000, i), Seconds: s, Known: i%50 != 0}
	}
	return items
}

// Pareto returns n tests with Pareto(alpha 1.5) durations: a heavier tail.
func Pareto(n int, seed uint64) []Item {
	r := rand.New(rand.NewPCG(seed, seed+1))
	items := make([]Item, n)
	for i := range items {
		s := 0.05 / math.Pow(1-r.Float64(), 1/1.5)
		items[i] = Item{ID: fmt.Sprintf("t%07d", i), Seconds: s, Known: true}
	}
	return items
}

func TestSplitProperties(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items []Item
		n     int
	}{
		{"lognormal 100k/16", LongTailed(100_000, 1), 16},
		{"pareto 100k/16", Pareto(100_000, 2), 16},
		{"lognormal 1k/7", LongTailed(1000, 3), 7},
		{"pareto 300/40", Pareto(300, 4), 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Split(tc.items, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			// Every item exactly once.
			seen := map[string]int{}
			for _, s := range res.Shards {
				for _, id := range s.IDs {
					seen[id]++
				}
			}
			if len(seen) != len(tc.items) {
				t.Fatalf("%d distinct items placed, want %d", len(seen), len(tc.items))
			}
			for id, c := range seen {
				if c != 1 {
					t.Fatalf("%s placed %d times", id, c)
				}
			}
			// LPT guarantee: makespan <= lower bound + the smallest job on the
			// critical shard; with many items it is within 5%.
			ratio := res.Makespan / res.LowerBound()
			limit := 4.0 / 3
			if len(tc.items) >= 100*tc.n {
				limit = 1.05
			}
			if ratio > limit {
				t.Errorf("makespan %.2fs is %.3f× the lower bound %.2fs, want ≤ %.2f", res.Makespan, ratio, res.LowerBound(), limit)
			}
			// Deterministic: a shuffled input gives the same plan.
			shuffled := append([]Item(nil), tc.items...)
			rand.New(rand.NewPCG(9, 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			again, err := Split(shuffled, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, again) {
				t.Error("the plan depends on the input order")
			}
		})
	}
}

// BenchmarkSplit100k16 is the acceptance benchmark: 100,000 long-tailed
// tests into 16 shards (target ≤ 50 ms, makespan within 5% of the bound).
func BenchmarkSplit100k16(b *testing.B) {
	for _, dist := range []struct {
		name  string
		items []Item
	}{{"lognormal", LongTailed(100_000, 1)}, {"pareto", Pareto(100_000, 2)}} {
		b.Run(dist.name, func(b *testing.B) {
			var res Result
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				var err error
				res, err = Split(dist.items, 16)
				if err != nil {
					b.Fatal(err)
				}
			}
			// CPU time too: on a shared, loaded machine wall time mostly
			// measures the wait for a core.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/split")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/split")
			b.ReportMetric((res.Makespan/res.LowerBound()-1)*100, "%over-bound")
		})
	}
}

// TestSortPathsAgree pins that the integer-key fast path and the
// comparison fallback (huge weights) order items the same way.
func TestSortPathsAgree(t *testing.T) {
	items := LongTailed(20_000, 5)
	items = append(items, Item{ID: "zz-huge", Seconds: 9e8, Known: true}, Item{ID: "aa-huge", Seconds: 9e8, Known: true})
	res, err := Split(items, 4)
	if err != nil {
		t.Fatal(err)
	}
	// The two huge items go first, onto shards 0 and 1, name order deciding.
	if res.Shards[0].IDs[0] != "aa-huge" || res.Shards[1].IDs[0] != "zz-huge" {
		t.Errorf("huge items misplaced: shard0 starts %q, shard1 starts %q", res.Shards[0].IDs[0], res.Shards[1].IDs[0])
	}
	small := LongTailed(3000, 6)
	ws := make([]int64, len(small))
	var longest int64
	for i, it := range small {
		ws[i] = int64(i % 7) // many ties, so names decide
		if it.Known {
			ws[i] = micros(it.Seconds) / 100000
		}
		longest = max(longest, ws[i])
	}
	fast := heaviestFirst(small, ws, longest)
	slow := heaviestFirst(small, ws, 1<<62-1) // forces the comparison sort
	if !reflect.DeepEqual(fast, slow) {
		t.Error("fast and fallback sorts disagree")
	}
}

// cpuTime is the CPU time this process used (all threads, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 255, 256, 1000, 50_000} {
		for _, keyBits := range []int{1, 11, 12, 44, 64} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = r.Uint64()
				if keyBits < 64 {
					keys[i] &= 1<<keyBits - 1
				}
			}
			want := append([]uint64(nil), keys...)
			slices.Sort(want)
			radixSort(keys, keyBits)
			if !slices.Equal(keys, want) {
				t.Fatalf("n=%d bits=%d: radix sort differs from slices.Sort", n, keyBits)
			}
		}
	}
}

package shard

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// DefaultSeconds is the weight of an item when no item has a known duration.
const DefaultSeconds = 1.0

// Item is one unit of work: a test id or a test file.
type Item struct {
	ID      string
	Seconds float64 // measured duration; ignored when Known is false
	Known   bool    // false: the duration is estimated as the mean of the known items
}

// Shard is one bucket of the plan.
type Shard struct {
	Index   int      // 0-based
	IDs     []string // sorted by name, so the command line is stable
	Seconds float64  // predicted duration: the sum of the items' weights
}

// Result is a split of items into shards.
type Result struct {
	Shards   []Shard
	Mean     float64 // the weight given to items with no known duration
	Total    float64 // sum of all weights
	Longest  float64 // the heaviest single item
	Makespan float64 // the heaviest shard
}

// LowerBound is max(longest item, total/shards): no split can finish sooner.
func (r Result) LowerBound() float64 {
	if len(r.Shards) == 0 {
		return 0
	}
	return math.Max(r.Longest, r.Total/float64(len(r.Shards)))
}

// ErrNoShards is returned for a shard count below one.
var ErrNoShards = errors.New("shard count must be at least 1")

// Split assigns every item to one of n shards, longest first onto the
// least-loaded shard. Duplicate IDs are an error: a test must run once.
func Split(items []Item, n int) (Result, error) {
	if n < 1 {
		return Result{}, fmt.Errorf("%w, got %d", ErrNoShards, n)
	}
	// Weights are whole microseconds: integer sums do not depend on the
	// order of the input, so the plan is the same however items are listed.
	var sum int64
	var known int64
	for _, it := range items {
		if it.Known {
			if it.Seconds < 0 || math.IsNaN(it.Seconds) || it.Seconds > maxSeconds {
				return Result{}, fmt.Errorf("item %q: duration %v is not a non-negative number of seconds below %g", it.ID, it.Seconds, float64(maxSeconds))
			}
			sum += micros(it.Seconds)
			known++
		}
	}
	mean := micros(DefaultSeconds)
	if known > 0 {
		mean = sum / known
	}
	// byName holds item indexes in name order; it finds duplicates and
	// later yields each shard's IDs already sorted.
	// Sorting (id, index) pairs keeps the compared strings' headers
	// together in memory: faster than sorting indexes into items.
	type named struct {
		id  string
		idx int32
	}
	pairs := make([]named, len(items))
	for i := range items {
		pairs[i] = named{items[i].ID, int32(i)}
	}
	slices.SortFunc(pairs, func(a, b named) int { return strings.Compare(a.id, b.id) })
	byName := make([]int32, len(items))
	for i, p := range pairs {
		byName[i] = p.idx
	}
	ws := make([]weighted, len(items))
	res := Result{Mean: seconds(mean)}
	var total, longest int64
	for r, i := range byName {
		if r > 0 && items[i].ID == items[byName[r-1]].ID {
			return Result{}, fmt.Errorf("item %q is listed twice", items[i].ID)
		}
		w := mean
		if items[i].Known {
			w = micros(items[i].Seconds)
		}
		ws[r] = weighted{w, int32(r)}
		total += w
		longest = max(longest, w)
	}
	res.Total, res.Longest = seconds(total), seconds(longest)
	sortHeaviestFirst(ws, longest)
	// A heap of shard loads; with the items sorted, each step is O(log n).
	h := make(loadHeap, n)
	for i := range h {
		h[i] = load{idx: i}
	}
	counts := make([]int, n)
	assign := make([]int32, len(ws)) // by name rank
	for _, w := range ws {
		top := &h[0]
		assign[w.rank] = int32(top.idx)
		counts[top.idx]++
		top.sum += w.w
		heap.Fix(&h, 0)
	}
	res.Shards = make([]Shard, n)
	loads := make([]int64, n)
	for _, l := range h {
		loads[l.idx] = l.sum
	}
	for i := range res.Shards {
		res.Shards[i] = Shard{Index: i, IDs: make([]string, 0, counts[i]), Seconds: seconds(loads[i])}
		res.Makespan = math.Max(res.Makespan, res.Shards[i].Seconds)
	}
	for r, i := range byName {
		s := &res.Shards[assign[r]]
		s.IDs = append(s.IDs, items[i].ID)
	}
	return res, nil
}

type weighted struct {
	w    int64
	rank int32 // position in name order: the tie-break
}

// sortHeaviestFirst orders by weight descending, then name rank. When both
// fit one 64-bit key (weights under about 200 days for a million tests) it
// sorts plain integers, several times faster than a comparison function.
func sortHeaviestFirst(ws []weighted, longest int64) {
	rankBits := bits.Len(uint(len(ws)))
	if bits.Len64(uint64(longest))+rankBits <= 64 {
		keys := make([]uint64, len(ws))
		for i, w := range ws {
			keys[i] = uint64(longest-w.w)<<rankBits | uint64(w.rank)
		}
		slices.Sort(keys)
		mask := uint64(1)<<rankBits - 1
		for i, k := range keys {
			ws[i] = weighted{longest - int64(k>>rankBits), int32(k & mask)}
		}
		return
	}
	slices.SortFunc(ws, func(a, b weighted) int {
		if a.w != b.w {
			if a.w > b.w {
				return -1
			}
			return 1
		}
		return int(a.rank - b.rank)
	})
}

// maxSeconds keeps microsecond sums of a million tests inside an int64.
const maxSeconds = 1e9

func micros(s float64) int64   { return int64(math.Round(s * 1e6)) }
func seconds(us int64) float64 { return float64(us) / 1e6 }

type load struct {
	idx int
	sum int64
}

// loadHeap orders shards by load, then by index, so ties are deterministic.
type loadHeap []load

func (h loadHeap) Len() int { return len(h) }
func (h loadHeap) Less(i, j int) bool {
	if h[i].sum != h[j].sum {
		return h[i].sum < h[j].sum
	}
	return h[i].idx < h[j].idx
}
func (h loadHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *loadHeap) Push(x any)   { *h = append(*h, x.(load)) }
func (h *loadHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

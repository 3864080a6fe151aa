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
	IDs     []string // heaviest first (ties by name): deterministic, not alphabetical
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
	seen := make(map[string]struct{}, len(items))
	ws := make([]int64, len(items))
	res := Result{Mean: seconds(mean)}
	var total, longest int64
	for i, it := range items {
		if _, dup := seen[it.ID]; dup {
			return Result{}, fmt.Errorf("item %q is listed twice", it.ID)
		}
		seen[it.ID] = struct{}{}
		w := mean
		if it.Known {
			w = micros(it.Seconds)
		}
		ws[i] = w
		total += w
		longest = max(longest, w)
	}
	res.Total, res.Longest = seconds(total), seconds(longest)
	order := heaviestFirst(items, ws, longest)
	// A heap of shard loads; with the items sorted, each step is O(log n).
	h := make(loadHeap, n)
	for i := range h {
		h[i] = load{idx: i}
	}
	counts := make([]int, n)
	assign := make([]int32, len(order))
	for k, i := range order {
		top := &h[0]
		assign[k] = int32(top.idx)
		counts[top.idx]++
		top.sum += ws[i]
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
	for k, i := range order {
		s := &res.Shards[assign[k]]
		s.IDs = append(s.IDs, items[i].ID)
	}
	return res, nil
}

// heaviestFirst returns item indexes by weight descending, then name. When
// weight and index fit one 64-bit key (weights under about 200 days for a
// million tests) it sorts plain integers, several times faster than a
// comparison function, and then orders each run of equal weights by name;
// such runs are short except for the items that all got the mean.
func heaviestFirst(items []Item, ws []int64, longest int64) []int32 {
	order := make([]int32, len(items))
	byName := func(a, b int32) int { return strings.Compare(items[a].ID, items[b].ID) }
	idxBits := bits.Len(uint(len(items)))
	if bits.Len64(uint64(longest))+idxBits > 64 {
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int {
			if ws[a] != ws[b] {
				if ws[a] > ws[b] {
					return -1
				}
				return 1
			}
			return byName(a, b)
		})
		return order
	}
	keys := make([]uint64, len(items))
	for i, w := range ws {
		keys[i] = uint64(longest-w)<<idxBits | uint64(i)
	}
	radixSort(keys, bits.Len64(uint64(longest))+idxBits)
	mask := uint64(1)<<idxBits - 1
	for k, key := range keys {
		order[k] = int32(key & mask)
	}
	for start := 0; start < len(keys); {
		end := start + 1
		for end < len(keys) && keys[end]>>idxBits == keys[start]>>idxBits {
			end++
		}
		if end-start > 1 {
			slices.SortFunc(order[start:end], byName)
		}
		start = end
	}
	return order
}

// radixSort sorts keys whose values fit in the low keyBits bits: a
// least-significant-digit radix sort, 11 bits a pass (the counts stay in
// L1 cache). Linear time: a few passes over 100,000 keys beat a
// comparison sort several times.
func radixSort(keys []uint64, keyBits int) {
	const digit = 11
	if len(keys) < 256 {
		slices.Sort(keys)
		return
	}
	buf := make([]uint64, len(keys))
	src, dst := keys, buf
	for shift := 0; shift < keyBits; shift += digit {
		var count [1 << digit]int
		for _, k := range src {
			count[(k>>shift)&(1<<digit-1)]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, k := range src {
			d := (k >> shift) & (1<<digit - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
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

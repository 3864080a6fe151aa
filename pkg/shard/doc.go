// Package shard splits weighted work items (tests or test files) into a
// fixed number of shards so that the slowest shard finishes as early as
// possible.
//
// The algorithm is the classic longest-processing-time greedy: items are
// taken longest first and each goes onto the currently least-loaded shard.
// It is within 4/3 of the optimal makespan in the worst case and, on the
// long-tailed timing distributions real test suites have, within a few
// percent of the lower bound max(longest item, total/shards). Ties are
// broken by item name (and by shard index), so the same input always gives
// the same plan: two jobs planning independently agree on who runs what.
//
// Items with no known duration are given the mean of the known ones (one
// second when none is known), so new tests spread evenly instead of piling
// onto one shard.
//
// Weights are whole microseconds (sums do not depend on input order), and
// the longest-first order is a radix sort of (weight, index) keys with
// equal-weight runs then ordered by name: 100,000 items split in a few tens
// of milliseconds (scripts/bench-shard.sh).
package shard

// Package testreport turns test results into a verdict.
//
// It reads JUnit XML (any dialect package junit reads) and, through a
// parser the caller supplies, `go test -json` streams, and merges them
// across the shards, tiers and re-run attempts of one workflow run:
//
//   - A result file named junit-<tier>-<shard>[-a<attempt>].xml (the names
//     test-plan gives) belongs to that tier, shard and attempt, and merges
//     with the other files of its tier. Any other file belongs to the tier
//     "" (shown as "tests") and merges with nothing: its tests count as
//     the parser counts them.
//   - A file that does not start with '<' is read as `go test -json`
//     output (build errors may precede the JSON events).
//   - A test id counts once in its tier however often it ran (package
//     junit delivers a pass followed by a failure of the same name as two
//     cases; here they are one test, and the failure stands).
//   - A test is identified within its tier by its pytest node id when its
//     file can be found (from the file attribute or by mapping the dotted
//     classname onto the workspace), else by classname::name.
//   - Across attempts the latest attempt decides. A test whose final result
//     is a pass after a failure (in an earlier attempt, or a rerun within
//     one file) is flaky: it counts as passed and is listed, and it fails
//     the run only when FailOnFlaky is set. Within one attempt, results of
//     the same test combine with error > failure > passed > skipped.
//
// The verdict fails on any failed or errored test, on a corrupt result
// file, on a planned shard that did not report, on a tier where fewer than
// MinTests tests ran (skipped tests did not run: "no tests ran" never
// passes silently), and on coverage below its thresholds. Zero coverable
// statements count as 100%, for the total and for the changed lines.
//
// Memory: each test costs 12 bytes (a hash of its tier and id and 32 bits
// of state: status, whether it failed, latest attempt, tier, time as a
// 15-bit float). Names and messages are kept only for what the report
// lists: failures and flaky tests up to MaxFailures, the MaxSlowest slowest
// tests. Timings for the next plan are kept per file and per test function
// (parameters summed, as the plan splits files), per file only past 50,000
// functions. A million test cases (200 MB of JUnit XML) take about 40 MiB.
//
// Summaries are rendered at three levels of detail (everything, failures
// only, counts only) so the caller can pick the most detailed that fits
// GitHub's 1 MiB step-summary limit.
package testreport

// Package testreportaction is the glue of the test-report action: result and
// coverage globs, the plan and the event become a pkg/testreport report,
// whose counts, verdict, summary, annotations and timings file become the
// step's outputs. Changed lines for diff coverage come from pkg/gitrepo.
package testreportaction

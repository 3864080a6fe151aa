// Package junit reads JUnit XML test reports in the dialects real tools
// write (pytest, unittest-xml-reporting, jest-junit, mocha, Maven surefire,
// PHPUnit, go-junit-report, gotestsum, xunit, googletest, catch2, nextest,
// web-test-runner, ...) with a streaming byte scanner built for that
// subset of XML: memory grows with the failures kept, not with the tests
// read (a 200 MB report of a million test cases parses in about 20 MiB at
// roughly 300 MB/s; scripts/bench-junit.sh measures it). The scanner is
// checked against encoding/xml by differential fuzzing on well-formed
// input, with normal and with tiny buffers.
//
// # Our conventions
//
// Upstream tools disagree on how to count; these are ours, pinned by the
// corpus tests:
//
//   - Tests are <testcase> elements. The counts a root or suite element
//     claims (tests="…", failures="…") are ignored: they are often wrong
//     (mocha claims 15515 tests for one test case) and a suite claiming tests
//     without any <testcase> counts 0 tests (EnricoMi counts the claim).
//   - Suites are <testsuite> elements, at any depth (nested suites count
//     each level).
//   - A test case with several result elements counts once, with precedence
//     error > failure > skipped (EnricoMi's multiresult file; upstream
//     reports a negative pass count there). Several <failure> elements are
//     one failure.
//   - status="disabled", googletest's status="notrun" and
//     result="suppressed", and <disabled/> count as skipped, even when the
//     test case also holds a <failure> (mikepenz): the test did not run.
//   - Errors are their own status and are not counted as failures (dorny
//     counts errors as failed; translate with failed+errors).
//   - Within one file, a <testcase> with the same suite, classname, file
//     and name as an earlier one whose latest execution failed or errored
//     is a rerun of it, and the two are merged into one case (mikepenz's
//     retries, gotestsum --rerun-fails, web-test-runner). Runs counts the
//     executions, Tests the cases. Passing or skipped duplicates are
//     distinct tests (TestNG parameters, jest describe blocks, go test
//     -count): retry tools rerun failures only, and a pass must never hide
//     a later failure. A nameless <testcase> is never merged. So dorny's,
//     test-summary's and go-junit-report's totals equal our Tests, except
//     where two failing cases share a name (test-summary's 02-example
//     counts 30, we count 29 tests and 30 runs); EnricoMi's "runs" is our
//     Runs, but its "tests" merges every duplicate (mocha latex-utensils:
//     101 tests, we count 109); mikepenz's flaky_success_first (pass, then
//     failure, then error: 1 passed test for mikepenz) is for us one passed
//     and one error case.
//   - surefire's <flakyFailure>, <flakyError>, <rerunFailure>, <rerunError>
//     and pytest-rerunfailures' <rerun> each record one more, failed,
//     execution inside the <testcase>.
//   - A merged case whose last execution passed is passed and Flaky (Flaky
//     cases also count as passed); otherwise error > failure > skipped over
//     its executions. Time is the sum over executions; Message, Type and
//     Detail come from the first result of the deciding kind (for a flaky
//     case, its first failure).
//   - Passing and skipped cases are delivered as they are read; failing
//     cases are held for a rerun until it passes or the file ends, so
//     memory grows with the failures of the file only. Once the held
//     failures' messages and details pass 16 MiB, those of further failing
//     cases are cut to 1 KiB; past 16384 held failures the oldest is
//     delivered as failed, and a rerun coming later still is a case of its
//     own (a failure is never hidden).
//
// # Robustness
//
// Corrupt files fail with a *SyntaxError naming the file and line (a
// truncated file names the element left open; an empty file, or one with
// no element, is an error too: a crashed run must not pass as "0 tests").
// Cases read before the error have already been delivered. A document whose root is
// not <testsuites> or <testsuite> fails with an error wrapping ErrNotJUnit.
// DOCTYPE and entity declarations are refused, so entity-expansion bombs
// cannot start; a start tag over MaxTagSize (16 MiB) is refused rather than
// buffered; Detail is cut at MaxDetail. The predefined entities and
// character references are decoded. Some not-well-formed input that tools
// really write is accepted: '<' inside attribute values (web-test-runner's
// time="<<computed>>"), unknown entities (kept as written), a time that is
// not a number (0 seconds).
package junit

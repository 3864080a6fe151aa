// Package junit reads JUnit XML test reports in the dialects real tools
// write (pytest, unittest-xml-reporting, jest-junit, mocha, Maven surefire,
// PHPUnit, go-junit-report, gotestsum, xunit, googletest, catch2, nextest,
// web-test-runner, ...) with a streaming byte scanner built for that
// subset of XML: memory grows with the failures kept, not with the tests
// read, and a million test cases parse at well over 150 MB/s.
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
//   - status="disabled" (googletest) and <disabled/> count as skipped, even
//     when the test case also holds a <failure> (mikepenz): the test did not
//     run.
//   - Errors are their own status and are not counted as failures (dorny
//     counts errors as failed; translate with failed+errors).
//   - Within one file, <testcase> elements with the same suite, classname,
//     file and name are executions of one test and are merged (mikepenz's
//     retries): Runs counts the executions (EnricoMi's "runs"), Tests the
//     merged cases (EnricoMi's "tests"). surefire's <flakyFailure>,
//     <flakyError>, <rerunFailure>, <rerunError> and pytest-rerunfailures'
//     <rerun> each record one more, failed, execution.
//   - A merged case passed if any execution passed; it is Flaky when another
//     execution failed or errored (whatever the order), and Flaky cases
//     count as passed. Otherwise error > failure > skipped decides. Time is
//     the sum over executions; Message, Type and Detail come from the first
//     result of the deciding kind (for a flaky case, its first failure).
//   - Merging looks back over the last 4096 cases and over every failing
//     case of the file, so memory stays bounded: failing cases are delivered
//     when the file ends, others when they leave the window.
//
// # Robustness
//
// Corrupt files fail with a *SyntaxError naming the file and line (a
// truncated file names the element left open). A document whose root is
// not <testsuites> or <testsuite> fails with an error wrapping ErrNotJUnit.
// DOCTYPE and entity declarations are refused, so entity-expansion bombs
// cannot start; a start tag over MaxTagSize (16 MiB) is refused rather than
// buffered; Detail is cut at MaxDetail. The predefined entities and
// character references are decoded. Some not-well-formed input that tools
// really write is accepted: '<' inside attribute values (web-test-runner's
// time="<<computed>>"), unknown entities (kept as written), a time that is
// not a number (0 seconds).
package junit

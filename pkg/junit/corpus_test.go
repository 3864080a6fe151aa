package junit

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// corpusDir holds real reports from upstream projects (see its README). It
// is reference material beside the repository, not part of it.
const corpusDir = "../../../shared/corpus/junit"

type want struct {
	Suites, Tests, Passed, Failed, Errors, Skipped, Flaky, Runs int
}

type corpusCase struct {
	want
	err      string // substring of the expected error, "" for none
	notJUnit bool
	upstream string // what the upstream project's tests say, translated
}

// w builds a want: suites, tests, then passed/failed/errors/skipped,
// flaky, runs.
func w(suites, tests, passed, failed, errs, skipped, flaky, runs int) want {
	return want{suites, tests, passed, failed, errs, skipped, flaky, runs}
}

// corpusWant maps every JUnit file of the corpus to our counts. Where an
// upstream convention differs the note says how its figure translates
// (conventions in doc.go). go-junit-report's files are checked against
// their root attributes instead (see TestCorpus).
var corpusWant = map[string]corpusCase{
	// dorny/test-reporter: passed / failed / skipped, errors counted as failed.
	"dorny/python-xunit-pytest.xml":                                             {want: w(1, 10, 6, 2, 0, 2, 0, 10), upstream: "6/2/2"},
	"dorny/python-xunit-unittest.xml":                                           {want: w(1, 8, 4, 1, 1, 2, 0, 8), upstream: "4/2/2 = failed 1 + errors 1"},
	"dorny/jest-junit.xml":                                                      {want: w(2, 6, 1, 4, 0, 1, 0, 6), upstream: "1/4/1"},
	"dorny/external/jest/jest-test-results.xml":                                 {want: w(400, 4239, 4207, 2, 0, 30, 0, 4239), upstream: "4207/2/30: duplicate passing names are distinct tests"},
	"dorny/external/jest/jest-react-component-test-results.xml":                 {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "1/0/0"},
	"dorny/jest-junit-eslint.xml":                                               {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "1/0/0"},
	"dorny/junit-with-message.xml":                                              {want: w(1, 1, 0, 1, 0, 0, 0, 1), upstream: "0/1/0"},
	"dorny/external/java/pulsar-test-report.xml":                                {want: w(176, 808, 793, 1, 0, 14, 0, 808), upstream: "793/1/14: TestNG parameter runs are distinct tests"},
	"dorny/external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml": {want: w(1, 2, 0, 1, 0, 1, 0, 2), upstream: "0/1/1"},
	"dorny/external/java/junit4-basic.xml":                                      {want: w(2, 6, 5, 1, 0, 0, 0, 6), upstream: "5/1/0"},
	"dorny/external/java/junit4-complete.xml":                                   {want: w(1, 8, 5, 1, 1, 1, 0, 8), upstream: "5/2/1 = failed 1 + errors 1"},
	"dorny/external/java/empty_failures.xml":                                    {want: w(1, 3, 2, 1, 0, 0, 0, 3), upstream: "(no figure)"},
	"dorny/phpunit/phpunit.xml":                                                 {want: w(4, 12, 10, 2, 0, 0, 0, 12), upstream: "10/2/0"},
	"dorny/phpunit/phpunit-paths.xml":                                           {want: w(1, 6, 0, 6, 0, 0, 0, 6), upstream: "(no figure)"},
	"dorny/external/phpunit/junit-basic.xml":                                    {want: w(3, 9, 8, 1, 0, 0, 0, 9), upstream: "8/1/0"},
	"dorny/external/phpunit/phpcheckstyle-phpunit.xml":                          {want: w(14, 30, 28, 2, 0, 0, 0, 30), upstream: "28/2/0"},
	"dorny/swift-xunit.xml":                                                     {want: w(1, 3, 2, 1, 0, 0, 0, 3), upstream: "2/1/0"},
	"dorny/nette-tester/tester-v1.7-report.xml":                                 {want: w(1, 65, 61, 1, 0, 3, 0, 65), upstream: "61/1/3"},
	"dorny/nette-tester/BootstrapFormRenderer-report.xml":                       {want: w(1, 4, 4, 0, 0, 0, 0, 4), upstream: "(no figure)"},
	"dorny/test-errors/jest/jest-test-results.xml":                              {want: w(2, 2, 0, 0, 2, 0, 0, 2), upstream: "0/2/0 = errors 2 (root claims tests=0; we count the <testcase>s)"},
	"dorny/empty/java-junit.xml":                                                {want: w(1, 0, 0, 0, 0, 0, 0, 0), upstream: "empty"},
	"dorny/empty/jest-junit-empty-testsuite.xml":                                {want: w(1, 0, 0, 0, 0, 0, 0, 0), upstream: "empty"},
	"dorny/empty/jest-junit.xml":                                                {want: w(0, 0, 0, 0, 0, 0, 0, 0), upstream: "empty"},
	"dorny/empty/phpunit-empty.xml":                                             {want: w(0, 0, 0, 0, 0, 0, 0, 0), upstream: "empty"},
	"dorny/dotnet-nunit.xml":                                                    {notJUnit: true, err: "root element <test-run>", upstream: "NUnit3 3/5/1: not JUnit, refused with ErrNotJUnit"},
	"dorny/external/nunit-sample.xml":                                           {notJUnit: true, err: "root element <test-run>", upstream: "NUnit3: not JUnit"},

	// EnricoMi: suites, tests (every duplicate merged), succ/skip/fail/error, runs.
	"enricomi/bazel/suite-logs.xml":                                           {want: w(1, 1, 0, 0, 1, 0, 0, 1), upstream: "same"},
	"enricomi/empty-system-out-err.xml":                                       {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "same"},
	"enricomi/jest/jest-junit.xml":                                            {want: w(1, 2, 2, 0, 0, 0, 0, 2), upstream: "same"},
	"enricomi/junit.multiresult.xml":                                          {want: w(1, 4, 1, 1, 1, 1, 0, 4), upstream: "tests same; runs_succ -2 is an upstream quirk, we pick error > failure > skipped"},
	"enricomi/minimal-attributes.xml":                                         {want: w(1, 4, 1, 1, 1, 1, 0, 4), upstream: "same"},
	"enricomi/mocha/latex-utensils.xml":                                       {want: w(1, 109, 109, 0, 0, 0, 0, 109), upstream: "tests 101 (merges passing duplicates), runs 109 = our tests and runs"},
	"enricomi/no-attributes.xml":                                              {want: w(1, 4, 1, 1, 1, 1, 0, 4), upstream: "same (nameless cases are never merged)"},
	"enricomi/no-cases-but-tests.xml":                                         {want: w(1, 0, 0, 0, 0, 0, 0, 0), upstream: "tests 6 from the suite's attributes; we count <testcase> elements: 0"},
	"enricomi/no-cases.xml":                                                   {want: w(1, 0, 0, 0, 0, 0, 0, 0), upstream: "same"},
	"enricomi/non-junit.xml":                                                  {notJUnit: true, err: "root element <suites>", upstream: "Invalid format."},
	"enricomi/pytest/corrupt-xml.xml":                                         {err: "corrupt-xml.xml:11: unexpected end of file: <skipped> is not closed", upstream: "Premature end of data in tag skipped"},
	"enricomi/pytest/junit.fail.xml":                                          {want: w(1, 5, 3, 1, 0, 1, 0, 5), upstream: "same"},
	"enricomi/pytest/junit.gloo.elastic.xml":                                  {want: w(1, 14, 10, 0, 0, 4, 0, 14), upstream: "same"},
	"enricomi/pytest/junit.gloo.elastic.spark.tf.xml":                         {want: w(1, 22, 20, 0, 0, 2, 0, 22), upstream: "same"},
	"enricomi/pytest/junit.gloo.elastic.spark.torch.xml":                      {want: w(1, 22, 22, 0, 0, 0, 0, 22), upstream: "same"},
	"enricomi/pytest/junit.gloo.standalone.xml":                               {want: w(1, 97, 80, 0, 0, 17, 0, 97), upstream: "same"},
	"enricomi/pytest/junit.gloo.static.xml":                                   {want: w(1, 24, 12, 0, 0, 12, 0, 24), upstream: "same"},
	"enricomi/pytest/junit.mpi.integration.xml":                               {want: w(1, 3, 3, 0, 0, 0, 0, 3), upstream: "same"},
	"enricomi/pytest/junit.mpi.standalone.xml":                                {want: w(1, 97, 96, 0, 0, 1, 0, 97), upstream: "same"},
	"enricomi/pytest/junit.mpi.static.xml":                                    {want: w(1, 24, 24, 0, 0, 0, 0, 24), upstream: "same"},
	"enricomi/pytest/junit.spark.integration.1.xml":                           {want: w(1, 35, 33, 0, 0, 2, 0, 35), upstream: "same"},
	"enricomi/pytest/junit.spark.integration.2.xml":                           {want: w(1, 35, 33, 0, 0, 2, 0, 35), upstream: "same"},
	"enricomi/scalatest/TEST-uk.co.gresearch.spark.diff.DiffOptionsSuite.xml": {want: w(1, 5, 5, 0, 0, 0, 0, 5), upstream: "same"},
	"enricomi/testsuite-in-testsuite.xml":                                     {want: w(4, 5, 5, 0, 0, 0, 0, 5), upstream: "same"},
	"enricomi/testsuite-root.xml":                                             {want: w(4, 5, 5, 0, 0, 0, 0, 5), upstream: "same"},
	"enricomi/tst/disabled.xml":                                               {want: w(2, 31, 6, 19, 1, 5, 0, 31), upstream: "tests same; runs_succ 11 counts disabled runs as succeeded, we count them skipped"},
	"enricomi/unsupported-unicode.xml":                                        {want: w(1, 7, 1, 2, 2, 2, 0, 7), upstream: "same"},
	"enricomi/with-xml-entities.xml":                                          {want: w(1, 4, 0, 1, 1, 2, 0, 4), upstream: "same"},
	"enricomi/xunit/xunit.xml":                                                {want: w(1, 2, 2, 0, 0, 0, 0, 2), upstream: "same"},

	// mikepenz/action-junit-report: totalCount = tests run; errors counted as failed.
	"mikepenz/tests/utils/target/surefire-reports/TEST-action.surefire.report.calc.CalcUtilsTest.xml":     {want: w(1, 2, 0, 2, 0, 0, 0, 2), upstream: "total 2, skipped 0"},
	"mikepenz/tests/utils/target/surefire-reports/TEST-action.surefire.report.calc.AllOkTest.xml":         {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "(no figure)"},
	"mikepenz/tests/utils/target/surefire-reports/TEST-action.surefire.report.calc.StringUtilsTest.xml":   {want: w(1, 5, 2, 2, 0, 1, 0, 5), upstream: "(no figure)"},
	"mikepenz/tests/email/target/surefire-reports/TEST-action.surefire.report.email.EmailAddressTest.xml": {want: w(1, 9, 2, 2, 5, 0, 0, 9), upstream: "(no figure)"},
	"mikepenz/python/report.xml":                                                           {want: w(1, 3, 1, 2, 0, 0, 0, 3), upstream: "total 3, skipped 0"},
	"mikepenz/python/report_flaky.xml":                                                     {want: w(1, 4, 2, 2, 0, 0, 0, 4), upstream: "(no figure)"},
	"mikepenz/marathon_tests/com.mikepenz.DummyTest#test_02_dummy.xml":                     {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "total 1"},
	"mikepenz/marathon_tests/com.mikepenz.DummyTest3#test_01.xml":                          {want: w(1, 1, 0, 1, 0, 0, 0, 1), upstream: "total 1, fails"},
	"mikepenz/marathon_tests/com.mikepenz.DummyUtilTest#test_01_dummy.xml":                 {want: w(1, 1, 0, 1, 0, 0, 0, 1), upstream: "total 1, fails"},
	"mikepenz/cunit/testEmpty.xml":                                                         {want: w(0, 0, 0, 0, 0, 0, 0, 0), upstream: "total 0"},
	"mikepenz/cunit/testFailure.xml":                                                       {want: w(1, 4, 3, 1, 0, 0, 0, 4), upstream: "total 4"},
	"mikepenz/nextest/basic.xml":                                                           {want: w(1, 3, 2, 1, 0, 0, 0, 3), upstream: "total 3"},
	"mikepenz/nested/junit.xml":                                                            {want: w(5, 5, 2, 3, 0, 0, 0, 5), upstream: "total 5"},
	"mikepenz/nested/multi-level.xml":                                                      {want: w(2, 3, 3, 0, 0, 0, 0, 3), upstream: "(no figure)"},
	"mikepenz/issues/testDisabled.xml":                                                     {want: w(1, 22, 6, 4, 2, 10, 0, 22), upstream: "total 22, skipped 10"},
	"mikepenz/issues/testFailedDisabled.xml":                                               {want: w(1, 1, 0, 0, 0, 1, 0, 1), upstream: "total 1, skipped 1, failed 0, passed 0"},
	"mikepenz/mocha/mocha.xml":                                                             {want: w(3, 1, 1, 0, 0, 0, 0, 1), upstream: "total 1 (root claims 15515)"},
	"mikepenz/xunit/report.xml":                                                            {want: w(1, 4, 3, 1, 0, 0, 0, 4), upstream: "total 4"},
	"mikepenz/xunit/report_fl_on_f.xml":                                                    {want: w(1, 4, 3, 1, 0, 0, 0, 4), upstream: "total 4"},
	"mikepenz/junit-web-test/expected.xml":                                                 {want: w(2, 6, 4, 1, 0, 1, 0, 6), upstream: "total 6, skipped 1 (time=\"<<computed>>\" parsed leniently)"},
	"mikepenz/junit-web-test/expectedRetries.xml":                                          {want: w(2, 7, 5, 1, 0, 1, 1, 8), upstream: "total 7 with retries merged (8 runs), skipped 1"},
	"mikepenz/junit_flaky_failure/marathon_junit_report.xml":                               {want: w(1, 1, 1, 0, 0, 0, 1, 2), upstream: "total 1, passed after a retry"},
	"mikepenz/junit_flaky_failure/mixed_flaky_and_passed.xml":                              {want: w(1, 3, 3, 0, 0, 0, 1, 4), upstream: "total 3, passed 3, failed 0"},
	"mikepenz/maven_surefire_flaky/surefire-report.xml":                                    {want: w(1, 1, 1, 0, 0, 0, 1, 2), upstream: "flakyFailure with nested stackTrace"},
	"mikepenz/flaky_retries/flaky_with_classname_file.xml":                                 {want: w(1, 3, 3, 0, 0, 0, 1, 5), upstream: "total 3, passed 3, failed 0, retried 2 = runs 5"},
	"mikepenz/flaky_retries/flaky_all_failures.xml":                                        {want: w(1, 1, 0, 0, 1, 0, 0, 3), upstream: "total 1, failed 1 (= our error: error > failure), retried 2"},
	"mikepenz/flaky_retries/flaky_success_first.xml":                                       {want: w(1, 2, 1, 0, 1, 0, 0, 3), upstream: "total 1, passed 1: we never let a pass hide a later failure (1 passed, 1 error)"},
	"mikepenz/junit-server-test/report.xml":                                                {want: w(1, 3, 2, 0, 0, 1, 1, 4), upstream: "total 3, skipped 1, failed 0, passed 2, retried 1"},
	"mikepenz/multiple_failures/test_multiple_failures.xml":                                {want: w(1, 4, 1, 2, 0, 1, 0, 4), upstream: "total 4, skipped 1, failed 2, passed 1"},
	"mikepenz/multiple_failures/test_multiple_errors.xml":                                  {want: w(1, 3, 1, 0, 2, 0, 0, 3), upstream: "total 3, failed 2 (= our errors), passed 1"},
	"mikepenz/multiple/test_10.xml":                                                        {want: w(1, 3, 3, 0, 0, 0, 0, 3), upstream: "(no figure)"},
	"mikepenz/multiple/test_11.xml":                                                        {want: w(1, 3, 2, 1, 0, 0, 0, 3), upstream: "(no figure)"},
	"mikepenz/multiple/test_12.xml":                                                        {want: w(1, 3, 2, 0, 0, 1, 0, 3), upstream: "(no figure)"},
	"mikepenz/perl/result.xml":                                                             {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "total 1"},
	"mikepenz/container-structure/test.xml":                                                {want: w(1, 3, 3, 0, 0, 0, 0, 3), upstream: "total 3"},
	"mikepenz/catch2/report.xml":                                                           {want: w(1, 1, 0, 1, 0, 0, 0, 1), upstream: "total 1"},
	"mikepenz/corrupt-junit/e2e-tests/corrupt/target/sf-reports/TEST-test.CorruptTest.xml": {err: "TEST-test.CorruptTest.xml:18: unexpected end of file in a CDATA section", upstream: "corrupt (unclosed CDATA): a handled parse failure"},

	// gotestsum: the root claims 59 tests; the 60th is the synthetic TestMain failure of package badmain.
	"gotestsum/junitxml-report.xml":                    {want: w(5, 60, 42, 13, 0, 5, 0, 60), upstream: "root tests=59 failures=13 errors=1; 60 <testcase>"},
	"gotestsum/junitxml-report-skip-empty.xml":         {want: w(4, 60, 42, 13, 0, 5, 0, 60), upstream: "as above"},
	"gotestsum/junitxml-report-hide-skipped-tests.xml": {want: w(5, 55, 42, 13, 0, 0, 0, 55), upstream: "as above without the 5 skipped"},
	"gotestsum/junitxml-report-tc-with-attributes.xml": {want: w(1, 1, 1, 0, 0, 0, 0, 1), upstream: "(no figure)"},

	// test-summary/action: passed / failed / skipped, errors counted as failed, no merging.
	"test-summary/junit/01-common.xml":                        {want: w(2, 8, 7, 1, 0, 0, 0, 8), upstream: "7/1/0"},
	"test-summary/junit/02-example.xml":                       {want: w(7, 29, 21, 8, 0, 0, 0, 30), upstream: "21/9/0: two failing mocha tests share a name; we merge a failure's same-named successor as its rerun (runs 30)"},
	"test-summary/junit/03-junit.xml":                         {want: w(1, 10, 4, 4, 0, 2, 0, 10), upstream: "4/4/2"},
	"test-summary/junit/04-bazel-junit.xml":                   {want: w(2, 2, 1, 0, 1, 0, 0, 2), upstream: "1/1/0 = errors 1"},
	"test-summary/junit/05-empty.xml":                         {want: w(0, 0, 0, 0, 0, 0, 0, 0), upstream: "0/0/0"},
	"test-summary/junit/06-empty.xml":                         {want: w(1, 0, 0, 0, 0, 0, 0, 0), upstream: "0/0/0"},
	"test-summary/junit/07-no-failure-message.xml":            {want: w(1, 10, 4, 4, 0, 2, 0, 10), upstream: "parses"},
	"test-summary/junit/08-failure-noattr-only-innertext.xml": {want: w(1, 1, 0, 1, 0, 0, 0, 1), upstream: "parses"},

	// MishaKav/pytest-coverage-comment.
	"mishakav-pytest/pytest_1.xml": {want: w(1, 109, 106, 1, 0, 2, 0, 109), upstream: "tests 109, failures 1, errors 0, skipped 2"},
	"mishakav-pytest/pytest_2.xml": {want: w(1, 109, 106, 1, 0, 2, 0, 109), upstream: "(no figure)"},
	"mishakav-pytest/pytest_3.xml": {want: w(1, 3216, 3184, 0, 0, 32, 0, 3216), upstream: "(no figure)"},
}

var rootAttr = regexp.MustCompile(`<testsuites([^>]*)>`)

// goJUnitReportWant reads the counts go-junit-report wrote on the root of
// its golden file; the README states they agree with its test cases.
func goJUnitReportWant(t *testing.T, path string) want {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := rootAttr.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no <testsuites> root", path)
	}
	get := func(name string) int {
		am := regexp.MustCompile(`\b` + name + `="(\d+)"`).FindSubmatch(m[1])
		if am == nil {
			return 0
		}
		n, _ := strconv.Atoi(string(am[1]))
		return n
	}
	tests, failures, errs, skipped := get("tests"), get("failures"), get("errors"), get("skipped")
	return want{Tests: tests, Passed: tests - failures - errs - skipped, Failed: failures, Errors: errs, Skipped: skipped, Runs: tests}
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available (%v); it lives beside the repository at ../shared/corpus/junit", err)
	}
	seen := map[string]bool{}
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || !strings.HasSuffix(rel, ".xml") || strings.HasPrefix(rel, "coverage/") {
			return nil
		}
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			tc, ok := corpusWant[rel]
			if strings.HasPrefix(rel, "go-junit-report/") {
				ok = true
				tc.want = goJUnitReportWant(t, path)
			}
			if !ok {
				t.Fatalf("corpus file %s has no expectation in corpusWant", rel)
			}
			var n int
			st, err := ParseFile(context.Background(), path, func(c Case) error {
				n++
				return nil
			})
			if tc.err != "" || tc.notJUnit {
				if err == nil {
					t.Fatalf("no error, want %q", tc.err)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %q, want it to contain %q", err, tc.err)
				}
				if errors.Is(err, ErrNotJUnit) != tc.notJUnit {
					t.Errorf("errors.Is(err, ErrNotJUnit) = %v, want %v", !tc.notJUnit, tc.notJUnit)
				}
				if !strings.Contains(err.Error(), filepath.Base(path)) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := want{st.Suites, st.Tests, st.Passed, st.Failed, st.Errors, st.Skipped, st.Flaky, st.Runs}
			if strings.HasPrefix(rel, "go-junit-report/") {
				got.Suites, got.Flaky = 0, 0
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v (upstream: %s)", got, tc.want, tc.upstream)
			}
			if n != st.Tests {
				t.Errorf("fn called %d times for %d tests", n, st.Tests)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel := range corpusWant {
		if !seen[rel] {
			t.Errorf("corpusWant lists %s, which is not in the corpus", rel)
		}
	}
}

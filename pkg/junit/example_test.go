package junit_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
)

func ExampleParse() {
	report := `<testsuite name="pytest">
  <testcase classname="tests.test_api" name="test_login" file="tests/test_api.py" line="12" time="0.5"/>
  <testcase classname="tests.test_api" name="test_logout" time="0.25"><failure message="assert 401 == 200">...</failure></testcase>
  <testcase classname="tests.test_api" name="test_logout" time="0.25"/>
  <testcase classname="tests.test_db" name="test_migrate"><skipped message="needs PostgreSQL"/></testcase>
</testsuite>`
	st, err := junit.Parse(context.Background(), strings.NewReader(report), func(c junit.Case) error {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s %s: %s flaky=%v runs=%d %s", c.Classname, c.Name, c.Status, c.Flaky, c.Runs, c.Message)))
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("tests %d, passed %d (flaky %d), failed %d, skipped %d, runs %d\n", st.Tests, st.Passed, st.Flaky, st.Failed, st.Skipped, st.Runs)
	// Output:
	// tests.test_api test_login: passed flaky=false runs=1
	// tests.test_api test_logout: passed flaky=true runs=2 assert 401 == 200
	// tests.test_db test_migrate: skipped flaky=false runs=1 needs PostgreSQL
	// tests 3, passed 2 (flaky 1), failed 0, skipped 1, runs 4
}

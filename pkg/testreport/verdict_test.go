package testreport

import "testing"

func TestReportErr(t *testing.T) {
	for _, c := range []struct {
		r    Report
		want string
	}{
		{Report{Conclusion: "success"}, ""},
		{Report{Conclusion: "failure", Counts: Counts{Failed: 2, Errors: 1}}, "test report: 2 tests failed and 1 errored"},
		{Report{Conclusion: "failure", Problems: []string{"coverage 10.0% is below 80%"}}, "test report: coverage 10.0% is below 80%"},
		{Report{Conclusion: "failure", Counts: Counts{Failed: 1}, Problems: []string{"3 tests ran, fewer than min-tests 5"}},
			"test report: 1 tests failed and 0 errored; 3 tests ran, fewer than min-tests 5"},
	} {
		got := ""
		if err := c.r.Err(); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Err() = %q, want %q", got, c.want)
		}
	}
}

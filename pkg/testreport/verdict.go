package testreport

import (
	"errors"
	"fmt"
	"strings"
)

// Err is the report's verdict as an error: nil when it passed, else what
// failed (tests, and every problem such as a coverage gate or too few tests).
func (r *Report) Err() error {
	if r.Passed() {
		return nil
	}
	var why []string
	if c := r.Counts; c.Failed+c.Errors > 0 {
		why = append(why, fmt.Sprintf("%d tests failed and %d errored", c.Failed, c.Errors))
	}
	return errors.New("test report: " + strings.Join(append(why, r.Problems...), "; "))
}

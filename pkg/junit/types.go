package junit

import (
	"errors"
	"fmt"
)

// Status is the outcome of one test case.
type Status int

// Statuses, in increasing precedence for a test case element that carries
// several results (error > failure > skipped; no result element = passed).
const (
	StatusPassed Status = iota
	StatusSkipped
	StatusFailed
	StatusError
)

func (s Status) String() string {
	switch s {
	case StatusPassed:
		return "passed"
	case StatusSkipped:
		return "skipped"
	case StatusFailed:
		return "failed"
	case StatusError:
		return "error"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText writes the status as its name ("passed", "failed", ...).
func (s Status) MarshalText() ([]byte, error) {
	if s < StatusPassed || s > StatusError {
		return nil, fmt.Errorf("junit: unknown status %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for st := StatusPassed; st <= StatusError; st++ {
		if string(b) == st.String() {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("junit: unknown status %q; expected passed, skipped, failed or error", b)
}

// MaxDetail caps Case.Detail (the text of the deciding result element, e.g.
// a stack trace) so that memory stays bounded however long a report's
// failure output is. Longer details are cut and end with TruncatedMark.
const MaxDetail = 64 << 10

// TruncatedMark ends a Detail that was cut at MaxDetail.
const TruncatedMark = "\n… (truncated)"

// MaxTagSize caps one start tag (the element name and all its attributes).
// A larger tag is refused with a SyntaxError instead of being buffered, so a
// report with a gigantic attribute cannot exhaust memory.
const MaxTagSize = 16 << 20

// Case is one test case of a report, after the executions recorded for it
// in the same file were merged (see the package documentation).
type Case struct {
	Suite, Classname, Name, File string
	Line                         int
	Time                         float64 // seconds, summed over the merged executions
	Status                       Status
	// Message, Type and Detail come from the deciding result element; for a
	// flaky case (passed after failing) they describe the first failure.
	Message, Type, Detail string
	Flaky                 bool // failed, then passed, within this file
	Runs                  int  // executions recorded (1 + reruns)
}

// Stats totals the cases of one or more reports. Flaky cases are also
// counted as Passed.
type Stats struct {
	Suites, Tests, Passed, Failed, Errors, Skipped, Flaky, Runs int
	Time                                                        float64
}

// Add counts c in s.
func (s *Stats) Add(c Case) {
	s.Tests++
	s.Runs += c.Runs
	s.Time += c.Time
	switch c.Status {
	case StatusPassed:
		s.Passed++
		if c.Flaky {
			s.Flaky++
		}
	case StatusSkipped:
		s.Skipped++
	case StatusFailed:
		s.Failed++
	case StatusError:
		s.Errors++
	}
}

// SyntaxError reports a file that is not well-formed enough to be read
// (truncated, unclosed element, refused DOCTYPE, oversized tag).
type SyntaxError struct {
	File string // empty when parsing a stream with no name
	Line int    // 1-based
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrNotJUnit is returned (wrapped, with the file, line and root element)
// when the document's root element is not <testsuites> or <testsuite>, for
// example an NUnit <test-run> or an xUnit.net <assemblies> report.
var ErrNotJUnit = errors.New("not a JUnit XML report: the root element must be <testsuites> or <testsuite>; check that the test runner was asked for JUnit XML output")

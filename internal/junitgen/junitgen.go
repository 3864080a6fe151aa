package junitgen

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// Counts are the outcomes Generate wrote.
type Counts struct{ Tests, Failed, Skipped, Passed int }

// Generate writes a report with n test cases to w: every 97th case fails
// and every 23rd other one is skipped.
func Generate(w io.Writer, n int) (Counts, error) { return GenerateFailing(w, n, 97) }

// GenerateFailing is Generate with every failEvery-th case failing (1: all).
func GenerateFailing(w io.Writer, n, failEvery int) (Counts, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var c Counts
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites name=\"pytest tests\">\n<testsuite name=\"pytest\" errors=\"0\" failures=\"%d\" skipped=\"%d\" tests=\"%d\" time=\"%d.123\" timestamp=\"2026-01-02T03:04:05.678901+00:00\" hostname=\"runner\">\n",
		n/failEvery, (n-n/failEvery)/23, n, n/100)
	var b []byte
	for i := 0; i < n; i++ {
		mod := (i / 50) % 500 // pytest writes a module's tests together
		b = b[:0]
		b = append(b, "<testcase classname=\"tests.unit.test_module_"...)
		b = strconv.AppendInt(b, int64(mod), 10)
		b = append(b, ".TestComponentBehaviour\" name=\"test_component_behaviour_under_load_"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, "[case-"...)
		b = strconv.AppendInt(b, int64(i%7), 10)
		b = append(b, "]\" file=\"tests/unit/test_module_"...)
		b = strconv.AppendInt(b, int64(mod), 10)
		b = append(b, ".py\" line=\""...)
		b = strconv.AppendInt(b, int64(10+i%900), 10)
		b = append(b, "\" time=\"0."...)
		b = strconv.AppendInt(b, int64(1000+i%9000), 10)
		b = append(b, '"')
		switch {
		case i%failEvery == failEvery-1:
			c.Failed++
			b = append(b, "><failure message=\"AssertionError: assert 41 == 42&#10; +  where 41 = compute(&apos;x&apos;)\">def test_behaviour():\n    value = compute(&apos;x&apos;)\n&gt;   assert value == 42\nE   AssertionError: assert 41 == 42\nE    +  where 41 = compute(&apos;x&apos;)\n\ntests/unit/test_module.py:"...)
			b = strconv.AppendInt(b, int64(10+i%900), 10)
			b = append(b, ": AssertionError</failure></testcase>\n"...)
		case i%23 == 22:
			c.Skipped++
			b = append(b, "><skipped type=\"pytest.skip\" message=\"requires PostgreSQL\">tests/unit/conftest.py:12: requires PostgreSQL</skipped></testcase>\n"...)
		default:
			c.Passed++
			b = append(b, " />\n"...)
		}
		c.Tests++
		if _, err := bw.Write(b); err != nil {
			return c, err
		}
	}
	bw.WriteString("</testsuite>\n</testsuites>\n")
	return c, bw.Flush()
}

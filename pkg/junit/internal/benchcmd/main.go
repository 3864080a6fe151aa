package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/junit/internal/junitgen"
)

func main() {
	gen := flag.Int("generate", 0, "write a report with this many test cases to the file, then exit")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchcmd [-generate N] FILE")
		os.Exit(2)
	}
	path := flag.Arg(0)
	if *gen > 0 {
		f, err := os.Create(path)
		if err != nil {
			fail(err)
		}
		if _, err := junitgen.Generate(f, *gen); err != nil {
			fail(err)
		}
		if err := f.Close(); err != nil {
			fail(err)
		}
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		fail(err)
	}
	failures := 0
	start := time.Now()
	st, err := junit.ParseFile(context.Background(), path, func(c junit.Case) error {
		if c.Status == junit.StatusFailed {
			failures++
		}
		return nil
	})
	elapsed := time.Since(start)
	if err != nil {
		fail(err)
	}
	mb := float64(fi.Size()) / 1e6
	fmt.Printf("file: %.1f MB, %d test cases (%d passed, %d failed, %d skipped)\n", mb, st.Tests, st.Passed, st.Failed, st.Skipped)
	fmt.Printf("parse: %.3f s, %.0f MB/s\n", elapsed.Seconds(), mb/elapsed.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchcmd:", err)
	os.Exit(1)
}

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/org/timetracker-ci/internal/junitgen"
	"github.com/org/timetracker-ci/pkg/junit"
)

func main() {
	gen := flag.Int("generate", 0, "write a report with this many test cases to the file, then exit")
	failEvery := flag.Int("fail-every", 97, "with -generate: every n-th test case fails (1: all)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: junitbench [-generate N] FILE")
		os.Exit(2)
	}
	path := flag.Arg(0)
	if *gen > 0 {
		f, err := os.Create(path)
		if err != nil {
			fail(err)
		}
		if _, err := junitgen.GenerateFailing(f, *gen, max(*failEvery, 1)); err != nil {
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
	cpu0 := cpuTime()
	start := time.Now()
	st, err := junit.ParseFile(context.Background(), path, func(c junit.Case) error {
		if c.Status == junit.StatusFailed {
			failures++
		}
		return nil
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	if err != nil {
		fail(err)
	}
	mb := float64(fi.Size()) / 1e6
	fmt.Printf("file: %.1f MB, %d test cases (%d passed, %d failed, %d skipped)\n", mb, st.Tests, st.Passed, st.Failed, st.Skipped)
	fmt.Printf("parse: %.3f s wall clock, %.0f MB/s\n", elapsed.Seconds(), mb/elapsed.Seconds())
	// On a shared machine the wall clock includes time spent waiting for
	// a CPU; the process's CPU time (all threads, GC included) does not.
	fmt.Printf("parse: %.3f s CPU, %.0f MB/s per CPU second\n", cpu.Seconds(), mb/cpu.Seconds())
}

// cpuTime is the user and system time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "junitbench:", err)
	os.Exit(1)
}

// Package junitgen writes large, realistic JUnit XML reports for
// benchmarks: pytest-like, one suite, mostly passing cases with some
// failures (message, type and a traceback) and skips, deterministic for a
// given size.
package junitgen

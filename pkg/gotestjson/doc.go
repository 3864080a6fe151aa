// Package gotestjson reads go test -json streams (test2json events) into
// the same cases and totals as package junit, so Go and Python test tiers
// are reported alike.
//
// Every test and subtest with a result is a case (Suite and Classname are
// the package import path; File and Line come from the first
// "file_test.go:N:" line of a failure's or skip's output, and File is then
// the base name go test prints: coverage.Paths.GoFile(Suite+"/"+File)
// gives the repository path). A build failure is located at its first
// compiler error, File relative to where go test ran. Output is kept, bounded by
// junit.MaxDetail, only while a test runs and only for failures and skips.
// A package that fails with no failing test (build or setup failure, a
// panic in init or TestMain, os.Exit, a timeout) becomes an error case, and
// tests left running when their package ends or the stream stops are
// errors too: a failure is never silently dropped. A failing test rerun
// later in the same stream that then passes is one flaky case (gotestsum
// --rerun-fails), consistent with package junit.
package gotestjson

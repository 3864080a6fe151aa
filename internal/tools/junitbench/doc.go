// Command junitbench measures the JUnit parser on a large report: it writes
// one with junitgen when asked (-generate), then parses it and prints the
// throughput. Run it under /usr/bin/time -v for the peak RSS
// (scripts/bench-junit.sh does).
package main

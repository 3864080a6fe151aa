// Package verifyaction is the glue of the verify action and of
// `timetracker-ci verify IMAGE`: it reads the inputs, calls
// supplychain.Verify and prints the one-screen verdict.
package verifyaction

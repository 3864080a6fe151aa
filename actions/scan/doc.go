// Package scanaction is the glue of the scan action: it reads the SBOMs, the OSV
// records and the ignore file named by the inputs, calls vulnscan.Scan,
// writes the SARIF file and fails on findings above the threshold.
package scanaction

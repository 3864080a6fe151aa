// Package versionaction is the glue of the version action: inputs and the event
// become a pkg/version resolution over the clone (or the GitHub API for a
// shallow clone), whose result becomes outputs, notices and a summary.
package versionaction

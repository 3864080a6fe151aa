// Package prreport puts a test report where reviewers look: one comment
// per workflow on the pull request, updated in place, and a check run on
// the head commit carrying every failure as an annotation.
//
// The comment is found again by a hidden marker naming the workflow
// (Marker), so each workflow keeps exactly one comment however often it
// runs. The check run is created with the first 50 annotations and updated
// with the next 50 until all are sent: the Checks API takes at most 50 per
// request and appends those of each update, while workflow commands show
// only 10 errors and 10 warnings per step.
//
// A failure is new unless it also failed in the base branch's latest
// results (a Baseline, written by every run next to its timings and read
// back from the same cache); then it is "already failing on <base>".
package prreport

// Package localtest is the local `timetracker-ci-local test` command: it plans
// the tiers, runs the test command once per tier and reports, in one go,
// through the same test-plan and test-report actions CI uses.
//
//	timetracker-ci-local test --tier unit -- pytest -x
package localtest

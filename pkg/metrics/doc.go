// Package metrics turns a repository's history on GitHub (workflow runs,
// production deployments and the commits they shipped) into the pipeline's
// weekly figures: CI success rate, build time (median and 90th
// percentile), and the four DORA measures as DORA defines them:
//
//   - deployment frequency: successful production deployments per week;
//   - lead time for changes: from a commit to the successful production
//     deployment that first shipped it (median over the week's commits);
//   - change failure rate: the share of production deployments that
//     failed, or that a rollback deployment later replaced;
//   - time to restore: from such a failed change to the next successful
//     production deployment (a rollback or a fix), median per week.
//
// From the default branch's CI runs it also reads the test reports the CI
// workflow uploads (the test-report-<attempt> artifact): the week's last
// test count and coverage, and the distinct flaky tests seen in the week.
//
// Weeks start on Monday, UTC. The figures come with SVG charts and a
// Markdown rendering for the job summary (Mermaid charts, which GitHub
// renders there).
package metrics

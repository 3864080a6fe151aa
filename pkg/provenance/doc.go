// Package provenance writes and reads in-toto statements (v1) carrying a
// SLSA v1 build-provenance predicate for images built by a GitHub Actions
// workflow: the subjects are the index digest and every platform digest;
// the predicate names the workflow (builder), the source repository and
// commit, and the inputs that shaped the build.
package provenance

// Package vulnscan matches the packages of an SBOM against OSV records
// (https://ossf.github.io/osv-schema/) and reports the findings as SARIF
// 2.1.0 for GitHub code scanning.
//
// Matching covers a documented subset of OSV:
//   - ecosystems PyPI (PEP 440 versions: epoch, release, a/b/rc, post, dev;
//     local versions compared without their +local part), Debian (dpkg
//     version order; a record for any Debian release applies, and Debian
//     records name source packages, so a binary package is matched by its
//     source name) and Go (semantic versions, the standard library as
//     "stdlib"); records of other ecosystems are skipped;
//   - affected[].versions (exact) and ranges of type ECOSYSTEM and SEMVER
//     with introduced, fixed, last_affected and limit events; GIT ranges
//     are skipped (an SBOM has no commits);
//   - severity from a CVSS v3 vector's base score, else from
//     database_specific.severity (LOW, MODERATE/MEDIUM, HIGH, CRITICAL);
//     a record with neither counts as medium.
//
// Records are read from a directory of OSV JSON files, or from the
// per-ecosystem all.zip files OSV publishes.
package vulnscan

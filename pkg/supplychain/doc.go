// Package supplychain attaches to a published image what a consumer
// checks (an SBOM per platform and a provenance statement for the index,
// as OCI referrers) and verifies that a release is whole: every platform
// present, SBOM and provenance attached with subjects equal to the
// digests, version tags on the same index, deployment files pinned to it.
package supplychain

// Package registry publishes container images by digest with
// go-containerregistry: it resolves references to descriptors, merges
// per-platform images into an index, copies manifests and blobs between
// repositories and registries, and moves tags only after the index is
// verified in every target.
//
// Everything goes through a [Client] built from [Option] values (credentials
// per registry, plain-HTTP registries, a retrying transport, a request
// counter), so the package is usable and testable without any CI
// environment. Requests are kept to the minimum: manifests and blobs are
// checked with HEAD before being written, existing blobs are skipped, blobs
// are mounted across repositories of the same registry, and the tags already
// present in a repository are learned with one tags/list request.
package registry

// Package pipeline is the local `timetracker-ci-local pipeline` command: the whole
// pipeline on one application folder, in-process, with the same actions CI
// runs: version → test tiers (real pytest) → image (pushed to an in-process
// registry unless one is given) → deployment manifests → release in dry-run,
// ending with a summary that fits one screen.
//
// The image is assembled from the application's files with
// go-containerregistry (mutate.Append onto an empty image, one image per
// platform), because nothing can be pulled or built with a base image
// offline: it shows the publishing path (per-platform digests merged into
// one index, tags, manifests pinned to the digest), not a runnable app.
package pipeline

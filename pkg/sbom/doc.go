// Package sbom lists what an image contains, read from its layers: Debian
// packages (dpkg status and status.d), Alpine packages (apk installed
// database), Python distributions (*.dist-info/METADATA,
// *.egg-info/PKG-INFO) and Go binaries (their embedded build information),
// each with the path and layer it was found in, and writes the list as
// SPDX 2.3 JSON or CycloneDX 1.5 JSON.
//
// Layers are read once each, top layer first, as a stream: an upper layer's
// files and whiteouts are remembered (paths only, never contents), so a
// package deleted or replaced by a later layer is not listed and a hidden
// file is skipped without being read. Memory grows with the number of
// metadata paths and whiteouts, not with the size of the image; Go binaries
// are spooled to one temporary file, up to a size cap.
package sbom

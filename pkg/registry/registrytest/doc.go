// Package registrytest provides what tests of registry users need: an
// in-process registry (go-containerregistry's) on a loopback port, random
// images and indexes pushed into it, and a HEAD that reads where a tag
// points without going through the code under test.
package registrytest

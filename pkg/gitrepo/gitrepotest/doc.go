// Package gitrepotest builds real git repositories for tests, with the git
// binary, deterministic dates and identities (so deterministic hashes), and
// large generated histories through git fast-import. Tests using it skip when
// git is not installed.
package gitrepotest

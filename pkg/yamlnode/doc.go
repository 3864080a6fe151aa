// Package yamlnode reads and edits yaml.v3 node trees the way workflow
// checks and renderers need: a key's value in a mapping, every pair in
// order. Working on nodes, not decoded maps, keeps line numbers for
// findings and the user's order and comments when a file is rewritten.
package yamlnode

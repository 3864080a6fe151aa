// Package tmpl executes templates written in Go's text/template syntax over
// plain data (structs, maps, slices and scalars) with a fixed set of
// functions, and without method calls.
//
// It exists for binary size: text/template looks methods up by name through
// reflection, which makes the linker keep every exported method of every type
// in the program (for the timetracker-ci binary, about 3.5 MB of compressed
// image). This package reuses text/template/parse, so the syntax, the parse
// errors and their "name:line:" positions are the standard ones; only the
// evaluator is its own.
//
// Supported: actions, pipelines, variables ($x := / $x =), if/else if/else,
// with/else, range (slices, arrays, maps in key order, integers) with break
// and continue, define/template/block, comments, whitespace trimming, field
// access on structs and string-keyed maps. Functions: the text/template
// built-ins and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print,
// printf, println; include NAME DATA, which returns a template's output as
// a string (as in Helm); plus those in [Funcs] and any the caller adds. Calling a
// method ({{.X.Method}}) is an error that says so.
package tmpl

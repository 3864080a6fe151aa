// Package lazyre holds regular expressions compiled on first use. Every
// action shares one binary, so a package-level regexp.MustCompile is paid
// at the start of every action (package init), not only of the action that
// matches with it; a lazyre.Regexp costs nothing until it is used.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regexp.Regexp compiled from its pattern on first use. A bad
// pattern panics there, as regexp.MustCompile would have at init; the
// package tests of its users compile every pattern they declare.
type Regexp struct {
	pattern string
	once    sync.Once
	re      *regexp.Regexp
}

// New returns a Regexp that compiles pattern on first use.
func New(pattern string) *Regexp { return &Regexp{pattern: pattern} }

// Re is the compiled regular expression.
func (r *Regexp) Re() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.pattern) })
	return r.re
}

// String is the pattern, as regexp.Regexp's String.
func (r *Regexp) String() string { return r.pattern }

// MatchString is regexp.Regexp's MatchString.
func (r *Regexp) MatchString(s string) bool { return r.Re().MatchString(s) }

// Match is regexp.Regexp's Match.
func (r *Regexp) Match(b []byte) bool { return r.Re().Match(b) }

// FindString is regexp.Regexp's FindString.
func (r *Regexp) FindString(s string) string { return r.Re().FindString(s) }

// FindStringIndex is regexp.Regexp's FindStringIndex.
func (r *Regexp) FindStringIndex(s string) []int { return r.Re().FindStringIndex(s) }

// FindStringSubmatch is regexp.Regexp's FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Re().FindStringSubmatch(s) }

// FindStringSubmatchIndex is regexp.Regexp's FindStringSubmatchIndex.
func (r *Regexp) FindStringSubmatchIndex(s string) []int { return r.Re().FindStringSubmatchIndex(s) }

// FindAllString is regexp.Regexp's FindAllString.
func (r *Regexp) FindAllString(s string, n int) []string { return r.Re().FindAllString(s, n) }

// FindAllStringIndex is regexp.Regexp's FindAllStringIndex.
func (r *Regexp) FindAllStringIndex(s string, n int) [][]int { return r.Re().FindAllStringIndex(s, n) }

// FindAllStringSubmatch is regexp.Regexp's FindAllStringSubmatch.
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.Re().FindAllStringSubmatch(s, n)
}

// FindAllStringSubmatchIndex is regexp.Regexp's FindAllStringSubmatchIndex.
func (r *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return r.Re().FindAllStringSubmatchIndex(s, n)
}

// FindSubmatch is regexp.Regexp's FindSubmatch.
func (r *Regexp) FindSubmatch(b []byte) [][]byte { return r.Re().FindSubmatch(b) }

// FindAllSubmatch is regexp.Regexp's FindAllSubmatch.
func (r *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte { return r.Re().FindAllSubmatch(b, n) }

// FindAllSubmatchIndex is regexp.Regexp's FindAllSubmatchIndex.
func (r *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	return r.Re().FindAllSubmatchIndex(b, n)
}

// ReplaceAllString is regexp.Regexp's ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string { return r.Re().ReplaceAllString(src, repl) }

// ReplaceAllLiteralString is regexp.Regexp's ReplaceAllLiteralString.
func (r *Regexp) ReplaceAllLiteralString(src, repl string) string {
	return r.Re().ReplaceAllLiteralString(src, repl)
}

// ReplaceAllStringFunc is regexp.Regexp's ReplaceAllStringFunc.
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.Re().ReplaceAllStringFunc(src, repl)
}

// ReplaceAll is regexp.Regexp's ReplaceAll.
func (r *Regexp) ReplaceAll(src, repl []byte) []byte { return r.Re().ReplaceAll(src, repl) }

// Split is regexp.Regexp's Split.
func (r *Regexp) Split(s string, n int) []string { return r.Re().Split(s, n) }

// SubexpNames is regexp.Regexp's SubexpNames.
func (r *Regexp) SubexpNames() []string { return r.Re().SubexpNames() }

// NumSubexp is regexp.Regexp's NumSubexp.
func (r *Regexp) NumSubexp() int { return r.Re().NumSubexp() }

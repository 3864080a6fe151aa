package manifest

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern on first use. Every action shares one
// binary, so a package-level regexp.MustCompile is paid at the start of
// every action, not only of manifest.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

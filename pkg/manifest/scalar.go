package manifest

import (
	"fmt"
	"strings"
)

// maxScalar bounds a version, revision or build time.
const maxScalar = 256

// CheckScalar refuses text that could change a rendered file's structure:
// version, revision and build time reach templates unquoted too (in
// comments, labels), so only the characters a version, a commit or a
// timestamp use are allowed. A revision of "abc\nx-injected: {privileged:
// true}\n#" wrote a key at the top level of the compose file.
func CheckScalar(what, v string) error {
	if len(v) > maxScalar {
		return fmt.Errorf("%s is %d characters long; at most %d", what, len(v), maxScalar)
	}
	if i := strings.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._+:/@-", r))
	}); i >= 0 {
		return fmt.Errorf("%s %q has %q: only letters, digits and . _ + : / @ - may reach a manifest", what, shortQuote(v), v[i:i+1])
	}
	return nil
}

func shortQuote(v string) string {
	if len(v) > 64 {
		return v[:64] + "…"
	}
	return v
}

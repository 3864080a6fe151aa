package version

import (
	"fmt"
	"strings"
)

// CheckTagPrefix refuses a tag prefix that would make the tag an invalid
// ref name or one outside refs/tags: git check-ref-format forbids "..",
// "//", "@{", a component starting with "." or ending with ".lock", a
// leading "/" or "-" (read as an option), control characters and
// " ~^:?*[\". "../" gave the tag "../0.1.0".
func CheckTagPrefix(p string) error {
	if p == "" {
		return nil
	}
	bad := ""
	switch {
	case strings.ContainsAny(p, " ~^:?*[\\\x7f"):
		bad = "a space or one of ~^:?*[\\"
	case strings.IndexFunc(p, func(r rune) bool { return r < 0x20 }) >= 0:
		bad = "a control character"
	case strings.Contains(p, ".."):
		bad = `".."`
	case strings.Contains(p, "//"):
		bad = `"//"`
	case strings.Contains(p, "@{"):
		bad = `"@{"`
	case strings.HasPrefix(p, "/"), strings.HasPrefix(p, "-"):
		bad = "a leading / or -"
	}
	if bad == "" {
		for _, c := range strings.Split(p, "/") {
			if strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".lock") && strings.HasSuffix(p, "/") {
				bad = `a path component starting with "." or ending with ".lock"`
				break
			}
		}
	}
	if bad != "" {
		return fmt.Errorf("%q has %s, which git refuses in a tag name: use letters, digits, - _ . or /", p, bad)
	}
	return nil
}

package githubapi

import "strings"

// AssetName returns the name GitHub stores for an uploaded asset named name.
// GitHub documents only that it "renames asset filenames that have special
// characters, non-alphanumeric characters, and leading or trailing periods";
// observed uploads turn each run of characters outside [A-Za-z0-9._-] into a
// single period and drop leading and trailing periods. Names for which this
// returns something else are the ones a publisher must refuse up front, since
// their assets could not be found again by the name the user gave.
func AssetName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	dot := false
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		switch {
		case ok:
			b.WriteRune(r)
			dot = false
		case !dot:
			b.WriteByte('.')
			dot = true
		}
	}
	return strings.Trim(b.String(), ".")
}

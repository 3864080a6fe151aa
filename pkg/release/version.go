package release

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ParseTag reads a release tag as a semantic version; a leading "v" is
// allowed and kept by the caller for derived tags.
func ParseTag(tag string) (*semver.Version, error) {
	v, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v"))
	if err != nil {
		return nil, fmt.Errorf("tag %q is not a semantic version (like v1.2.3 or 1.2.3-rc.1): set the tag input to a version tag", tag)
	}
	return v, nil
}

// MovingTags returns the tags move-tags names for tag: "major" → v1,
// "minor" → v1.2, keeping tag's "v" prefix.
func MovingTags(tag string, kinds []string) ([]string, error) {
	v, err := ParseTag(tag)
	if err != nil {
		return nil, err
	}
	prefix := ""
	if strings.HasPrefix(tag, "v") {
		prefix = "v"
	}
	var out []string
	for _, k := range kinds {
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "major":
			out = append(out, fmt.Sprintf("%s%d", prefix, v.Major()))
		case "minor":
			out = append(out, fmt.Sprintf("%s%d.%d", prefix, v.Major(), v.Minor()))
		case "":
		default:
			return nil, fmt.Errorf("move-tags: %q is not a tag kind: use major, minor or both (major,minor)", k)
		}
	}
	return out, nil
}

// IsDevelopment reports whether tag is a development prerelease: its first
// prerelease identifier starts with "dev" (1.3.0-dev.20260101120000).
func IsDevelopment(tag string) bool {
	v, err := ParseTag(tag)
	return err == nil && strings.HasPrefix(v.Prerelease(), "dev")
}

// PreviousTag picks the tag a changelog for tag starts from: the highest
// version tag below it; a stable release skips prereleases, so 1.3.0's notes
// cover everything since 1.2.0, not since 1.3.0-rc.2. "" when there is none.
func PreviousTag(tag string, tags []string) string {
	cur, err := ParseTag(tag)
	if err != nil {
		return ""
	}
	var best string
	var bestV *semver.Version
	for _, t := range tags {
		v, err := ParseTag(t)
		if err != nil || !v.LessThan(cur) || (cur.Prerelease() == "" && v.Prerelease() != "") {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) || (v.Equal(bestV) && strings.HasPrefix(t, "v") == strings.HasPrefix(tag, "v")) {
			best, bestV = t, v
		}
	}
	return best
}

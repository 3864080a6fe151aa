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

package version

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Release is a git tag that names a semantic version.
type Release struct {
	Tag     string
	Commit  string // may be empty when only names are known
	Version *semver.Version
}

// ParseTag reads a release tag: prefix followed by a strict semantic version
// (no leading zeros; pre-release and build metadata allowed). When the prefix
// is "v" or empty, both `v1.2.3` and `1.2.3` are accepted, since repositories
// commonly mix the two.
func ParseTag(name, prefix string) (*semver.Version, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		if prefix != "v" {
			return nil, false
		}
		rest = name
	}
	if prefix == "" {
		rest = strings.TrimPrefix(rest, "v")
	}
	v, err := semver.StrictNewVersion(rest)
	if err != nil {
		return nil, false
	}
	return v, true
}

// ParseVersion reads a version given by a user or a file: strict semver with
// an optional leading prefix or "v".
func ParseVersion(s, prefix string) (*semver.Version, bool) {
	s = strings.TrimSpace(s)
	if prefix != "" {
		s = strings.TrimPrefix(s, prefix)
	}
	s = strings.TrimPrefix(s, "v")
	v, err := semver.StrictNewVersion(s)
	if err != nil {
		return nil, false
	}
	return v, true
}

// Releases picks the release tags out of a tag list, highest version first
// (on ties, e.g. v1.2.3 and 1.2.3, the tag with the prefix first). It also
// returns how many tags were not releases.
func Releases(tags []Tag, prefix string) (releases []Release, ignored int) {
	releases = make([]Release, 0, len(tags))
	for _, t := range tags {
		v, ok := ParseTag(t.Name, prefix)
		if !ok {
			ignored++
			continue
		}
		releases = append(releases, Release{Tag: t.Name, Commit: t.Commit, Version: v})
	}
	// A total order (version, then prefixed first, then name), so the
	// faster unstable sort gives one answer.
	slices.SortFunc(releases, func(a, b Release) int {
		if c := b.Version.Compare(a.Version); c != 0 {
			return c
		}
		ap, bp := strings.HasPrefix(a.Tag, prefix), strings.HasPrefix(b.Tag, prefix)
		switch {
		case ap && !bp:
			return -1
		case bp && !ap:
			return 1
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return releases, ignored
}

// PreviousTag returns the release tag a changelog for version v starts from:
// the highest release lower than v. Pre-releases are skipped when v is a
// final release (the notes of 1.3.0 cover everything since 1.2.x, not since
// 1.3.0-rc.2); when v is itself a pre-release they count (1.3.0-rc.2 follows
// 1.3.0-rc.1). Tags that are not releases are ignored. ok is false when there
// is no earlier release, or when v is not a version.
func PreviousTag(tags []string, prefix, v string) (string, bool) {
	cur, ok := ParseVersion(v, prefix)
	if !ok {
		return "", false
	}
	list := make([]Tag, len(tags))
	for i, t := range tags {
		list[i] = Tag{Name: t}
	}
	releases, _ := Releases(list, prefix)
	return previous(releases, cur)
}

func previous(releases []Release, cur *semver.Version) (string, bool) {
	pre := cur.Prerelease() != ""
	for _, r := range releases {
		if !r.Version.LessThan(cur) {
			continue
		}
		if r.Version.Prerelease() != "" && !pre {
			continue
		}
		return r.Tag, true
	}
	return "", false
}

package version

import (
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Bump says how the next version is found when HEAD has no release tag.
type Bump string

const (
	// BumpConventional reads Conventional Commits: feat → minor; fix, perf
	// and anything else → patch; `!` or a BREAKING CHANGE footer → major
	// (minor below 1.0.0).
	BumpConventional Bump = "conventional"
	BumpPatch        Bump = "patch"
	BumpMinor        Bump = "minor"
	BumpMajor        Bump = "major"
	// BumpNone refuses to invent a version: HEAD must carry a release tag.
	BumpNone Bump = "none"
)

// ParseBump validates the bump input.
func ParseBump(s string) (Bump, error) {
	switch b := Bump(strings.ToLower(strings.TrimSpace(s))); b {
	case "":
		return BumpConventional, nil
	case BumpConventional, BumpPatch, BumpMinor, BumpMajor, BumpNone:
		return b, nil
	}
	return "", fmt.Errorf("%q is not a bump: use conventional, patch, minor, major or none", s)
}

// Level is the size of a change.
type Level int

const (
	LevelPatch Level = iota + 1
	LevelMinor
	LevelMajor
)

func (l Level) String() string {
	switch l {
	case LevelMajor:
		return "major"
	case LevelMinor:
		return "minor"
	case LevelPatch:
		return "patch"
	}
	return "none"
}

// header matches a Conventional Commits subject: type(scope)!: description.
var header = lazyre.New(`^([a-zA-Z]+)(\([^()\r\n]*\))?(!)?: \S`)

// breakingFooter matches the footer that marks a breaking change.
var breakingFooter = lazyre.New(`(?m)^BREAKING[ -]CHANGE: `)

// CommitLevel classifies one commit message. Messages that do not follow
// Conventional Commits count as patches: every commit changes something.
func CommitLevel(message string) Level {
	subject, _, _ := strings.Cut(strings.TrimLeft(message, "\r\n"), "\n")
	if breakingFooter.MatchString(message) {
		return LevelMajor
	}
	m := header.FindStringSubmatch(strings.TrimSpace(subject))
	if m == nil {
		return LevelPatch
	}
	if m[3] == "!" {
		return LevelMajor
	}
	if strings.EqualFold(m[1], "feat") {
		return LevelMinor
	}
	return LevelPatch
}

// ConventionalLevel is the largest level among the messages; LevelPatch when
// there are none (a release of the same tree still needs a new number).
func ConventionalLevel(messages []string) Level {
	level := LevelPatch
	for _, m := range messages {
		if l := CommitLevel(m); l > level {
			level = l
			if level == LevelMajor {
				break
			}
		}
	}
	return level
}

// Next returns v raised by level. Below 1.0.0 a major change raises the
// minor number, as SemVer's initial-development rule suggests. A pre-release
// of the target is completed rather than skipped: 1.3.0-rc.2 raised by minor
// is 1.3.0.
func Next(v *semver.Version, level Level) semver.Version {
	if v.Major() == 0 && level == LevelMajor {
		level = LevelMinor
	}
	core := semver.New(v.Major(), v.Minor(), v.Patch(), "", "")
	if v.Prerelease() != "" {
		switch {
		case level == LevelPatch,
			level == LevelMinor && v.Patch() == 0,
			level == LevelMajor && v.Patch() == 0 && v.Minor() == 0:
			return *core
		}
	}
	switch level {
	case LevelMajor:
		return core.IncMajor()
	case LevelMinor:
		return core.IncMinor()
	default:
		return core.IncPatch()
	}
}

package version

import (
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// PrereleaseRule maps branches matching Pattern to pre-release identifier ID:
// `rc/**=rc` makes every branch under rc/ build 1.4.0-rc.N.
type PrereleaseRule struct {
	Pattern string
	ID      string
	re      *regexp.Regexp
}

var prereleaseID = lazyre.New(`^[0-9A-Za-z-]+$`)

// ParsePrereleaseRules reads `pattern=identifier` lines. In patterns `*`
// matches within one path segment, `**` across segments, `?` one character.
func ParsePrereleaseRules(lines []string) ([]PrereleaseRule, error) {
	var rules []PrereleaseRule
	for _, line := range lines {
		pattern, id, ok := strings.Cut(line, "=")
		pattern, id = strings.TrimSpace(pattern), strings.TrimSpace(id)
		if !ok || pattern == "" {
			return nil, fmt.Errorf("line %q is not `branch-pattern=identifier` (e.g. rc/**=rc)", line)
		}
		if !prereleaseID.MatchString(id) {
			return nil, fmt.Errorf("line %q: identifier %q must be letters, digits and hyphens (e.g. rc, beta)", line, id)
		}
		re, err := globRegexp(pattern)
		if err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		rules = append(rules, PrereleaseRule{Pattern: pattern, ID: id, re: re})
	}
	return rules, nil
}

// Match returns the identifier of the first rule matching branch.
func MatchPrerelease(rules []PrereleaseRule, branch string) (string, bool) {
	for _, r := range rules {
		if r.re.MatchString(branch) {
			return r.ID, true
		}
	}
	return "", false
}

func globRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// nextPrereleaseNumber is one more than the highest N among existing
// releases core-id.N, or 1.
func nextPrereleaseNumber(releases []Release, core semver.Version, id string) int {
	n := 0
	for _, r := range releases {
		v := r.Version
		if v.Major() != core.Major() || v.Minor() != core.Minor() || v.Patch() != core.Patch() {
			continue
		}
		rest, ok := strings.CutPrefix(v.Prerelease(), id+".")
		if !ok {
			continue
		}
		if k, err := strconv.Atoi(rest); err == nil && k > n {
			n = k
		}
	}
	return n + 1
}

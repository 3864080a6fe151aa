package version

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"strings"
)

// githubRemote matches the URL forms git accepts for a github.com
// repository: https (with or without user info), ssh:// (also through
// ssh.github.com:443), scp-like git@github.com:owner/repo, and git://.
var githubRemote = lazyre.New(`^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?:ssh\.)?github\.com(?::\d+)?/|[^@/]+@github\.com:/?)([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$`)

// RepositoryFromRemote is owner/name of a github.com remote URL, as
// GITHUB_REPOSITORY would give it ("" for any other URL). Image names made
// from it are lower-cased, as GitHub's registry requires.
func RepositoryFromRemote(url string) string {
	m := githubRemote.FindStringSubmatch(strings.TrimSpace(url))
	if m == nil || m[2] == "." || m[2] == ".." {
		return ""
	}
	return m[1] + "/" + m[2]
}

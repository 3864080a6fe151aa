package workflowcheck

import (
	"strconv"
	"strings"
)

// GitHub moves runners from Node 20 to Node 24 and deprecates CodeQL
// Action v3: an action pinned below the major that runs on Node 24 first
// warns, then fails to start. The version comment of a pin says the major.
// Minimum majors, checked against each action's own action.yml (runs.using:
// node24) at its tag.
var currentMajors = map[string]int{
	"actions/checkout":                 5,
	"actions/setup-go":                 7,
	"actions/setup-python":             6,
	"actions/upload-artifact":          6,
	"actions/download-artifact":        7,
	"actions/cache":                    5,
	"actions/create-github-app-token":  3,
	"docker/setup-buildx-action":       4,
	"docker/login-action":              4,
	"docker/build-push-action":         7,
	"docker/metadata-action":           6,
	"slackapi/slack-github-action":     3,
	"github/codeql-action":             4,
	"actions/dependency-review-action": 4,
}

const deprecatedMajorMsg = "%s is pinned to %s, a major that no longer runs (Node 20 is deprecated on the runners; CodeQL Action v3 is deprecated): move to v%d or later, pinned to its commit SHA with the version in a comment"

func (c *checker) checkDeprecatedMajor(j *Job) {
	for _, s := range j.Steps {
		c.checkMajor(s)
	}
}

func (c *checker) checkMajor(s *Step) {
	if s.Uses == nil {
		return
	}
	uses := s.Uses.Value
	at := strings.LastIndex(uses, "@")
	if at < 0 {
		return
	}
	parts := strings.SplitN(uses[:at], "/", 3)
	if len(parts) < 2 {
		return
	}
	want, ok := currentMajors[strings.ToLower(parts[0]+"/"+parts[1])]
	if !ok {
		return
	}
	version := versionNoteRe.FindString(s.Uses.LineComment)
	if version == "" {
		version = uses[at+1:] // @v4 without a SHA (the pin rule reports it)
	}
	major, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(version, "v"), ".", 2)[0])
	if err != nil || major >= want {
		return
	}
	c.report(s.Uses, RuleDeprecatedMajor, deprecatedMajorMsg, uses[:at], version, want)
}

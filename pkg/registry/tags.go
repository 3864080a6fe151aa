package registry

import (
	"strings"

	"github.com/Masterminds/semver/v3"
)

// IsVersionTag reports whether a tag names one release ("1.2.3",
// "1.3.0-rc.1", also "v1.2.3"): such tags are immutable. Everything else
// ("latest", "stable", "1.2", "1", "develop", "dev-…") is a floating tag
// that is expected to move.
func IsVersionTag(tag string) bool {
	_, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v"))
	return err == nil
}

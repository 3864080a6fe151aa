package version

import (
	"strings"
	"testing"
)

// A type=match pattern without a capture group takes the whole match (group
// 0). On a pre-release tag with no stable release at all, the rule asks for
// latest under latest=auto; deciding not to give it once named the highest
// stable release, which did not exist (index out of range).
func TestMatchWithoutGroupOnPrereleaseTag(t *testing.T) {
	f := newFake(3)
	f.tags = []Tag{{"v2.0.8-beta.67", c(2)}}
	rules, err := ParseRules([]string{`type=match,pattern=\d.\d.\d`})
	if err != nil {
		t.Fatal(err)
	}
	res, err := resolveFake(t, f, Event{Name: "push", Ref: "refs/tags/v2.0.8-beta.67"}, Options{Rules: rules, Flavor: Flavor{Latest: "auto"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.TagNames, ","); got != "2.0.8" {
		t.Errorf("tags %q, want 2.0.8 (the whole match) and no latest for a pre-release", got)
	}
	if res.Latest {
		t.Error("a pre-release took latest")
	}
}

package tiers

import (
	"context"
	"errors"
	"testing"

	"github.com/org/timetracker-ci/pkg/inputerror"
)

// Bad input to Run is an input error naming the input it came from.
func TestRunNamesTheBadInput(t *testing.T) {
	ws := t.TempDir()
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{WorkingDirectory: "../outside"}, "working-directory"},
		{Request{Granularity: "line"}, "granularity"},
		{Request{Plan: "{not json"}, "plan"},
		{Request{Tiers: "- {name: unit, marker: [}"}, "tiers"},
		{Request{Shards: []string{"nope=x"}}, "shards"},
		{Request{Select: []string{"no-such-tier"}}, "select"},
	} {
		c.req.Workspace = ws
		_, _, err := Run(context.Background(), c.req)
		var ie *inputerror.Error
		if !errors.As(err, &ie) || ie.Input != c.want {
			t.Errorf("Run(%+v) = %v, want an input error naming %s", c.req, err, c.want)
		}
	}
}

package tiers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/shard"
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

// The timings line says what was given: no "known from" with nothing after
// it when the timings input is empty.
func TestRunLogsTheTimingsGiven(t *testing.T) {
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "tests"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "tests", "test_a.py"), []byte("import pytest\n\npytestmark = pytest.mark.unit\n\ndef test_a():\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		timings []string
		want    string
	}{
		{nil, "timings: none given (the timings input), so every file weighs 1 s"},
		{[]string{"timings.json"}, "timings: 0 tests known from timings.json"},
	} {
		var logs []string
		req := Request{Workspace: ws, Timings: c.timings, Select: []string{"unit"},
			LoadTimings: func(context.Context, string, []string) (*shard.Timings, []string, error) {
				return &shard.Timings{}, nil, nil
			},
			Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
		if _, _, err := Run(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if len(logs) == 0 || logs[0] != c.want {
			t.Errorf("timings %q: logs %q, want first %q", c.timings, logs, c.want)
		}
	}
}

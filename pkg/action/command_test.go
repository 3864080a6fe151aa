package action

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func TestParseFlags(t *testing.T) {
	newSet := func() *flag.FlagSet {
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("dir", "", "")
		return fs
	}
	if err := ParseFlags(newSet(), []string{"--dir", "x"}); err != nil {
		t.Errorf("good flags: %v", err)
	}
	if err := ParseFlags(newSet(), []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help = %v, want flag.ErrHelp", err)
	}
	err := ParseFlags(newSet(), []string{"--nope"})
	if !IsInputError(err) || err.Error() != "demo: flag provided but not defined: -nope (see timetracker-ci-local demo --help)" {
		t.Errorf("unknown flag = %v", err)
	}
}

func TestLocalEnv(t *testing.T) {
	caller := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/runner/out", "GITHUB_STATE": "/runner/state",
		"HOME": "/home/me", "GITHUB_SHA": "abc", "EMPTY": ""}
	env := Env{Getenv: func(k string) string { return caller[k] }, LookupEnv: func(k string) (string, bool) { v, ok := caller[k]; return v, ok }}
	local := env.Local(map[string]string{"GITHUB_SHA": "", "RUNNER_TEMP": "/tmp/x"})
	for k, want := range map[string]string{"GITHUB_ACTIONS": "", "GITHUB_OUTPUT": "", "GITHUB_STATE": "", "HOME": "/home/me", "GITHUB_SHA": "", "RUNNER_TEMP": "/tmp/x"} {
		if got := local.Getenv(k); got != want {
			t.Errorf("Getenv(%s) = %q, want %q", k, got, want)
		}
	}
	if _, ok := local.LookupEnv("GITHUB_OUTPUT"); ok {
		t.Error("GITHUB_OUTPUT is still set")
	}
	if v, ok := local.LookupEnv("EMPTY"); !ok || v != "" {
		t.Errorf("a variable the caller set empty: %q, %v", v, ok)
	}
	if env.Getenv("GITHUB_ACTIONS") != "true" {
		t.Error("Local changed the caller's environment")
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/pkg/action"
)

func TestLocalBinaryHasActionsAndLocalCommands(t *testing.T) {
	var out bytes.Buffer
	code := program().Main(context.Background(), action.Env{Stdout: &out, Stderr: &out}, []string{"--help"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	help := out.String()
	for _, want := range []string{"timetracker-ci-local: CI/CD actions", "  pipeline ", "  test ", "  version ", "  test-report "} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q:\n%s", want, help)
		}
	}
	// fake-github is hidden from --help but runs.
	out.Reset()
	if code := program().Main(context.Background(), action.Env{Stdout: &out, Stderr: &out}, []string{"fake-github", "--help"}); code != 0 {
		t.Errorf("fake-github --help: exit %d: %s", code, out.String())
	}
}

func TestShippedBinaryHasNoLocalCommands(t *testing.T) {
	var out bytes.Buffer
	p := actions.Program("test")
	for _, c := range []string{"pipeline", "test", "fake-github"} {
		out.Reset()
		if code := p.Main(context.Background(), action.Env{Stdout: &out, Stderr: &out}, []string{c, "--help"}); code != action.ExitUsage ||
			!strings.Contains(out.String(), "unknown subcommand") {
			t.Errorf("timetracker-ci %s: exit %d, %s; want it unknown in the shipped binary", c, code, out.String())
		}
	}
}

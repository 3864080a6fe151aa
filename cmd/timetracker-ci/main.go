// Command timetracker-ci runs every timetracker-ci action, one subcommand each.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // the image is FROM scratch: no zoneinfo on disk
	// Nor CA roots: internal/tlsroots installs fallback roots when a client
	// is first built, not at every start.

	"github.com/org/timetracker-ci/actions"
	"github.com/org/timetracker-ci/pkg/action"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	p := actions.Program(version)
	// Signals are handled once an action or command runs, not for --help.
	p.Interrupt = func(ctx context.Context) (context.Context, context.CancelFunc) {
		return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	}
	os.Exit(p.Main(context.Background(), action.OSEnv(), os.Args[1:]))
}

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := actions.Program(version).Main(ctx, action.OSEnv(), os.Args[1:])
	stop()
	os.Exit(code)
}

package action

import (
	"errors"
	"flag"
)

// ParseFlags parses a local command's flags (the flag set is named after
// the command). -h and --help return flag.ErrHelp, which Program.Main
// treats as success; any other mistake is a usage error (exit 2) that
// says where the flags are listed.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		// Local commands live in the development binary only.
		return UsageErrorf("%s: %w (see timetracker-ci-local %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// runnerVariables hand an action the GitHub runner's files and the run's
// context; an action that does not see them runs as it does locally.
var runnerVariables = []string{"GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_STATE",
	"GITHUB_PATH", "GITHUB_EVENT_PATH", "GITHUB_RUN_ATTEMPT"}

// Local returns the environment for actions a local command composes:
// whatever the caller's environment says about GitHub Actions, they run
// as they do locally (outputs returned, nothing written to the runner's
// files). set replaces further variables; an empty value hides one.
func (e Env) Local(set map[string]string) Env {
	vars := map[string]string{}
	for _, k := range runnerVariables {
		vars[k] = ""
	}
	for k, v := range set {
		vars[k] = v
	}
	parent := e
	out := e
	out.Getenv = func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return parent.Getenv(k)
	}
	out.LookupEnv = func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, v != ""
		}
		return parent.lookup(k)
	}
	return out
}

// Package action is the runtime every timetracker-ci action runs on.
//
// It reads an action's own action.yml (the contract users see), resolves
// inputs from INPUT_<NAME> variables exactly as the GitHub runner forms them
// or from command-line flags of the same names, applies defaults, and checks
// required inputs (the runner does not). Outputs, annotations and the step
// summary are buffered while the action works and written when it returns:
// outputs through GITHUB_OUTPUT with a fresh random heredoc delimiter per
// value, annotations under GitHub's per-step budget, the summary under the
// 1 MiB limit by choosing a less detailed rendering rather than cutting
// Markdown. Outside GitHub Actions the same action prints its outputs as
// name=value lines, so every action can be previewed locally.
//
// Exit codes: 0 success, 1 the action's work failed, 2 bad input or usage.
// A bad input (an *InputError) writes no outputs at all.
//
// go-githubactions provides the workflow-command encoding and the GitHub
// context; file commands are written here because that library uses one
// fixed delimiter (a crafted value could inject outputs) and panics when a
// file command fails.
package action

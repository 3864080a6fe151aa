// Package inputerror is the one error type for bad input. The library
// under pkg/ returns it when it finds a mistake in what the user gave (a
// tag rule, a glob, a base commit), naming the action input it came from;
// the action runtime (package action, where it is action.InputError)
// recognises it anywhere in an error chain and turns it into one line
// naming the input, exit code 2, and no outputs.
//
//	return inputerror.Errorf("tags", "tag rule %q: %w", line, err)
package inputerror

import "fmt"

// Error is bad input: Input names the input (empty for a command-line
// mistake that names none), Err says what is wrong and what to do.
type Error struct {
	Input string
	Err   error
}

func (e *Error) Error() string {
	if e.Input == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("input %q: %v", e.Input, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error naming the input; format may wrap an error with %w.
func Errorf(input, format string, args ...any) error {
	return &Error{Input: input, Err: fmt.Errorf(format, args...)}
}

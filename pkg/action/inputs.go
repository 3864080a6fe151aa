package action

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/inputerror"
)

// InputError is bad input: the action changes nothing, writes no outputs and
// exits 2 with one line naming the input. It is the library's
// inputerror.Error, so an error a pkg/ package returns for bad input is
// one without translation.
type InputError = inputerror.Error

// InputErrorf returns an *InputError naming the input; format may wrap an
// error with %w.
func InputErrorf(input, format string, args ...any) error {
	return inputerror.Errorf(input, format, args...)
}

// UsageErrorf is a command-line mistake that names no input (exit 2).
func UsageErrorf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// IsInputError reports whether err is bad input or usage (exit 2).
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// InputEnvName is the variable the runner sets for an input: upper-cased,
// spaces to underscores, hyphens kept.
func InputEnvName(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

func isSecretName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "token") || strings.Contains(n, "password") || strings.Contains(n, "secret")
}

// parseBool accepts exactly YAML 1.2 core schema booleans, as the toolkit's
// getBooleanInput does; anything else ("yes", "1") is an error rather than a guess.
func parseBool(v string) (bool, error) {
	switch v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// Input returns the trimmed value of a declared input (its default when unset).
func (rt *Runtime) Input(name string) string {
	if _, ok := rt.meta.Input(name); !ok {
		rt.bugs = append(rt.bugs, fmt.Sprintf("input %q is not declared in action.yml", name))
		return ""
	}
	return rt.inputs[name]
}

// Bool reads a YAML 1.2 core boolean (true/True/TRUE/false/False/FALSE).
func (rt *Runtime) Bool(name string) (bool, error) {
	v := rt.Input(name)
	if v == "" {
		return false, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return false, InputErrorf(name, "%q is not a boolean: use true or false", v)
	}
	return b, nil
}

// Int reads a decimal integer.
func (rt *Runtime) Int(name string) (int, error) {
	v := rt.Input(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, InputErrorf(name, "%q is not a whole number", v)
	}
	return n, nil
}

// Duration reads a Go duration ("90s", "5m"); a bare number means seconds.
func (rt *Runtime) Duration(name string) (time.Duration, error) {
	v := rt.Input(name)
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, InputErrorf(name, "%q is not a duration: write it like 90s, 5m or 1h30m", v)
	}
	return d, nil
}

// List reads a newline- or comma-separated list; blank entries and #
// comments are dropped. Any text is a list, so there is no error to check.
func (rt *Runtime) List(name string) []string {
	return SplitList(rt.Input(name))
}

// Enum reads one of a fixed set of values, compared without case; it
// returns the value in lower case, or an *InputError listing the choices.
func (rt *Runtime) Enum(name string, values ...string) (string, error) {
	v := strings.ToLower(rt.Input(name))
	for _, ok := range values {
		if v == strings.ToLower(ok) {
			return v, nil
		}
	}
	return "", InputErrorf(name, "%q is not one of %s", v, strings.Join(values, ", "))
}

// Lines reads a newline-separated list, for entries that may contain commas
// (tag rules, key=value pairs); blank lines and # comments are dropped.
func (rt *Runtime) Lines(name string) []string {
	return SplitLines(rt.Input(name))
}

// SplitList splits on newlines and commas, trimming and dropping blanks and comments.
func SplitList(v string) []string {
	var out []string
	for _, line := range SplitLines(v) {
		for _, item := range strings.Split(line, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// SplitLines splits on newlines, trimming and dropping blanks and # comments.
func SplitLines(v string) []string {
	var out []string
	for _, line := range strings.Split(v, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

package action

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/org/timetracker-ci/pkg/inputerror"
	"github.com/org/timetracker-ci/pkg/workspace"
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

// IsInputError reports whether err is bad input or usage (exit 2): an
// *InputError, or a path the workspace jail refused.
func IsInputError(err error) bool {
	var ie *InputError
	var pe *workspace.PathError
	return errors.As(err, &ie) || errors.As(err, &pe)
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

// Int reads a decimal integer. An input given explicitly empty when its
// default is not (min-tests: ”) is refused: it would otherwise read as 0
// and silently switch a check off.
func (rt *Runtime) Int(name string) (int, error) {
	v := rt.Input(name)
	if v == "" {
		return 0, rt.explicitlyEmpty(name, "a whole number")
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

// Timeout bounds ctx by the duration input name, which must be positive;
// a refusal gives the input's action.yml default as the example.
func (rt *Runtime) Timeout(ctx context.Context, name string) (context.Context, context.CancelFunc, time.Duration, error) {
	d, err := rt.Duration(name)
	if err != nil {
		return nil, nil, 0, err
	}
	if d <= 0 {
		example := "10m"
		if in, ok := rt.meta.Input(name); ok && in.Default != "" {
			example = in.Default
		}
		return nil, nil, 0, InputErrorf(name, "must be a positive duration such as %s, not %q", example, rt.Input(name))
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, d, nil
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

// explicitlyEmpty refuses an empty value for an input whose default is not
// empty: the workflow set it to ” (often an unset expression), and reading
// that as zero would quietly change what the action checks.
func (rt *Runtime) explicitlyEmpty(name, want string) error {
	if in, ok := rt.meta.Input(name); ok && strings.TrimSpace(in.Default) != "" {
		return InputErrorf(name, "is empty: give %s (the default is %s), or leave the input out", want, in.Default)
	}
	return nil
}

// Float reads a plain decimal number (12, 12.5, .5) within [lo, hi]. Only
// that form is accepted: NaN and Inf (NaN compares false with everything,
// so a threshold of NaN would pass any value), hex floats (0x1p6 is 64) and
// exponents are refused as bad input.
func (rt *Runtime) Float(name string, lo, hi float64) (float64, error) {
	v := rt.Input(name)
	if v == "" {
		return 0, rt.explicitlyEmpty(name, fmt.Sprintf("a number from %g to %g", lo, hi))
	}
	f, err := ParseDecimal(v)
	if err != nil || f < lo || f > hi {
		return 0, InputErrorf(name, "%q is not a number from %g to %g: write it as digits, like 80 or 72.5", v, lo, hi)
	}
	return f, nil
}

// Percent reads a percentage from 0 to 100 (see Float).
func (rt *Runtime) Percent(name string) (float64, error) {
	v := rt.Input(name)
	if v == "" {
		return 0, rt.explicitlyEmpty(name, "a percentage from 0 to 100")
	}
	f, err := ParseDecimal(v)
	if err != nil || f < 0 || f > 100 {
		return 0, InputErrorf(name, "%q is not a percentage from 0 to 100: write it as digits, like 80 or 72.5", v)
	}
	return f, nil
}

// ParseDecimal parses digits with an optional sign and decimal point, and
// nothing else: the documented form of every numeric input.
func ParseDecimal(v string) (float64, error) {
	digits, dot := 0, 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dot++
		case (c == '-' || c == '+') && i == 0:
		default:
			return 0, fmt.Errorf("%q is not a decimal number", v)
		}
	}
	if digits == 0 || dot > 1 || len(v) > 64 {
		return 0, fmt.Errorf("%q is not a decimal number", v)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a finite decimal number", v)
	}
	return f, nil
}

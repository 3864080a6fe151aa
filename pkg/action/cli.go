package action

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// parseFlags reads --name value, --name=value and, for boolean inputs,
// a bare --name. Everything after -- is returned as arguments.
func parseFlags(meta *Metadata, args []string) (flags map[string]string, rest []string, help bool, err error) {
	flags = map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return flags, args[i+1:], false, nil
		case arg == "-h" || arg == "--help" || arg == "help":
			return nil, nil, true, nil
		case !strings.HasPrefix(arg, "--"):
			return nil, nil, false, UsageErrorf("unexpected argument %q: inputs are flags like --name value", arg)
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		in, ok := meta.Input(name)
		if !ok {
			return nil, nil, false, UsageErrorf("unknown flag --%s: it is not an input of this action", name)
		}
		if !hasValue {
			switch {
			case i+1 < len(args) && !strings.HasPrefix(args[i+1], "--"):
				value = args[i+1]
				i++
			case in.Boolean():
				value = "true"
			default:
				return nil, nil, false, InputErrorf(name, "flag --%s needs a value", name)
			}
		}
		if prev, ok := flags[name]; ok {
			value = prev + "\n" + value // repeated flags build a list
		}
		flags[name] = value
	}
	return flags, nil, false, nil
}

// Help is the --help text of an action, generated from its action.yml.
func Help(name string, meta *Metadata) string {
	var b strings.Builder
	fmt.Fprintf(&b, "timetracker-ci %s: %s\n\n%s\n\nUsage: timetracker-ci %s [--input value ...] [-- args]\n", name, meta.Name, wrap(meta.Description, 78), name)
	if len(meta.Inputs) > 0 {
		b.WriteString("\nInputs (flags, or INPUT_<NAME> variables as on GitHub):\n")
		for _, in := range meta.Inputs {
			extra := ""
			if in.Required {
				extra = " (required)"
			} else if in.Default != "" {
				extra = fmt.Sprintf(" (default %q)", in.Default)
			}
			fmt.Fprintf(&b, "  --%s%s\n      %s\n", in.Name, extra, strings.ReplaceAll(wrap(firstParagraph(in.Description), 72), "\n", "\n      "))
		}
	}
	if len(meta.Outputs) > 0 {
		b.WriteString("\nOutputs (printed as name=value outside GitHub Actions):\n")
		for _, out := range meta.Outputs {
			fmt.Fprintf(&b, "  %s\n      %s\n", out.Name, strings.ReplaceAll(wrap(firstParagraph(out.Description), 72), "\n", "\n      "))
		}
	}
	return b.String()
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func wrap(s string, width int) string {
	words := strings.Fields(s)
	var b strings.Builder
	n := 0
	for _, w := range words {
		if n > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// Program is the whole binary: its actions and local commands.
type Program struct {
	Name     string // the binary's name in messages; "timetracker-ci" when empty
	Version  string
	Actions  []*Action
	Commands []*Command
	// Interrupt, when set, derives the context an action or command runs
	// with (signal.NotifyContext in a binary). It is called only once one
	// is about to run, not for help or a usage error: registering signal
	// handlers starts threads, about a third of a millisecond.
	Interrupt func(context.Context) (context.Context, context.CancelFunc)
}

// Main dispatches a command line (without the program name) and returns the exit code.
func (p *Program) Main(ctx context.Context, env Env, args []string) int {
	if env.Stdout == nil {
		env.Stdout = os.Stdout
	}
	if env.Stderr == nil {
		env.Stderr = os.Stderr
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, p.usage())
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(env.Stdout, p.usage())
		return ExitOK
	case "--version", "version-info":
		fmt.Fprintf(env.Stdout, "%s %s\n", p.name(), p.Version)
		return ExitOK
	}
	for _, a := range p.Actions {
		if a.Name == args[0] {
			return execute(ctx, a, env, args[1:], p.Interrupt)
		}
	}
	for _, c := range p.Commands {
		if c.Name == args[0] {
			if p.Interrupt != nil {
				var stop context.CancelFunc
				ctx, stop = p.Interrupt(ctx)
				defer stop()
			}
			err := c.Run(ctx, env, args[1:])
			switch {
			case err == nil, errors.Is(err, flag.ErrHelp): // the command printed its help
				return ExitOK
			case IsInputError(err):
				fmt.Fprintf(env.Stderr, "%s %s: %v\n", p.name(), c.Name, err)
				return ExitUsage
			default:
				fmt.Fprintf(env.Stderr, "%s %s: %v\n", p.name(), c.Name, err)
				return ExitFailure
			}
		}
	}
	fmt.Fprintf(env.Stderr, "%[1]s: unknown subcommand %[2]q (run %[1]s --help for the list)\n", p.name(), args[0])
	return ExitUsage
}

func (p *Program) name() string {
	if p.Name == "" {
		return "timetracker-ci"
	}
	return p.Name
}

func (p *Program) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%[1]s: CI/CD actions for GitHub, runnable locally.\n\nUsage: %[1]s <subcommand> [--input value ...]\n\nActions:\n", p.name())
	acts := append([]*Action(nil), p.Actions...)
	sort.Slice(acts, func(i, j int) bool { return acts[i].Name < acts[j].Name })
	for _, a := range acts {
		desc := ""
		if m, err := a.Meta(); err == nil {
			desc = m.Name
		}
		fmt.Fprintf(&b, "  %-14s %s\n", a.Name, desc)
	}
	b.WriteString("\nCommands:\n")
	for _, c := range p.Commands {
		if !c.Hidden {
			fmt.Fprintf(&b, "  %-14s %s\n", c.Name, c.Summary)
		}
	}
	fmt.Fprintf(&b, "\nRun %s <subcommand> --help for its inputs and outputs; --version prints the version.\n", p.name())
	return b.String()
}

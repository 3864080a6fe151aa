package action

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
// It is written into one buffer sized up front and wrapped in place (one
// allocation, where strings.Fields and fmt made hundreds); a test holds it
// to the straightforward rendering, byte for byte.
func Help(name string, meta *Metadata) string {
	var b strings.Builder
	b.Grow(helpSize(name, meta))
	b.WriteString("timetracker-ci ")
	b.WriteString(name)
	b.WriteString(": ")
	b.WriteString(meta.Name)
	b.WriteString("\n\n")
	writeWrapped(&b, meta.Description, 78, "")
	b.WriteString("\n\nUsage: timetracker-ci ")
	b.WriteString(name)
	b.WriteString(" [--input value ...] [-- args]\n")
	if len(meta.Inputs) > 0 {
		b.WriteString("\nInputs (flags, or INPUT_<NAME> variables as on GitHub):\n")
		for _, in := range meta.Inputs {
			b.WriteString("  --")
			b.WriteString(in.Name)
			if in.Required {
				b.WriteString(" (required)")
			} else if in.Default != "" {
				b.WriteString(" (default ")
				b.WriteString(strconv.Quote(in.Default))
				b.WriteByte(')')
			}
			b.WriteString("\n      ")
			writeWrapped(&b, firstParagraph(in.Description), 72, "      ")
			b.WriteByte('\n')
		}
	}
	if len(meta.Outputs) > 0 {
		b.WriteString("\nOutputs (printed as name=value outside GitHub Actions):\n")
		for _, out := range meta.Outputs {
			b.WriteString("  ")
			b.WriteString(out.Name)
			b.WriteString("\n      ")
			writeWrapped(&b, firstParagraph(out.Description), 72, "      ")
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// helpSize bounds the length of Help's text: every byte of the metadata,
// plus an indentation for each line the wrapping can start.
func helpSize(name string, meta *Metadata) int {
	n := 200 + 2*len(name) + len(meta.Name) + len(meta.Description) + len(meta.Description)/40
	for _, in := range meta.Inputs {
		n += 40 + len(in.Name) + 2*len(in.Default) + len(in.Description) + len(in.Description)/5
	}
	for _, out := range meta.Outputs {
		n += 20 + len(out.Name) + len(out.Description) + len(out.Description)/5
	}
	return n
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// writeWrapped writes the words of s (split as strings.Fields splits them)
// joined by single spaces, breaking lines before width, each new line
// starting with indent.
func writeWrapped(b *strings.Builder, s string, width int, indent string) {
	n := 0
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(s) {
			r, size := rune(s[j]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[j:])
			}
			if unicode.IsSpace(r) {
				break
			}
			j += size
		}
		w := s[i:j]
		i = j
		if n > 0 && n+1+len(w) > width {
			b.WriteByte('\n')
			b.WriteString(indent)
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
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

// Command list-errors prints the user-facing error messages of the code
// that docs/troubleshooting.md does not list yet (scripts/list-errors.sh).
//
//	list-errors            file:line: message, one per undocumented message
//	list-errors -all       every message, documented or not
//	list-errors -markdown  table rows to paste into the guide and complete
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/org/timetracker-ci/internal/messages"
)

func main() {
	root := flag.String("root", ".", "repository root")
	all := flag.Bool("all", false, "list every message, not only the undocumented ones")
	markdown := flag.Bool("markdown", false, "print Markdown table rows")
	flag.Parse()
	msgs, err := messages.Messages(context.Background(), *root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "list-errors:", err)
		os.Exit(1)
	}
	list := msgs
	if !*all {
		guide, err := os.ReadFile(filepath.Join(*root, "docs", "troubleshooting.md"))
		if err != nil && !os.IsNotExist(err) {
			fmt.Fprintln(os.Stderr, "list-errors:", err)
			os.Exit(1)
		}
		list = messages.Undocumented(msgs, string(guide))
	}
	for _, m := range list {
		text := m.Format
		if m.Input != "" {
			text = fmt.Sprintf("input %q: %s", m.Input, text) // as the runtime prints it
		}
		if *markdown {
			fmt.Printf("| `%s` | %s | |\n", strings.ReplaceAll(text, "|", `\|`), m.File)
			continue
		}
		fmt.Printf("%s:%d: %s\n", m.File, m.Line, text)
	}
	if !*all {
		fmt.Fprintf(os.Stderr, "%d undocumented of %d messages\n", len(list), len(msgs))
	}
}

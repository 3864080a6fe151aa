package messages

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestTroubleshootingListsEveryError: every user-facing error message of the
// code (see Messages) appears in docs/troubleshooting.md. scripts/list-errors.sh
// prints the ones missing.
func TestTroubleshootingListsEveryError(t *testing.T) {
	root := filepath.Join("..", "..") // the repository
	msgs, err := Messages(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) == 0 {
		t.Fatal("no error messages found in the code: the extraction is broken")
	}
	guide, err := os.ReadFile(filepath.Join(root, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	und := Undocumented(msgs, string(guide))
	for _, m := range und {
		t.Errorf("%s:%d: %q is not in docs/troubleshooting.md", m.File, m.Line, m.Format)
	}
	if len(und) > 0 {
		t.Logf("%d of %d distinct messages undocumented; list them with scripts/list-errors.sh", len(und), len(msgs))
	}
}

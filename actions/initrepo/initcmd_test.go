package initcmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/action"
)

func env(dir string, out io.Writer) action.Env {
	return action.Env{Getenv: func(string) string { return "" }, Stdout: out, Stderr: io.Discard, Dir: dir}
}

func TestDryRunThenWriteThenNothing(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join("..", "..", "examples", "timetracker")+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	cmd := Command("1.3.0")
	var out bytes.Buffer
	if err := cmd.Run(context.Background(), env(dir, &out), []string{"--dry-run"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".github")); !os.IsNotExist(err) {
		t.Fatalf("--dry-run wrote .github (%v)", err)
	}
	if !strings.Contains(out.String(), "would create .github/workflows/ci.yml") || !strings.Contains(out.String(), "+    uses: org/timetracker-ci/.github/workflows/ci-comprehensive.yml@v1.3.0") {
		t.Errorf("dry run output lacks the plan or the diff:\n%s", out.String())
	}
	out.Reset()
	if err := cmd.Run(context.Background(), env(dir, &out), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "create .github/dependabot.yml") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if err := cmd.Run(context.Background(), env(dir, &out), nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "create ") || strings.Count(out.String(), "unchanged ") != 7 { // six workflows and dependabot.yml
		t.Errorf("second run changed something:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	cmd := Command("dev")
	for _, args := range [][]string{{"--nope"}, {"extra"}, {"--dir", "no-such-folder"}, {"--ref", "a b"}} {
		if err := cmd.Run(context.Background(), env(t.TempDir(), io.Discard), args); !action.IsInputError(err) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

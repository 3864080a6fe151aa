// Package e2e runs the pipeline end to end under act (e2e/run.sh): the CI
// and release templates on this host, our actions as the real image, a
// loopback registry and the fake GitHub API. It takes minutes and needs
// Docker, act and docker-registry, so `go test ./...` skips it unless
// TT_E2E=1; CI runs `bash e2e/run.sh` as its own step.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEndToEnd(t *testing.T) {
	if os.Getenv("TT_E2E") != "1" {
		t.Skip("the end-to-end run takes minutes: set TT_E2E=1 to run it (or run bash e2e/run.sh)")
	}
	var missing []string
	for _, tool := range []string{"bash", "docker", "docker-registry", "git", "curl", "jq", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"act", "crane"} {
		if _, err := os.Stat(filepath.Join(root, ".tools", "bin", tool)); err != nil {
			if _, err := exec.LookPath(tool); err != nil {
				missing = append(missing, tool+" (bash scripts/install-deps.sh)")
			}
		}
	}
	if len(missing) == 0 {
		if err := exec.Command("docker", "info").Run(); err != nil {
			missing = append(missing, "a running Docker engine")
		}
	}
	if len(missing) > 0 {
		t.Skipf("the end-to-end run needs %s", strings.Join(missing, ", "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "e2e", "run.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CI=true") // a missing prerequisite fails here instead of skipping
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("e2e/run.sh: %v (the checks that failed are listed at the end of the output)", err)
	}
	if !strings.Contains(string(out), "e2e: all checks passed") {
		t.Fatal("e2e/run.sh exited 0 without reporting that every check passed")
	}
}

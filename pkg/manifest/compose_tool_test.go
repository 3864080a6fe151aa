package manifest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A second, independent reader of the golden compose files: docker-compose
// (Debian's docker-compose, the v1 CLI the TimeTracker guide uses) must
// accept them with a .env beside them, as a user deploys them.
func TestGoldenComposeWithDockerCompose(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Skip("docker-compose is not installed (Debian package docker-compose)")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.yml"))
	yamls, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.yaml"))
	files = append(files, yamls...)
	n := 0 // compose files checked
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(data), "services:\n") && !strings.Contains(string(data), "\nservices:\n") {
			continue
		}
		n++
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		env := "SECRET_KEY=a-long-enough-secret-key\nPOSTGRES_PASSWORD=pw\nTZ=Europe/Brussels\n"
		if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(env), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-f", "docker-compose.yml", "config")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "COMPOSE_PROJECT_NAME=golden")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: docker-compose config: %v\n%s", f, err, out)
			continue
		}
		if !strings.Contains(string(out), "image: ghcr.io/org/timetracker@"+testDigest) {
			t.Errorf("%s: docker-compose does not see the pinned image:\n%s", f, out)
		}
	}
	if n < 4 { // builtin: production and dev; values: production; webapp: compose.yaml
		t.Fatalf("checked %d golden compose files, want at least 4", n)
	}
}

package rollback

import (
	"os"
	"path/filepath"
	"testing"
)

// The deployment files of the target release replace what is in
// deploy-dir: a symlink there (committed in a pull request) is replaced
// itself, never written through.
func TestWriteDeploymentNeverThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "docker-compose.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, ".rollback-deployment.json.tmp")); err != nil {
		t.Fatal(err)
	}
	names, err := writeDeployment(dir, []deployFile{{name: "docker-compose.yml", data: []byte("services: {}\n")}, {name: "deployment.json", data: []byte("{}")}})
	if err != nil || len(names) != 2 {
		t.Fatalf("%v %v", names, err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("wrote through a symlink: %q", b)
	}
	st, err := os.Lstat(filepath.Join(dir, "docker-compose.yml"))
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("docker-compose.yml is not the regular file written: %v %v", st, err)
	}
	if _, err := writeDeployment(dir, []deployFile{{name: "../escape.yml", data: []byte("x")}}); err == nil {
		t.Error("wrote ../escape.yml")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.yml")); err == nil {
		t.Error("a file was written outside deploy-dir")
	}
}

package initrepo

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// init reads and writes the repository through a jail: a file symlinked
// out of it is neither read into the facts nor written through.
func TestInitThroughTheJail(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "python-version")
	if err := os.WriteFile(secret, []byte("3.99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, ".python-version")); err != nil {
		t.Fatal(err)
	}
	f, err := Detect(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if f.PythonVersion == "3.99" || f.PythonFrom == ".python-version" {
		t.Errorf("read %s from a file outside the repository", f.PythonVersion)
	}
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".github", "workflows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(root, ".github", "workflows", "ci.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	for _, file := range []File{{Path: ".github/workflows/ci.yml", Content: []byte("x")}, {Path: "out/new.yml", Content: []byte("x")}} {
		for _, force := range []bool{false, true} {
			if _, err := Apply(context.Background(), root, []File{file}, ApplyOptions{Force: force}); err == nil {
				t.Errorf("Apply %s (force %v): no error", file.Path, force)
			}
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Error("wrote through a symlink")
	}
	if _, err := os.Stat(filepath.Join(outside, "new.yml")); err == nil {
		t.Error("wrote through a symlinked folder")
	}
}

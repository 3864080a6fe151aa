package testreport

import (
	"os"
	"path/filepath"
	"testing"
)

// A go.mod or a source file symlinked out of the root is not read for
// coverage path mapping: its content (a module line) cannot reach paths.
func TestRepoPathsLookOnlyInsideTheRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "go.mod"), []byte("module CANARY-secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "app.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "go.mod"), filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "app.py"), filepath.Join(root, "app.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "inside.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p := RepoPaths(root, root)
	if p.Module != "" {
		t.Errorf("module %q read through a symlink out of the root", p.Module)
	}
	if p.Exists("app.py") {
		t.Error("a source symlinked out of the root was found")
	}
	if !p.Exists("inside.py") {
		t.Error("a source inside the root was not found")
	}
	if err := os.Remove(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := RepoPaths(root, root); p.Module != "example.com/app" {
		t.Errorf("module %q, want example.com/app", p.Module)
	}
}

package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostile builds a workspace the way a pull request could: symlinks to the
// process environment, out of the workspace, to devices, and a FIFO.
func hostile(t *testing.T) (ws *Workspace, dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "ws")
	outside = filepath.Join(base, "outside")
	for _, d := range []string{dir, outside, filepath.Join(dir, "dist"), filepath.Join(dir, "test-results")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "NOTES.md"), "release notes\n")
	write(filepath.Join(dir, "dist", "app.tar.gz"), "binary")
	write(filepath.Join(outside, "secret.txt"), "SECRET")
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("/proc/self/environ", "dist/env.txt")
	link("/proc/self/environ", "ENV.md")
	link("/dev/zero", "zero")
	link(outside, "outlink")
	link("../../outside/secret.txt", "dist/secret.txt")
	link("NOTES.md", "notes-link.md") // stays inside: allowed
	if err := syscall.Mkfifo(filepath.Join(dir, "test-results", "junit-fifo-1.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, dir, outside
}

func TestWorkspaceReadRefusesWhatLeavesTheJail(t *testing.T) {
	ws, dir, outside := hostile(t)
	for _, tc := range []struct{ path, want string }{
		{"ENV.md", "outside the workspace"},
		{"dist/env.txt", "outside the workspace"},
		{"dist/secret.txt", "outside the workspace"},
		{"outlink/secret.txt", "outside the workspace"},
		{"../outside/secret.txt", "outside the workspace"},
		{filepath.Join(outside, "secret.txt"), "outside the workspace"},
		{"/proc/self/environ", "outside the workspace"},
		{"/etc/shadow", "outside the workspace"},
		{"zero", "outside the workspace"},
		{"test-results/junit-fifo-1.xml", "not a regular file (a FIFO)"},
		{"dist", "is a directory"},
		{"missing.md", "does not exist"},
		{"a\nb", "line break"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			done := make(chan struct{})
			var data []byte
			var err error
			go func() { data, err = ws.ReadFile("body-file", tc.path, KindText); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("read hung")
			}
			if err == nil {
				t.Fatalf("read %q = %q, want a refusal", tc.path, data)
			}
			if !isPathError(err) {
				t.Errorf("refusal is not bad input (exit 2): %v", err)
			}
			var pe *PathError
			if !errors.As(err, &pe) || pe.Input != "body-file" {
				t.Errorf("refusal does not name the input: %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, `"body-file"`) || !strings.Contains(msg, tc.want) {
				t.Errorf("refusal %q: want the input and %q", msg, tc.want)
			}
			if strings.Contains(msg, "SECRET") || strings.Contains(msg, "PATH=") {
				t.Errorf("refusal leaks content: %q", msg)
			}
		})
	}
	// Inside, absolute or through a symlink that stays inside: allowed.
	for _, p := range []string{"NOTES.md", "./NOTES.md", "notes-link.md", filepath.Join(dir, "NOTES.md"), "dist/../NOTES.md"} {
		if b, err := ws.ReadFile("body-file", p, KindText); err != nil || string(b) != "release notes\n" {
			t.Errorf("read %q = %q, %v", p, b, err)
		}
	}
}

func TestWorkspaceSizeCaps(t *testing.T) {
	ws, dir, _ := hostile(t)
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	small := Kind{Name: "test file", Max: 1024}
	_, err := ws.ReadFile("version-file", "big", small)
	if err == nil || !strings.Contains(err.Error(), "over the 1024-byte limit") {
		t.Fatalf("over the cap: %v", err)
	}
	if b, err := ws.ReadFile("version-file", "big", Kind{Name: "x", Max: 2048}); err != nil || len(b) != 2048 {
		t.Fatalf("at the cap: %d, %v", len(b), err)
	}
	// A stream refuses to go past the cap even if the file grows after open.
	f, err := ws.Open("results", "big", Kind{Name: "x", Max: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 8192)
	n, err := readFull(f.Reader(Kind{Name: "x", Max: 100}), buf)
	if !errors.Is(err, errOverCap) || n > 101 {
		t.Fatalf("stream past cap: n=%d err=%v", n, err)
	}
}

func readFull(r interface{ Read([]byte) (int, error) }, b []byte) (int, error) {
	total := 0
	for total < len(b) {
		n, err := r.Read(b[total:])
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func TestReadRunnerFileRefusesSpecialFiles(t *testing.T) {
	for _, p := range []string{"/dev/zero", "/proc/self/environ"} {
		done := make(chan error, 1)
		go func() { _, err := ReadRunnerFile("GITHUB_EVENT_PATH", p, KindConfig); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
				t.Errorf("%s: %v, want a refusal naming the variable", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: read did not stop", p)
		}
	}
}

func TestWorkspaceWriteNeverThroughASymlink(t *testing.T) {
	ws, dir, outside := hostile(t)
	target := filepath.Join(outside, "timings.json")
	if err := os.WriteFile(target, []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "test-results", "timings.json")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"test-results/timings.json",     // a symlink to a file outside
		"outlink/deploy.yml",            // into a symlinked folder outside
		"../outside/x",                  // ../
		filepath.Join(outside, "y"),     // absolute outside
		"test-results/junit-fifo-1.xml", // a FIFO: never opened for writing
		"notes-link.md",                 // a symlink even inside
	} {
		err := ws.WriteFile("timings-file", p, []byte("overwritten"), 0o644)
		if err == nil || !isPathError(err) || !strings.Contains(err.Error(), `"timings-file"`) {
			t.Errorf("write %q: %v, want a refusal naming the input", p, err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "original" {
		t.Errorf("file outside was overwritten: %q", b)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 2 {
		t.Errorf("outside now holds %d entries, want 2 (secret.txt, timings.json)", len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "NOTES.md")); string(b) != "release notes\n" {
		t.Errorf("symlink target inside was written through: %q", b)
	}
	if err := ws.WriteFile("output-dir", "deploy/sub/app.yml", []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "deploy", "sub", "app.yml")); string(b) != "ok" {
		t.Errorf("write inside: %q", b)
	}
}

func TestWorkspaceGlobStaysInside(t *testing.T) {
	ws, _, _ := hostile(t)
	m, err := ws.Glob("assets", "outlink/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 0 {
		t.Errorf("glob through a symlinked folder out of the workspace matched %v", m)
	}
	if _, err := ws.Glob("assets", "../outside/*"); err == nil {
		t.Error("glob with ../ accepted")
	}
	m, err = ws.Glob("assets", "dist/*")
	if err != nil {
		t.Fatal(err)
	}
	// Names are listed; reading each one goes through the jail and refuses the symlinks.
	var read []string
	for _, p := range m {
		if _, err := ws.ReadFile("assets", p, KindAsset); err == nil {
			read = append(read, p)
		}
	}
	if strings.Join(read, ",") != "dist/app.tar.gz" {
		t.Errorf("readable matches %v, want only dist/app.tar.gz", read)
	}
}

func TestWorkspaceSub(t *testing.T) {
	ws, _, _ := hostile(t)
	for _, p := range []string{"../outside", "outlink", "/tmp"} {
		if _, err := ws.Sub("working-directory", p); err == nil {
			t.Errorf("Sub(%q) accepted", p)
		}
	}
	sub, err := ws.Sub("working-directory", "dist")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := sub.ReadFile("x", "../NOTES.md", KindText); err == nil {
		t.Error("sub jail read its parent")
	}
	if b, err := sub.ReadFile("x", "app.tar.gz", KindText); err != nil || string(b) != "binary" {
		t.Errorf("read in sub: %q %v", b, err)
	}
}

func FuzzWorkspaceRel(f *testing.F) {
	for _, s := range []string{"a", "../a", "/etc/passwd", "a/../../b", "./a//b/", "a\x00", "..", ".", "a/..", `..\a`, "dist/*"} {
		f.Add(s)
	}
	dir := f.TempDir()
	ws, err := Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		rel, err := ws.Rel("path", p)
		if err != nil {
			if !isPathError(err) {
				t.Fatalf("refusal is not bad input: %v", err)
			}
			return
		}
		if rel != "." && !filepath.IsLocal(filepath.FromSlash(rel)) {
			t.Fatalf("Rel(%q) = %q leaves the workspace", p, rel)
		}
		abs := ws.Abs(rel)
		if abs != dir && !strings.HasPrefix(abs, dir+string(filepath.Separator)) {
			t.Fatalf("Abs(Rel(%q)) = %q is outside %q", p, abs, dir)
		}
	})
}

func isPathError(err error) bool {
	var pe *PathError
	return errors.As(err, &pe)
}

func TestReadFSRefusesSpecialFiles(t *testing.T) {
	ws, _, _ := hostile(t)
	fsys := ws.ReadFS("templates", KindConfig)
	done := make(chan error, 1)
	go func() { _, err := fs.ReadFile(fsys, "test-results/junit-fifo-1.xml"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "FIFO") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO through ReadFS hung")
	}
	if _, err := fs.ReadFile(fsys, "ENV.md"); err == nil {
		t.Error("read a symlink out of the workspace")
	}
	if b, err := fs.ReadFile(fsys, "NOTES.md"); err != nil || string(b) != "release notes\n" {
		t.Errorf("NOTES.md: %q %v", b, err)
	}
	if es, err := fs.ReadDir(fsys, "dist"); err != nil || len(es) == 0 {
		t.Errorf("ReadDir: %v %v", es, err)
	}
}

// FuzzWorkspaceFileKinds puts one entry of a fuzzed name and kind (regular
// file, symlink out, symlink to /proc, FIFO, directory) in a workspace and
// reads it: a read never hangs, never returns bytes from outside, and every
// refusal is a *PathError naming the input.
func FuzzWorkspaceFileKinds(f *testing.F) {
	for i, s := range []string{"a.txt", "dist/env.txt", "-x", "a::b", "..x", "fifo.xml"} {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, name string, kind uint8) {
		if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\x00\\") || len(name) > 100 {
			return
		}
		base := t.TempDir()
		dir, outside := filepath.Join(base, "ws"), filepath.Join(base, "out")
		os.MkdirAll(dir, 0o755)
		os.MkdirAll(outside, 0o755)
		os.WriteFile(filepath.Join(outside, "secret"), []byte("SECRET"), 0o644)
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return
		}
		var err error
		switch kind % 5 {
		case 0:
			err = os.WriteFile(p, []byte("inside"), 0o644)
		case 1:
			err = os.Symlink(filepath.Join(outside, "secret"), p)
		case 2:
			err = os.Symlink("/proc/self/environ", p)
		case 3:
			err = syscall.Mkfifo(p, 0o644)
		case 4:
			err = os.Mkdir(p, 0o755)
		}
		if err != nil {
			return
		}
		ws, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		done := make(chan struct{})
		var data []byte
		go func() { data, err = ws.ReadFile("in", name, KindText); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("reading %q (kind %d) hung", name, kind%5)
		}
		if err != nil {
			var pe *PathError
			if !errors.As(err, &pe) || pe.Input != "in" {
				t.Fatalf("refusal %v is not a PathError naming the input", err)
			}
			return
		}
		if kind%5 != 0 || string(data) != "inside" {
			t.Fatalf("read %q (kind %d) = %q", name, kind%5, data)
		}
	})
}

// ReadDir lists only folders inside the workspace, and lists a symlink as
// a symlink; Remove removes a link itself, never its target, and nothing
// outside.
func TestWorkspaceReadDirAndRemove(t *testing.T) {
	ws, dir, outside := hostile(t)
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"out", "../outside", outside, "NOTES.md"} {
		if _, err := ws.ReadDir("results-dir", p); err == nil {
			t.Errorf("ReadDir(%q) listed", p)
		} else if !strings.Contains(err.Error(), `input "results-dir"`) {
			t.Errorf("ReadDir(%q): %v does not name the input", p, err)
		}
	}
	es, err := ws.ReadDir("results-dir", "dist")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name() == "env.txt" && e.Type()&fs.ModeSymlink == 0 {
			t.Error("a symlink was listed as a file")
		}
	}
	for _, p := range []string{"out/secret.txt", "../outside/secret.txt", filepath.Join(outside, "secret.txt"), "."} {
		if err := ws.Remove("results-dir", p); err == nil {
			t.Errorf("Remove(%q) removed", p)
		}
	}
	if err := ws.Remove("results-dir", "dist/env.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "dist", "env.txt")); err == nil {
		t.Error("the link stayed")
	}
	if _, err := os.Stat(filepath.Join(outside, "secret.txt")); err != nil {
		t.Error("a file outside was removed")
	}
}

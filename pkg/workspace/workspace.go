// Package workspace is the jail every action reads and writes user-named
// paths through. See Workspace.
package workspace

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Kind is what a file read through the workspace is for; it sets how much
// of it may be read, so a hostile file cannot exhaust memory.
type Kind struct {
	Name string // "release body", for messages
	Max  int64  // bytes
}

// Size caps by kind of file. A file over its cap is refused, not cut.
var (
	// KindText is a small text a person wrote: a release body, a version file.
	KindText = Kind{Name: "text file", Max: 1 << 20}
	// KindConfig is configuration: tiers, templates, timings, test sources scanned for markers.
	KindConfig = Kind{Name: "configuration file", Max: 8 << 20}
	// KindReport is a machine-written report (JUnit, Cobertura, go test -json), parsed as a stream
	// in bounded memory, so the cap bounds only the time spent: a suite of 10 million tests
	// writes about 2 GB of JUnit XML.
	KindReport = Kind{Name: "report", Max: 16 << 30}
	// KindEvent is the webhook payload the runner writes (GITHUB_EVENT_PATH).
	KindEvent = Kind{Name: "event payload", Max: 25 << 20}
	// KindPlan is a test plan written by test-plan (one entry per test file).
	KindPlan = Kind{Name: "plan file", Max: 64 << 20}
	// KindArchive is an image saved with docker save, read as a tarball.
	KindArchive = Kind{Name: "image archive", Max: 64 << 30}
	// KindAsset is a release asset; GitHub refuses assets of 2 GiB and more.
	KindAsset = Kind{Name: "release asset", Max: 2<<30 - 1}
)

// Workspace is the jail every action uses for a path a user gave: paths
// resolve inside the workspace after symlinks (through os.Root), only
// regular files are read, every read is capped by its Kind, nothing is
// written through a symlink, and every refusal names the input and the path.
//
// A pull request can add any file, symlinks included, and the release job
// runs after merge with a write token: a symlink to /proc/self/environ must
// reach no output, asset, body, annotation or summary.
type Workspace struct {
	dir  string // absolute, as given
	real string // dir with symlinks evaluated, to recognise absolute paths inside
	root *os.Root
}

// OpenWorkspace opens dir as a jail.
func Open(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open the workspace %s: %w", abs, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	return &Workspace{dir: abs, real: real, root: root}, nil
}

// Close releases the workspace's directory handle.
func (w *Workspace) Close() error { return w.root.Close() }

// Dir is the workspace's absolute path, for tools run inside it.
func (w *Workspace) Dir() string { return w.dir }

// Abs is the absolute path of a workspace-relative path (from Rel), for
// arguments to tools run in the workspace.
func (w *Workspace) Abs(rel string) string {
	return filepath.Join(w.dir, filepath.FromSlash(rel))
}

// PathError is a path refused by the jail: bad input, so an action exits 2
// and changes nothing (pkg/action maps it).
type PathError struct {
	Input, Path, Reason string
	Err                 error
}

func (e *PathError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Path, e.Reason)
	if e.Input != "" {
		msg = fmt.Sprintf("input %q: %s", e.Input, msg)
	}
	return msg
}

func (e *PathError) Unwrap() error { return e.Err }

func refuse(input, p, reason string, err error) error {
	return &PathError{Input: input, Path: p, Reason: reason, Err: err}
}

// Rel turns a path a user gave (relative to the workspace, or absolute
// inside it) into a clean slash-separated workspace-relative path, "." for
// the workspace itself. It refuses, lexically, what can only be outside;
// symlinks are checked when the path is opened.
func (w *Workspace) Rel(input, p string) (string, error) {
	if p == "" {
		return "", refuse(input, p, "is empty: give a path inside the workspace", nil)
	}
	if strings.ContainsAny(p, "\x00\r\n") {
		return "", refuse(input, strings.NewReplacer("\r", `\r`, "\n", `\n`, "\x00", `\0`).Replace(p),
			"contains a line break or NUL: give a path inside the workspace", nil)
	}
	native := filepath.FromSlash(p)
	if filepath.IsAbs(native) {
		rel := ""
		for _, base := range []string{w.dir, w.real} {
			if r, err := filepath.Rel(base, filepath.Clean(native)); err == nil && (r == "." || filepath.IsLocal(r)) {
				rel = r
				break
			}
		}
		if rel == "" {
			return "", refuse(input, p, "is outside the workspace "+w.dir+": give a path inside it", nil)
		}
		native = rel
	}
	clean := filepath.Clean(native)
	if clean != "." && !filepath.IsLocal(clean) {
		return "", refuse(input, p, "leads outside the workspace: give a path inside it, without ../", nil)
	}
	return filepath.ToSlash(clean), nil
}

// explain turns an os.Root error into a refusal a user can act on.
func explain(input, p string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refuse(input, p, "does not exist in the workspace", err)
	case isEscape(err):
		return refuse(input, p, "resolves outside the workspace (through a symlink or ..): only files inside it are read or written", err)
	case errors.Is(err, syscall.ELOOP):
		return refuse(input, p, "is a symlink loop", err)
	}
	return refuse(input, p, "cannot be opened: "+rootErrText(err), err)
}

// isEscape recognises os.Root's refusal of a path leaving the root; Go
// exports no sentinel for it.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

func rootErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// open opens a regular file for reading. O_NONBLOCK makes opening a FIFO
// return at once instead of waiting for a writer; Fstat then refuses
// anything but a regular file before a byte is read.
func (w *Workspace) open(input, p string, k Kind) (*os.File, int64, string, error) {
	rel, err := w.Rel(input, p)
	if err != nil {
		return nil, 0, "", err
	}
	f, err := w.root.OpenFile(filepath.FromSlash(rel), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, "", explain(input, p, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, "", explain(input, p, err)
	}
	if err := checkRegular(f, st, k); err != nil {
		f.Close()
		return nil, 0, "", refuse(input, p, err.Error(), nil)
	}
	return f, st.Size(), rel, nil
}

func checkRegular(f *os.File, st fs.FileInfo, k Kind) error {
	if st.IsDir() {
		return fmt.Errorf("is a directory, not a %s", k.Name)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("is not a regular file (%s): only regular files are read", fileType(st.Mode()))
	}
	if pseudoFS(f) {
		return errors.New("is on a kernel pseudo file system (/proc, /sys): refused")
	}
	if k.Max > 0 && st.Size() > k.Max {
		return fmt.Errorf("is %d bytes, over the %d-byte limit for a %s", st.Size(), k.Max, k.Name)
	}
	return nil
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return m.Type().String()
}

// ReadFile reads a regular file inside the workspace, refusing it over k.Max.
func (w *Workspace) ReadFile(input, p string, k Kind) ([]byte, error) {
	f, size, _, err := w.open(input, p, k)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, size, k, func(reason string) error { return refuse(input, p, reason, nil) })
}

func readCapped(r io.Reader, size int64, k Kind, fail func(string) error) ([]byte, error) {
	buf := make([]byte, 0, min(size, k.Max)+512)
	buf, err := readAllInto(buf, &capReader{r: r, left: k.Max})
	if errors.Is(err, errOverCap) {
		return nil, fail(fmt.Sprintf("grew over the %d-byte limit for a %s while being read", k.Max, k.Name))
	}
	if err != nil {
		return nil, fail("cannot be read: " + err.Error())
	}
	return buf, nil
}

func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

var errOverCap = errors.New("over the size limit")

// capReader fails, rather than truncates, a file larger than its cap
// (files in /proc report size 0 and a file can grow after Fstat).
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errOverCap
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errOverCap
	}
	return n, err
}

// File is a regular file opened for reading through the workspace.
type File struct {
	*os.File
	Rel  string // workspace-relative, slash-separated
	Size int64  // at open time
}

// Open opens a regular file for a streaming read; reads past k.Max fail.
func (w *Workspace) Open(input, p string, k Kind) (*File, error) {
	f, size, rel, err := w.open(input, p, k)
	if err != nil {
		return nil, err
	}
	return &File{File: f, Rel: rel, Size: size}, nil
}

// Reader returns the file's content as a stream that fails past the cap.
func (f *File) Reader(k Kind) io.Reader { return &capReader{r: f.File, left: k.Max} }

// Stat describes a path inside the workspace, following symlinks that stay inside.
func (w *Workspace) Stat(input, p string) (fs.FileInfo, error) {
	rel, err := w.Rel(input, p)
	if err != nil {
		return nil, err
	}
	st, err := w.root.Stat(filepath.FromSlash(rel))
	if err != nil {
		return nil, explain(input, p, err)
	}
	return st, nil
}

// ReadDir lists a directory inside the workspace (after symlinks that
// stay inside), sorted by name. Entries are not followed: a symlink in it
// is listed as a symlink.
func (w *Workspace) ReadDir(input, p string) ([]fs.DirEntry, error) {
	rel, err := w.Rel(input, p)
	if err != nil {
		return nil, err
	}
	es, err := fs.ReadDir(w.root.FS(), rel)
	if err != nil {
		return nil, explain(input, p, err)
	}
	return es, nil
}

// Remove removes a file inside the workspace; a symlink is removed itself,
// never what it points to.
func (w *Workspace) Remove(input, p string) error {
	rel, err := w.Rel(input, p)
	if err != nil {
		return err
	}
	if rel == "." {
		return refuse(input, p, "is the workspace itself, not a file", nil)
	}
	if err := w.root.Remove(filepath.FromSlash(rel)); err != nil {
		return explain(input, p, err)
	}
	return nil
}

// Exists reports whether p is inside the workspace and exists (after symlinks).
func (w *Workspace) Exists(p string) bool {
	_, err := w.Stat("", p)
	return err == nil
}

// FS is the workspace as an fs.FS for walking and globbing; symlinks that
// leave the workspace fail to open. Read files with ReadFile or Open, which
// also refuse special files and cap sizes.
func (w *Workspace) FS() fs.FS { return w.root.FS() }

// Glob matches a slash-separated pattern (path.Match syntax) inside the
// workspace; directories reached through a symlink out of it are not
// listed. Matches are workspace-relative.
func (w *Workspace) Glob(input, pattern string) ([]string, error) {
	rel, err := w.Rel(input, pattern)
	if err != nil {
		return nil, err
	}
	if _, err := path.Match(rel, ""); err != nil {
		return nil, refuse(input, pattern, "is not a valid glob pattern: "+err.Error(), err)
	}
	m, err := fs.Glob(w.root.FS(), rel)
	if err != nil {
		return nil, refuse(input, pattern, "cannot be matched: "+err.Error(), err)
	}
	return m, nil
}

// Sub is the jail rooted at a directory inside this one (a working-directory input).
func (w *Workspace) Sub(input, p string) (*Workspace, error) {
	rel, err := w.Rel(input, p)
	if err != nil {
		return nil, err
	}
	if rel == "." {
		return Open(w.dir)
	}
	r, err := w.root.OpenRoot(filepath.FromSlash(rel))
	if err != nil {
		return nil, explain(input, p, err)
	}
	r.Close()
	return Open(filepath.Join(w.dir, filepath.FromSlash(rel)))
}

// MkdirAll creates a directory (and parents) inside the workspace.
func (w *Workspace) MkdirAll(input, p string) (string, error) {
	rel, err := w.Rel(input, p)
	if err != nil {
		return "", err
	}
	if rel == "." {
		return rel, nil
	}
	if err := w.root.MkdirAll(filepath.FromSlash(rel), 0o755); err != nil {
		return "", explain(input, p, err)
	}
	return rel, nil
}

// WriteFile writes a file inside the workspace, creating its directory. It
// never writes through a symlink: an existing symlink or special file at p
// is refused, and the content goes to a temporary file renamed over p, so
// a half-written file is never seen either.
func (w *Workspace) WriteFile(input, p string, data []byte, perm fs.FileMode) error {
	rel, err := w.Rel(input, p)
	if err != nil {
		return err
	}
	if rel == "." {
		return refuse(input, p, "is the workspace itself, not a file", nil)
	}
	native := filepath.FromSlash(rel)
	if dir := filepath.Dir(native); dir != "." {
		if err := w.root.MkdirAll(dir, 0o755); err != nil {
			return explain(input, p, err)
		}
	}
	if st, err := w.root.Lstat(native); err == nil {
		if st.Mode()&fs.ModeSymlink != 0 {
			return refuse(input, p, "is a symlink: refusing to write through it", nil)
		}
		if !st.Mode().IsRegular() {
			return refuse(input, p, "exists and is not a regular file ("+fileType(st.Mode())+"): refusing to write", nil)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return explain(input, p, err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	tmp := filepath.Join(filepath.Dir(native), "."+filepath.Base(native)+"."+hex.EncodeToString(rnd[:])+".tmp")
	f, err := w.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return explain(input, p, err)
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Close()); err != nil {
		w.root.Remove(tmp)
		return fmt.Errorf("write %s in the workspace: %w", rel, err)
	}
	if err := w.root.Rename(tmp, native); err != nil {
		w.root.Remove(tmp)
		return explain(input, p, err)
	}
	return nil
}

// ReadRunnerFile reads a file the runner names (GITHUB_EVENT_PATH): it
// lies outside the workspace, but is still read only if regular and capped.
func ReadRunnerFile(variable, p string, k Kind) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", variable, p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", variable, p, err)
	}
	if err := checkRegular(f, st, k); err != nil {
		return nil, fmt.Errorf("%s=%s: %w", variable, p, err)
	}
	return readCapped(f, st.Size(), k, func(reason string) error {
		return fmt.Errorf("%s=%s: %s", variable, p, reason)
	})
}

// ReadFS is a folder of the workspace as an fs.FS for code that reads a
// tree (templates): directories list through os.Root, and every file is
// opened as ReadFile opens it (inside after symlinks, regular only, at
// most k.Max bytes at open), errors naming the input.
func (w *Workspace) ReadFS(input string, k Kind) fs.FS { return jailFS{w: w, input: input, k: k} }

type jailFS struct {
	w     *Workspace
	input string
	k     Kind
}

func (j jailFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if st, err := j.w.root.Stat(filepath.FromSlash(name)); err == nil && st.IsDir() {
		return j.w.root.FS().Open(name)
	}
	f, err := j.w.Open(j.input, name, j.k)
	if err != nil {
		return nil, err
	}
	return f.File, nil
}

func (j jailFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(j.w.root.FS(), name)
}

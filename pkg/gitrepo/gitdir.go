package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// discover finds the repository holding abs, walking up as git does: a
// directory with a `.git` directory, or a `.git` file (`gitdir: <path>`, as
// linked worktrees and submodules have), or a bare repository itself.
// workDir is empty for a bare repository.
func discover(abs string) (gitDir, workDir string, err error) {
	for dir := abs; ; {
		dotGit := filepath.Join(dir, ".git")
		if fi, err := os.Stat(dotGit); err == nil {
			switch {
			case fi.IsDir() && isGitDir(dotGit):
				return dotGit, dir, nil
			case fi.Mode().IsRegular():
				gd, err := readGitFile(dotGit)
				if err != nil {
					return "", "", err
				}
				if !isGitDir(gd) {
					return "", "", fmt.Errorf("%s points to %s, which is not a git directory: "+
						"check out the repository again: %w", dotGit, gd, ErrNoRepository)
				}
				return gd, dir, nil
			}
		}
		if isGitDir(dir) {
			return dir, "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", fmt.Errorf("%s: %w", abs, ErrNoRepository)
		}
		dir = parent
	}
}

// isGitDir reports whether dir holds HEAD and, in it or in its common
// directory, objects/ and refs/.
func isGitDir(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	common := commonDir(dir)
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(common, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// readGitFile reads a `.git` file: "gitdir: <path>", relative paths being
// relative to the file's directory.
func readGitFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	d, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	d = strings.TrimSpace(d)
	if !ok || d == "" {
		return "", fmt.Errorf("%s does not start with `gitdir: <path>`: check out the repository again: %w", path, ErrNoRepository)
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(filepath.Dir(path), d)
	}
	return filepath.Clean(d), nil
}

// readShallow reads the shallow list (one hash a line) git keeps in the
// common directory; a linked worktree's own git directory is checked too.
func readShallow(dirs ...string) (map[plumbing.Hash]bool, error) {
	out := map[plumbing.Hash]bool{}
	for i, dir := range dirs {
		if i > 0 && dir == dirs[0] {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "shallow"))
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		for _, line := range strings.Fields(string(data)) {
			if plumbing.IsHash(line) {
				out[plumbing.NewHash(line)] = true
			}
		}
	}
	return out, nil
}

// maxSymrefDepth bounds chains of symbolic refs (git's is 5).
const maxSymrefDepth = 10

var errRefNotFound = plumbing.ErrReferenceNotFound

// ref resolves a full ref name ("HEAD", "refs/heads/main") to the hash it
// finally names, following symbolic refs; name is the last ref of the chain
// (the branch HEAD is on). A missing ref (or an unborn branch) wraps
// plumbing.ErrReferenceNotFound.
func (r *Repo) ref(full string) (plumbing.Hash, string, error) {
	name := full
	for depth := 0; depth < maxSymrefDepth; depth++ {
		content, err := r.rawRef(name)
		if err != nil {
			return plumbing.ZeroHash, name, err
		}
		if target, ok := strings.CutPrefix(content, "ref:"); ok {
			name = strings.TrimSpace(target)
			continue
		}
		if h, _, _ := strings.Cut(content, "\t"); plumbing.IsHash(strings.TrimSpace(h)) {
			return plumbing.NewHash(strings.TrimSpace(h)), name, nil
		}
		return plumbing.ZeroHash, name, fmt.Errorf("ref %s holds %q, not a hash: %w", name, content, errBadObject)
	}
	return plumbing.ZeroHash, name, fmt.Errorf("ref %s: symbolic refs nested over %d levels: %w", full, maxSymrefDepth, errBadObject)
}

// validRefName rejects names that would read files outside the ref
// directories (the name comes from the user), and, as git does, names
// outside refs/ other than upper-case ones like HEAD and FETCH_HEAD: a
// branch called "config" must not read .git/config.
func validRefName(name string) bool {
	if !strings.HasPrefix(name, "refs/") {
		for _, c := range name {
			if !(c >= 'A' && c <= 'Z' || c == '_') {
				return false
			}
		}
	}
	if name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "..") ||
		strings.Contains(name, "//") || strings.ContainsAny(name, "\x00\\ \t\n:?*[") {
		return false
	}
	return true
}

// rawRef reads one ref: HEAD and the other pseudo refs from the git
// directory (per worktree), refs/... from loose files of the common
// directory, then packed-refs. It returns the file content, trimmed.
func (r *Repo) rawRef(name string) (string, error) {
	if !validRefName(name) {
		return "", fmt.Errorf("%s: %w", name, errRefNotFound)
	}
	dir := r.commonDir
	if !strings.HasPrefix(name, "refs/") || strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/bisect/") {
		dir = r.gitDir
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	switch {
	case err == nil:
		line, _, _ := strings.Cut(string(data), "\n")
		return strings.TrimSpace(line), nil
	case !os.IsNotExist(err) && !isDirError(err):
		return "", fmt.Errorf("read ref %s: %w", name, err)
	}
	if h, ok, err := r.packed.lookup(name); err != nil {
		return "", err
	} else if ok {
		return h, nil
	}
	return "", fmt.Errorf("%s: %w", name, errRefNotFound)
}

// isDirError tells reading a directory (a ref name that is a prefix of
// others) from other failures.
func isDirError(err error) bool {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if fi, serr := os.Stat(pe.Path); serr == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// packedRefs is packed-refs, mapped on first use and shared: the tag list
// reads all of it, a ref lookup (HEAD's branch after git gc) finds one line.
// Neither builds a map of every ref, which with 10,000 packed tags cost
// more than the lookup it served.
type packedRefs struct {
	path  string
	once  sync.Once
	data  []byte
	unmap func() error
	err   error
}

// bytes returns the file's content (nil when there is none); it stays
// valid until close.
func (p *packedRefs) bytes() ([]byte, error) {
	p.once.Do(func() {
		data, unmap, err := mapFile(p.path)
		switch {
		case err == nil:
			p.data, p.unmap = data, unmap
		case !os.IsNotExist(err):
			p.err = fmt.Errorf("read packed-refs: %w", err)
		}
	})
	return p.data, p.err
}

func (p *packedRefs) close() {
	if p.unmap != nil {
		p.unmap()
		p.data, p.unmap = nil, nil
	}
}

// lookup finds the line "<hash> <name>" (ref names hold no spaces, so the
// name after a space ends its line).
func (p *packedRefs) lookup(name string) (string, bool, error) {
	data, err := p.bytes()
	if err != nil {
		return "", false, err
	}
	needle := []byte(" " + name)
	for rest, at := data, 0; ; {
		i := bytes.Index(rest, needle)
		if i < 0 {
			return "", false, nil
		}
		start, end := at+i, at+i+len(needle)
		rest, at = data[end:], end
		if end < len(data) && data[end] != '\n' && data[end] != '\r' {
			continue // a longer name
		}
		lineStart := bytes.LastIndexByte(data[:start], '\n') + 1
		if h := data[lineStart:start]; len(h) > 0 && h[0] != '#' && h[0] != '^' && plumbing.IsHash(string(h)) {
			return string(h), true, nil
		}
	}
}

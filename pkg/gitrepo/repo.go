package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	cgformat "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
)

// ErrShallow is wrapped by every error caused by history a shallow clone lacks.
var ErrShallow = errors.New("the commit history is incomplete because the checkout is shallow: " +
	"check out with actions/checkout and `fetch-depth: 0` (or run `git fetch --unshallow --tags`)")

// ErrNoRepository is returned by Open when no repository contains the directory.
var ErrNoRepository = errors.New("no git repository found: run after actions/checkout, or run inside a clone")

// ErrNoCommits is returned when HEAD does not point at a commit yet.
var ErrNoCommits = errors.New("the repository has no commits yet: commit something first")

// Repo is an opened repository. It keeps the pack files open until Close;
// it is not safe for concurrent use.
type Repo struct {
	gitDir    string // holds HEAD (per worktree in linked worktrees)
	commonDir string // holds objects/, refs/ and packed-refs (differs from the git dir in linked worktrees)
	workDir   string
	shallow   map[plumbing.Hash]bool
	graph     cgformat.Index // nil without a commit-graph file
	objects   *objectReader
	packed    packedRefs
}

// Head is where HEAD points.
type Head struct {
	Hash   string // full commit hash
	Branch string // short branch name; empty when HEAD is detached
}

// Signature is a commit's author or committer.
type Signature struct {
	Name, Email string
	When        time.Time
}

// Commit is one commit, as CommitsBetween returns it.
type Commit struct {
	Hash      string
	Parents   []string
	Author    Signature
	Committer Signature
	Time      time.Time // the committer time, as git's %ct
	Message   string
}

// Open opens the repository containing dir (dir itself or any parent).
// Close it when done.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	gitDir, workDir, err := discover(abs)
	if err != nil {
		return nil, err
	}
	if workDir == "" {
		workDir = abs // a bare repository has no work tree
	}
	repo := &Repo{gitDir: gitDir, commonDir: commonDir(gitDir), workDir: workDir}
	repo.packed.path = filepath.Join(repo.commonDir, "packed-refs")
	if repo.shallow, err = readShallow(repo.commonDir, gitDir); err != nil {
		return nil, fmt.Errorf("read shallow list: %w", err)
	}
	repo.graph = openCommitGraph(repo.commonDir)
	repo.objects = newObjectReader(filepath.Join(repo.commonDir, "objects"))
	return repo, nil
}

// Close releases the open pack files.
func (r *Repo) Close() error {
	r.objects.close()
	r.packed.close()
	if r.graph != nil {
		r.graph.Close()
	}
	return nil
}

// commonDir follows a linked worktree's "commondir" file to the directory
// holding the shared objects and refs.
func commonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimSpace(string(data))
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return filepath.Clean(d)
}

// openCommitGraph loads the commit-graph git may have written, a single
// file or a chain of them; nil when there is none or it is unreadable (walks
// then read commit objects). Files are mapped because lookups through pread
// cost a syscall each, which dominates walks over 100,000 commits.
func openCommitGraph(dir string) cgformat.Index {
	info := filepath.Join(dir, "objects", "info")
	if idx, ok := openGraphFile(filepath.Join(info, "commit-graph"), nil); ok {
		return idx
	}
	chain, err := os.ReadFile(filepath.Join(info, "commit-graphs", "commit-graph-chain"))
	if err != nil {
		return nil
	}
	var idx cgformat.Index
	for _, h := range strings.Fields(string(chain)) {
		if !plumbing.IsHash(h) {
			break
		}
		next, ok := openGraphFile(filepath.Join(info, "commit-graphs", "graph-"+h+".graph"), idx)
		if !ok {
			if idx != nil {
				idx.Close()
			}
			return nil
		}
		idx = next
	}
	return idx
}

// openGraphFile maps one commit-graph file on top of parent (the older
// files of a chain).
func openGraphFile(path string, parent cgformat.Index) (cgformat.Index, bool) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, false
	}
	idx, err := cgformat.OpenFileIndexWithParent(memReader{Reader: bytes.NewReader(data), unmap: unmap}, parent)
	if err != nil {
		unmap()
		return nil, false
	}
	return idx, true
}

type memReader struct {
	*bytes.Reader
	unmap func() error
}

func (m memReader) Close() error { return m.unmap() }

// Dir is the top of the working tree.
func (r *Repo) Dir() string { return r.workDir }

// Shallow reports whether the clone is shallow (history cut off).
func (r *Repo) Shallow() bool { return len(r.shallow) > 0 }

// Head returns the commit HEAD points at and the branch, if any.
func (r *Repo) Head(ctx context.Context) (Head, error) {
	if err := ctx.Err(); err != nil {
		return Head{}, err
	}
	h, name, err := r.ref("HEAD")
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return Head{}, ErrNoCommits
		}
		return Head{}, fmt.Errorf("read HEAD: %w", err)
	}
	out := Head{Hash: h.String()}
	if b, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		out.Branch = b
	}
	return out, nil
}

// Resolve turns a revision (full or abbreviated hash, branch, tag, HEAD,
// `HEAD~2`...) into a full commit hash.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	h, err := r.resolve(ctx, rev)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

func (r *Repo) resolve(ctx context.Context, rev string) (plumbing.Hash, error) {
	if err := ctx.Err(); err != nil {
		return plumbing.ZeroHash, err
	}
	if len(rev) == 40 && plumbing.IsHash(rev) {
		h := plumbing.NewHash(rev)
		if _, _, err := r.node(h); err != nil {
			return plumbing.ZeroHash, r.missing(rev, err)
		}
		return h, nil
	}
	h, handled, err := r.resolveBounded(rev)
	if !handled {
		return plumbing.ZeroHash, fmt.Errorf("revision %q: unsupported syntax; use a commit hash (full or abbreviated), "+
			"a branch, a tag, HEAD, or one of those followed by ~N, ^N, ^{} or ^{commit}", rev)
	}
	if err != nil {
		return plumbing.ZeroHash, r.missing(rev, err)
	}
	return h, nil
}

// missing explains a revision that could not be read, pointing at the shallow
// clone when that is the likely cause.
func (r *Repo) missing(rev string, err error) error {
	if r.Shallow() {
		return fmt.Errorf("revision %q not found: %w", rev, ErrShallow)
	}
	if errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, plumbing.ErrReferenceNotFound) ||
		strings.Contains(err.Error(), "not found") {
		return fmt.Errorf("revision %q not found in the repository: check the name, "+
			"or fetch it (actions/checkout with `fetch-depth: 0` fetches every branch and tag)", rev)
	}
	return fmt.Errorf("resolve %q: %w", rev, err)
}

// CommitTime returns the committer time of a revision (git's %ct), in UTC.
func (r *Repo) CommitTime(ctx context.Context, rev string) (time.Time, error) {
	h, err := r.resolve(ctx, rev)
	if err != nil {
		return time.Time{}, err
	}
	ci, _, err := r.node(h)
	if err != nil {
		return time.Time{}, r.missing(rev, err)
	}
	return time.Unix(ci.time, 0).UTC(), nil
}

// noGeneration ranks commits the commit-graph does not know (newer than it)
// before those it does, as git does.
const noGeneration = math.MaxUint64

// node reads what a walk needs from a commit: from the commit-graph when it
// has the commit, else from the object.
func (r *Repo) node(h plumbing.Hash) (commitInfo, uint64, error) {
	return r.nodeWith(r.objects, h)
}

func (r *Repo) nodeWith(rd *objectReader, h plumbing.Hash) (commitInfo, uint64, error) {
	if r.graph != nil {
		if i, err := r.graph.GetIndexByHash(h); err == nil {
			if d, err := r.graph.GetCommitDataByIndex(i); err == nil {
				return commitInfo{parents: d.ParentHashes, time: d.When.Unix()}, d.Generation, nil
			}
		}
	}
	data, err := r.commitData(rd, h)
	if err != nil {
		return commitInfo{}, 0, err
	}
	ci, err := parseCommit(data)
	return ci, noGeneration, err
}

// commitData reads a commit object, its first maxCommitObject bytes.
func (r *Repo) commitData(rd *objectReader, h plumbing.Hash) ([]byte, error) {
	typ, data, err := rd.get(h, maxCommitObject, maxCommitObject)
	if err != nil {
		var big *objectTooLarge
		if errors.As(err, &big) {
			return nil, fmt.Errorf("commit %s is %d bytes, over the %d-byte limit for a commit object: rewrite its message shorter", h, big.size, maxCommitObject)
		}
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	if typ != plumbing.CommitObject {
		return nil, fmt.Errorf("%s is a %s, not a commit", h, typ)
	}
	return data, nil
}

// commit decodes a full commit object.
func (r *Repo) commit(h plumbing.Hash) (Commit, error) {
	data, err := r.commitData(r.objects, h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return Commit{}, r.missing(h.String(), err)
		}
		return Commit{}, err
	}
	c, err := decodeCommit(data)
	if err != nil {
		return Commit{}, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c.toCommit(h), nil
}

// maxCommitObject bounds how much of a commit is read: its headers and the
// start of its message. A pull request can carry a 400 MB message that packs
// to 1 MB; reading it whole made version and release use gigabytes. A
// longer message is cut here, which changes nothing a changelog or a
// version bump reads (the subject line and trailers fit many times over).
const maxCommitObject = 1 << 20

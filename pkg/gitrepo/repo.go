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
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	cgformat "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
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
	git       *git.Repository
	storage   *filesystem.Storage
	commonDir string // holds objects/, refs/ and packed-refs (differs from the git dir in linked worktrees)
	workDir   string
	shallow   map[plumbing.Hash]bool
	graph     cgformat.Index // nil without a commit-graph file
	objects   *objectReader
	// gitMu serialises go-git fallbacks when tags are peeled in parallel.
	gitMu sync.Mutex
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
	detected, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s: %w", abs, ErrNoRepository)
		}
		return nil, fmt.Errorf("open repository at %s: %w", abs, err)
	}
	st, ok := detected.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open repository at %s: unexpected storage %T", abs, detected.Storer)
	}
	// Reopen keeping pack descriptors: go-git otherwise reopens the pack for
	// every object it reads.
	storage := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true})
	repo := &Repo{storage: storage, workDir: abs}
	var wtfs billy.Filesystem
	if wt, err := detected.Worktree(); err == nil {
		wtfs = wt.Filesystem
		repo.workDir = wt.Filesystem.Root()
	}
	if repo.git, err = git.Open(storage, wtfs); err != nil {
		return nil, fmt.Errorf("open repository at %s: %w", abs, err)
	}
	repo.commonDir = commonDir(st.Filesystem().Root())
	shallow, err := storage.Shallow()
	if err != nil {
		storage.Close()
		return nil, fmt.Errorf("read shallow list: %w", err)
	}
	repo.shallow = make(map[plumbing.Hash]bool, len(shallow))
	for _, h := range shallow {
		repo.shallow[h] = true
	}
	repo.graph = openCommitGraph(repo.commonDir)
	repo.objects = newObjectReader(filepath.Join(repo.commonDir, "objects"))
	return repo, nil
}

// Close releases the open pack files.
func (r *Repo) Close() error {
	r.objects.close()
	if r.graph != nil {
		r.graph.Close()
	}
	return r.storage.Close()
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

// openCommitGraph loads the commit-graph git may have written; nil when there
// is none or it is unreadable (walks then read commit objects). A single
// graph file is mapped because lookups through pread cost a syscall each,
// which dominates walks over 100,000 commits.
func openCommitGraph(dir string) cgformat.Index {
	if data, unmap, err := mapFile(filepath.Join(dir, "objects", "info", "commit-graph")); err == nil {
		if idx, err := cgformat.OpenFileIndex(memReader{Reader: bytes.NewReader(data), unmap: unmap}); err == nil {
			return idx
		}
		unmap()
		return nil
	}
	idx, err := cgformat.OpenChainIndex(osfs.New(dir))
	if err != nil {
		return nil
	}
	return idx
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
	ref, err := r.git.Head()
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return Head{}, ErrNoCommits
		}
		return Head{}, fmt.Errorf("read HEAD: %w", err)
	}
	h := Head{Hash: ref.Hash().String()}
	if ref.Name().IsBranch() {
		h.Branch = ref.Name().Short()
	}
	return h, nil
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
	if h, handled, err := r.resolveBounded(rev); handled {
		if err != nil {
			return plumbing.ZeroHash, r.missing(rev, err)
		}
		return h, nil
	}
	r.gitMu.Lock()
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	r.gitMu.Unlock()
	if err != nil {
		return plumbing.ZeroHash, r.missing(rev, err)
	}
	return *h, nil
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
// has the commit, else from the object, else through go-git.
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
	if typ, data, ok := rd.readLimit(h, maxCommitObject); ok {
		if typ != plumbing.CommitObject {
			return commitInfo{}, 0, fmt.Errorf("%s is a %s, not a commit", h, typ)
		}
		ci, err := parseCommit(data)
		return ci, noGeneration, err
	}
	if err := r.checkCommitSize(h); err != nil {
		return commitInfo{}, 0, err
	}
	r.gitMu.Lock()
	c, err := r.git.CommitObject(h)
	r.gitMu.Unlock()
	if err != nil {
		return commitInfo{}, 0, err
	}
	return commitInfo{parents: c.ParentHashes, time: c.Committer.When.Unix()}, noGeneration, nil
}

// commit decodes a full commit object, read by the fast reader when it can:
// go-git's first object read loads and checksums its own copy of the pack
// index, which costs tens of milliseconds on a large repository.
func (r *Repo) commit(h plumbing.Hash) (*object.Commit, error) {
	if typ, data, ok := r.objects.readLimit(h, maxCommitObject); ok && typ == plumbing.CommitObject {
		obj := &plumbing.MemoryObject{}
		obj.SetType(plumbing.CommitObject)
		if _, err := obj.Write(data); err == nil {
			if c, err := object.DecodeCommit(r.git.Storer, obj); err == nil {
				return c, nil
			}
		}
	}
	if err := r.checkCommitSize(h); err != nil {
		return nil, err
	}
	c, err := r.git.CommitObject(h)
	if err != nil {
		return nil, r.missing(h.String(), err)
	}
	return c, nil
}

// maxCommitObject bounds how much of a commit is read: its headers and the
// start of its message. A pull request can carry a 400 MB message that packs
// to 1 MB; reading it whole made version and release use gigabytes. A
// longer message is cut here, which changes nothing a changelog or a
// version bump reads (the subject line and trailers fit many times over).
const maxCommitObject = 1 << 20

// checkCommitSize refuses, before go-git reads it whole, a commit the fast
// reader could not read within maxCommitObject (a deep delta, an odd pack).
func (r *Repo) checkCommitSize(h plumbing.Hash) error {
	sized, ok := r.git.Storer.(interface {
		EncodedObjectSize(plumbing.Hash) (int64, error)
	})
	if !ok {
		return nil
	}
	if n, err := sized.EncodedObjectSize(h); err == nil && n > maxCommitObject {
		return fmt.Errorf("commit %s is %d bytes, over the %d-byte limit for a commit object: rewrite its message shorter", h, n, maxCommitObject)
	}
	return nil
}

func toCommit(c *object.Commit) Commit {
	out := Commit{
		Hash:      c.Hash.String(),
		Author:    Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When},
		Committer: Signature{Name: c.Committer.Name, Email: c.Committer.Email, When: c.Committer.When},
		Time:      c.Committer.When.UTC(),
		Message:   c.Message,
	}
	for _, p := range c.ParentHashes {
		out.Parents = append(out.Parents, p.String())
	}
	return out
}

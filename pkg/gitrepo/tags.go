package gitrepo

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Tag is a tag peeled to the commit it names.
type Tag struct {
	Name      string // without refs/tags/
	Commit    string // the commit the tag names (peeled through annotated tags)
	Object    string // the hash the ref holds: the tag object for annotated tags, else the commit
	Annotated bool
	// Time is the tagger time of an annotated tag, else the commit's committer
	// time. Zero when the commit is missing from a shallow clone.
	Time time.Time
	// Message is the annotation of an annotated tag.
	Message string
}

// Tags lists every tag that names a commit, sorted by name. Tags naming trees
// or blobs are skipped. The list is read once and cached.
func (r *Repo) Tags(ctx context.Context) ([]Tag, error) {
	if r.tags != nil {
		return r.tags, nil
	}
	peeled := r.packedPeeled()
	iter, err := r.git.Storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	tags := make([]Tag, 0, 256)
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if !ref.Name().IsTag() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if ref.Type() == plumbing.SymbolicReference {
			resolved, err := storer.ResolveReference(r.git.Storer, ref.Name())
			if err != nil {
				return nil // a dangling symbolic tag names nothing
			}
			ref = plumbing.NewHashReference(ref.Name(), resolved.Hash())
		}
		t, ok, err := r.peel(ref, peeled)
		if err != nil {
			return err
		}
		if ok {
			tags = append(tags, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	r.tags = tags
	return tags, nil
}

// peel resolves one tag ref. Lightweight tags listed in packed-refs as peeled
// need no object read apart from the commit time.
func (r *Repo) peel(ref *plumbing.Reference, peeled packedRefs) (Tag, bool, error) {
	t := Tag{Name: ref.Name().Short(), Object: ref.Hash().String()}
	h := ref.Hash()
	if p, ok := peeled.refs[ref.Name().String()]; ok && p.hash == h && peeled.trusted {
		if p.peeled.IsZero() {
			// packed-refs says the ref names no tag object.
			t.Commit = h.String()
			t.Time = r.commitTime(h)
			return t, true, nil
		}
	}
	// Follow annotated tags (possibly nested) down to their target.
	for depth := 0; depth < 16; depth++ {
		obj, err := r.git.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			if r.Shallow() {
				return t, false, nil // the object was not fetched; nothing to peel
			}
			return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			t.Commit = h.String()
			if !t.Annotated {
				c, err := object.DecodeCommit(r.git.Storer, obj)
				if err != nil {
					return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
				}
				t.Time = c.Committer.When.UTC()
			}
			return t, true, nil
		case plumbing.TagObject:
			tag, err := object.DecodeTag(r.git.Storer, obj)
			if err != nil {
				return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
			}
			if !t.Annotated {
				t.Annotated = true
				t.Time = tag.Tagger.When.UTC()
				t.Message = tag.Message
			}
			h = tag.Target
		default:
			return t, false, nil
		}
	}
	return t, false, nil
}

func (r *Repo) commitTime(h plumbing.Hash) time.Time {
	n, err := r.nodes.Get(h)
	if err != nil {
		return time.Time{}
	}
	return n.CommitTime().UTC()
}

type packedRef struct{ hash, peeled plumbing.Hash }

type packedRefs struct {
	refs map[string]packedRef
	// trusted: git wrote the `peeled` trait, so a tag without a ^ line is
	// known not to be annotated.
	trusted bool
}

// packedPeeled reads the peeled values git records in packed-refs (go-git
// ignores them), saving an object read per tag.
func (r *Repo) packedPeeled() packedRefs {
	out := packedRefs{refs: map[string]packedRef{}}
	if r.gitDir == "" {
		return out
	}
	f, err := os.Open(filepath.Join(r.gitDir, "packed-refs"))
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	last := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# pack-refs with:"):
			traits := strings.Fields(strings.TrimPrefix(line, "# pack-refs with:"))
			for _, tr := range traits {
				if tr == "peeled" || tr == "fully-peeled" {
					out.trusted = true
				}
			}
		case strings.HasPrefix(line, "^"):
			if p, ok := out.refs[last]; ok && plumbing.IsHash(line[1:]) {
				p.peeled = plumbing.NewHash(line[1:])
				out.refs[last] = p
			}
		default:
			hash, name, ok := strings.Cut(line, " ")
			if !ok || !plumbing.IsHash(hash) || !strings.HasPrefix(name, "refs/tags/") {
				last = ""
				continue
			}
			out.refs[name] = packedRef{hash: plumbing.NewHash(hash)}
			last = name
		}
	}
	return out
}

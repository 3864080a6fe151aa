package gitrepo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Tag is a tag peeled to the commit it names.
type Tag struct {
	Name      string // without refs/tags/
	Commit    string // the commit the tag names (peeled through annotated tags)
	Object    string // the hash the ref holds: the tag object for annotated tags, else the commit
	Annotated bool
	// Time is the tagger time of an annotated tag, else the commit's committer
	// time, in UTC. Zero with PeelOnly.
	Time time.Time
	// Message is the annotation of an annotated tag. Empty with PeelOnly.
	Message string
}

// TagsOption tunes Tags.
type TagsOption func(*tagsOptions)

type tagsOptions struct{ peelOnly bool }

// PeelOnly makes Tags fill only Name, Commit, Object and Annotated, leaving
// Time and Message empty: tags that packed-refs already peeled then cost no
// object read, which matters with thousands of tags.
func PeelOnly() TagsOption { return func(o *tagsOptions) { o.peelOnly = true } }

// Tags lists every tag that names a commit, sorted by name. Tags naming trees
// or blobs, and tags whose objects a shallow clone lacks, are skipped.
func (r *Repo) Tags(ctx context.Context, opts ...TagsOption) ([]Tag, error) {
	var o tagsOptions
	for _, opt := range opts {
		opt(&o)
	}
	refs, err := r.tagRefs()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	tags := make([]Tag, 0, len(refs))
	for i, ref := range refs {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		t, ok, err := r.peel(ref, o.peelOnly)
		if err != nil {
			return nil, err
		}
		if ok {
			tags = append(tags, t)
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	return tags, nil
}

func (r *Repo) peel(ref tagRef, peelOnly bool) (Tag, bool, error) {
	t := Tag{Name: ref.name, Object: ref.hash.String()}
	if peelOnly && ref.known {
		t.Annotated = !ref.peeled.IsZero()
		t.Commit = ref.hash.String()
		if t.Annotated {
			t.Commit = ref.peeled.String()
		}
		return t, true, nil
	}
	h := ref.hash
	// Follow annotated tags (possibly nested) down to their target.
	for depth := 0; depth < 16; depth++ {
		typ, ok := r.objects.typeOf(h)
		var data []byte
		if !ok || typ == plumbing.TagObject {
			limit := int64(-1)
			if peelOnly {
				limit = int64(len("object ") + 41) // the target line is all peeling needs
			}
			var err error
			if typ, data, err = r.object(h, limit); err != nil {
				if r.Shallow() {
					return t, false, nil // not fetched: nothing to peel
				}
				return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
			}
		}
		switch typ {
		case plumbing.CommitObject:
			t.Commit = h.String()
			if !t.Annotated && !peelOnly {
				ci, _, err := r.node(h)
				if err != nil {
					return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
				}
				t.Time = time.Unix(ci.time, 0).UTC()
			}
			return t, true, nil
		case plumbing.TagObject:
			ti, err := parseTag(data)
			if err != nil {
				return t, false, fmt.Errorf("read tag %s: %w", t.Name, err)
			}
			if !t.Annotated {
				t.Annotated = true
				if !peelOnly {
					t.Time = time.Unix(ti.time, 0).UTC()
					t.Message = ti.message
				}
			}
			h = ti.target
		default:
			return t, false, nil
		}
	}
	return t, false, nil
}

// object reads an object (its first limit bytes when limit >= 0), through
// go-git when the fast reader cannot.
func (r *Repo) object(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	if typ, data, ok := r.objects.readLimit(h, limit); ok {
		return typ, data, nil
	}
	obj, err := r.git.Storer.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return 0, nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return 0, nil, err
	}
	defer rd.Close()
	data := make([]byte, obj.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		return 0, nil, err
	}
	return obj.Type(), data, nil
}

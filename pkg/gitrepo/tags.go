package gitrepo

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
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
// object read, which matters with thousands of tags. (The price: a packed
// lightweight tag naming a tree or blob is listed with that hash as Commit.)
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
	tags := make([]Tag, len(refs))
	keep := make([]bool, len(refs))
	// Reading loose ref files and inflating tag objects dominate with
	// thousands of tags; both parallelise.
	workers := min(runtime.GOMAXPROCS(0), 4, (len(refs)+1023)/1024)
	errs := make([]error, max(workers, 1))
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		rd := r.objects
		if w > 0 {
			rd = r.objects.clone()
		}
		lo, hi := w*len(refs)/max(workers, 1), (w+1)*len(refs)/max(workers, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 512)
			for i := lo; i < hi; i++ {
				if (i-lo)%1024 == 0 {
					if errs[w] = ctx.Err(); errs[w] != nil {
						return
					}
				}
				ref := &refs[i]
				if ref.path != "" {
					ok, err := r.resolveLoose(ref, buf)
					if errs[w] = err; err != nil {
						return
					}
					if !ok {
						continue
					}
				}
				tags[i], keep[i], errs[w] = r.peel(rd, *ref, o.peelOnly)
				if errs[w] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := tags[:0]
	for i, t := range tags {
		if keep[i] {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (r *Repo) peel(rd *objectReader, ref tagRef, peelOnly bool) (Tag, bool, error) {
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
		typ, ok := rd.typeOf(h)
		var data []byte
		if !ok || typ == plumbing.TagObject {
			limit := int64(-1)
			if peelOnly {
				limit = int64(len("object ") + 41) // the target line is all peeling needs
			}
			var err error
			if typ, data, err = r.object(rd, h, limit); err != nil {
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
				ci, _, err := r.nodeWith(rd, h)
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

// object reads an object (its first limit bytes when limit >= 0).
func (r *Repo) object(rd *objectReader, h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	return rd.get(h, limit, maxBigObject)
}

package gitrepo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/internal/lazyre"

	"github.com/go-git/go-git/v5/plumbing"
)

// A revision is a name (ref, tag or hash, full or abbreviated) followed by
// ~N and ^N steps and optionally ^{} or ^{commit}: the revisions the actions
// pass (tags, branches, event hashes, HEAD~N). Each step reads only the
// commit's parents, through the bounded object reader: one commit with a
// 400 MB message, which a pull request can carry, must not cost gigabytes.
// Other git syntax (@{...}, :/text, ^{tree}) is refused with an error naming
// what is accepted.
var (
	revStepRe = lazyre.New(`^([~^])([0-9]*)`)
	revNameRe = lazyre.New(`^[^~^:@{}\s\\]+`)
)

// revStep is one ~N (first parent, N times) or ^N (the N-th parent) step.
type revStep struct {
	tilde bool
	n     int
}

// parseRevision splits rev into a name and its steps; ok is false for any
// other revision syntax (^{type}, @{...}, :/text). A trailing peel suffix is
// stripped by resolveBounded before.
func parseRevision(rev string) (name string, steps []revStep, ok bool) {
	name = revNameRe.FindString(rev)
	if name == "" {
		return "", nil, false
	}
	rest := rev[len(name):]
	for rest != "" {
		m := revStepRe.FindStringSubmatch(rest)
		if m == nil {
			return "", nil, false
		}
		n := 1
		if m[2] != "" {
			v, err := strconv.Atoi(m[2])
			if err != nil || v > 1<<20 {
				return "", nil, false
			}
			n = v
		}
		steps = append(steps, revStep{tilde: m[1] == "~", n: n})
		rest = rest[len(m[0]):]
	}
	return name, steps, true
}

var errNotCommit = errors.New("not a commit")

// resolveBounded resolves name and walks steps; handled is false when
// the revision is not of that form.
func (r *Repo) resolveBounded(rev string) (plumbing.Hash, bool, error) {
	// Every name is peeled to a commit already, so ^{} and ^{commit} at the
	// end change nothing.
	for {
		trimmed := strings.TrimSuffix(strings.TrimSuffix(rev, "^{}"), "^{commit}")
		if trimmed == rev {
			break
		}
		rev = trimmed
	}
	name, steps, ok := parseRevision(rev)
	if !ok {
		return plumbing.ZeroHash, false, nil
	}
	h, err := r.resolveName(name)
	if err != nil {
		return plumbing.ZeroHash, true, err
	}
	for _, s := range steps {
		if s.n == 0 {
			continue
		}
		for i := 0; i < s.n; i++ {
			ci, _, err := r.node(h)
			if err != nil {
				return plumbing.ZeroHash, true, err
			}
			idx := 0
			if !s.tilde {
				idx = s.n - 1
			}
			if idx >= len(ci.parents) {
				return plumbing.ZeroHash, true, fmt.Errorf("%s has no parent %d: %w", h, idx+1, plumbing.ErrObjectNotFound)
			}
			h = ci.parents[idx]
			if !s.tilde {
				break
			}
		}
	}
	return h, true, nil
}

// resolveName is git's order for a name: an object whose hash starts with
// it, then refs/, refs/tags/, refs/heads/, refs/remotes/ and
// refs/remotes/<name>/HEAD; annotated tags are peeled to their commit.
func (r *Repo) resolveName(name string) (plumbing.Hash, error) {
	var candidates []plumbing.Hash
	if len(name) >= 4 && len(name) <= 40 && isHex(name) {
		if len(name) == 40 {
			candidates = append(candidates, plumbing.NewHash(name))
		} else if found := r.objects.withPrefix(name); len(found) == 1 {
			candidates = append(candidates, found[0])
		}
	}
	for _, f := range []string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"} {
		// A ref that cannot be read counts as absent, as in git's lookup.
		if h, _, err := r.ref(fmt.Sprintf(f, name)); err == nil {
			candidates = append(candidates, h)
			break
		}
	}
	for _, h := range candidates {
		if c, err := r.peelToCommit(h); err == nil {
			return c, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: %w", name, plumbing.ErrReferenceNotFound)
}

// peelToCommit follows annotated tags (read bounded) to a commit.
func (r *Repo) peelToCommit(h plumbing.Hash) (plumbing.Hash, error) {
	for depth := 0; depth < 16; depth++ {
		if typ, ok := r.objects.typeOf(h); ok && typ == plumbing.CommitObject {
			return h, nil
		}
		typ, data, err := r.objects.get(h, maxCommitObject, maxCommitObject)
		if err != nil {
			// A commit the reader refuses (over the size limit) is checked
			// as node does, which explains the refusal.
			if _, _, err := r.node(h); err != nil {
				return plumbing.ZeroHash, err
			}
			return h, nil
		}
		switch typ {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			ti, err := parseTag(data)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			h = ti.target
		default:
			return plumbing.ZeroHash, errNotCommit
		}
	}
	return plumbing.ZeroHash, errNotCommit
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

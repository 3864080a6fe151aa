package gitrepo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// tagRef is one refs/tags/ entry before peeling.
type tagRef struct {
	name   string // without refs/tags/
	hash   plumbing.Hash
	peeled plumbing.Hash // from packed-refs; zero when unknown or not annotated
	// known: packed-refs recorded peeling for this ref, so a zero peeled
	// means it names no tag object.
	known bool
	// path of a loose ref file not read yet (its hash is then zero).
	path string
}

// tagRefs lists tag refs from packed-refs and loose files, loose ones
// winning as in git. Loose files are only listed here; resolveLoose reads
// them, in parallel with peeling.
func (r *Repo) tagRefs() ([]tagRef, error) {
	loose := map[string]tagRef{}
	if err := listLoose(filepath.Join(r.commonDir, "refs", "tags"), "", loose); err != nil {
		return nil, err
	}
	refs, err := r.readPackedTags(loose)
	if err != nil {
		return nil, err
	}
	for _, t := range loose {
		refs = append(refs, t)
	}
	return refs, nil
}

// listLoose adds the loose ref files under dir. It reads directories
// unsorted and builds names by concatenation: with 10,000 loose tags,
// filepath.WalkDir's sorting and Rel calls showed in profiles.
func listLoose(dir, prefix string, refs map[string]tagRef) error {
	f, err := os.Open(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := prefix + e.Name()
		path := dir + string(filepath.Separator) + e.Name()
		if e.IsDir() {
			if err := listLoose(path, name+"/", refs); err != nil {
				return err
			}
			continue
		}
		refs[name] = tagRef{name: name, path: path}
	}
	return nil
}

// resolveLoose reads a loose ref file into t.hash; ok is false for files git
// would not read as a ref either, and for dangling symbolic refs.
func (r *Repo) resolveLoose(t *tagRef, buf []byte) (bool, error) {
	n, err := readSmallFile(t.path, buf)
	if err != nil {
		if os.IsNotExist(err) {
			return false, nil // deleted since listed
		}
		return false, err
	}
	content := strings.TrimSpace(string(buf[:n]))
	switch {
	case plumbing.IsHash(content):
		t.hash = plumbing.NewHash(content)
		return true, nil
	case strings.HasPrefix(content, "ref:"):
		h, _, err := r.ref("refs/tags/" + t.name)
		if err != nil {
			return false, nil
		}
		t.hash = h
		return true, nil
	}
	return false, nil
}

// readPackedTags parses packed-refs, keeping the peeled values git records
// there, and skipping refs that loose files override.
func (r *Repo) readPackedTags(loose map[string]tagRef) ([]tagRef, error) {
	data, err := r.packed.bytes()
	if err != nil || data == nil {
		return nil, err
	}
	refs := make([]tagRef, 0, bytes.Count(data, []byte{'\n'})+len(loose))
	peeledTrait := false
	last := -1 // index in refs of the entry a ^ line peels
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case len(line) == 0:
		case line[0] == '#':
			if bytes.HasPrefix(line, []byte("# pack-refs with:")) {
				for _, tr := range strings.Fields(string(line[len("# pack-refs with:"):])) {
					peeledTrait = peeledTrait || tr == "peeled" || tr == "fully-peeled"
				}
			}
		case line[0] == '^':
			if h, ok := hashOf(line[1:]); ok && last >= 0 {
				refs[last].peeled = h
			}
		default:
			last = -1
			hexHash, name, ok := bytes.Cut(line, []byte{' '})
			if !ok || !bytes.HasPrefix(name, []byte("refs/tags/")) {
				continue
			}
			hash, ok := hashOf(hexHash)
			if !ok {
				continue
			}
			short := string(name[len("refs/tags/"):])
			if _, overridden := loose[short]; overridden {
				continue
			}
			refs = append(refs, tagRef{name: short, hash: hash, known: peeledTrait})
			last = len(refs) - 1
		}
	}
	return refs, nil
}

package releaserewrite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Problem is a reference in a release commit that does not point at the
// release.
type Problem struct {
	File string
	Line int
	Text string
	Why  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s (%s)", p.File, p.Line, p.Why, p.Text) }

// Verify checks that the tree at root is a release commit for opts: every
// action.yml runs an image by digest (opts.Image when set), and every
// reference to this repository is pinned to opts.Ref (any release ref when
// opts.Ref is empty). An action.yml without a docker:// image of ours is a
// problem too, so an unrewritten tree can never pass.
func Verify(ctx context.Context, root string, opts Options) ([]Problem, error) {
	opts.defaults()
	pt := compile(opts)
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	var probs []Problem
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		isMeta := strings.HasPrefix(rel, "actions/") && strings.HasSuffix(rel, "/action.yml")
		pinnedImage := false
		for i, line := range strings.Split(string(data), "\n") {
			for _, sm := range pt.image.FindAllStringSubmatch(line, -1) {
				ref := opts.ImageName + sm[1]
				m := "docker://" + ref
				_, digest, ok := strings.Cut(ref, "@")
				switch {
				case !ok || !digestRe.MatchString(digest):
					probs = append(probs, Problem{rel, i + 1, m, "image not pinned by digest"})
				case opts.Image != "" && ref != opts.Image:
					probs = append(probs, Problem{rel, i + 1, m, "image is not the released " + opts.Image})
				default:
					pinnedImage = true
				}
			}
			for _, m := range pt.uses.FindAllStringSubmatch(line, -1) {
				text := m[1] + "@" + m[2]
				switch ref := m[2]; {
				case opts.Ref != "" && ref != opts.Ref:
					probs = append(probs, Problem{rel, i + 1, text, "reference is not pinned to " + opts.Ref})
				case opts.Ref == "" && !ReleaseRef(ref):
					probs = append(probs, Problem{rel, i + 1, text, "reference is not pinned to a release tag or commit"})
				}
			}
		}
		if isMeta && !pinnedImage {
			probs = append(probs, Problem{rel, 0, "", "action.yml runs no image of " + opts.ImageName + " pinned by digest"})
		}
	}
	return probs, nil
}

package manifest

import (
	"fmt"
	"strings"
)

// Image is the image the manifests deploy, resolved to a digest.
type Image struct {
	Name      string   // repository, lowercase, no tag: ghcr.io/org/timetracker
	Tag       string   // the human tag, written beside the digest as a comment; may be empty
	Digest    string   // sha256:<64 hex>
	Platforms []string // os/arch[/variant] the image provides, sorted
}

// Ref is the pinned reference: Name@Digest.
func (i Image) Ref() string { return i.Name + "@" + i.Digest }

var (
	// The distribution reference grammar, restricted to lowercase names.
	nameRE   = lazyRegexp(`^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	tagRE    = lazyRegexp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestRE = lazyRegexp(`^sha256:[a-f0-9]{64}$`)
)

// ParseImageRef splits name[:tag][@sha256:digest]. Either a tag or a digest is
// required. Mixed-case names are refused: registries reject them at push
// time, so a manifest naming one could never be deployed.
func ParseImageRef(ref string) (name, tag, digest string, err error) {
	rest := strings.TrimSpace(ref)
	if rest == "" {
		return "", "", "", fmt.Errorf("image reference is empty: give name:tag or name@sha256:digest")
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest, digest = rest[:i], rest[i+1:]
		if !digestRE().MatchString(digest) {
			return "", "", "", fmt.Errorf("image %q: digest %q is not sha256: followed by 64 lowercase hex digits", ref, digest)
		}
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.Contains(rest[i+1:], "/") {
		rest, tag = rest[:i], rest[i+1:]
		if !tagRE().MatchString(tag) {
			return "", "", "", fmt.Errorf("image %q: tag %q is not a valid tag (letters, digits, '_', '.', '-', at most 128)", ref, tag)
		}
	}
	if rest != strings.ToLower(rest) {
		return "", "", "", fmt.Errorf("image %q: the name must be lowercase (%q); registries refuse mixed-case repositories", ref, strings.ToLower(rest))
	}
	if !nameRE().MatchString(rest) {
		return "", "", "", fmt.Errorf("image %q: %q is not a valid repository name such as ghcr.io/owner/app", ref, rest)
	}
	if tag == "" && digest == "" {
		return "", "", "", fmt.Errorf("image %q has neither a tag nor a digest: give name:tag or name@sha256:digest", ref)
	}
	return rest, tag, digest, nil
}

func (i Image) validate() error {
	if !nameRE().MatchString(i.Name) {
		return fmt.Errorf("image name %q is not a valid lowercase repository name", i.Name)
	}
	if !digestRE().MatchString(i.Digest) {
		return fmt.Errorf("image %s: digest %q is not sha256: followed by 64 hex digits", i.Name, i.Digest)
	}
	if i.Tag != "" && !tagRE().MatchString(i.Tag) {
		return fmt.Errorf("image %s: tag %q is not a valid tag", i.Name, i.Tag)
	}
	return nil
}

// MissingPlatforms returns the platforms of want that have does not
// provide. An entry without a variant (linux/arm64) is satisfied by any
// variant of it (linux/arm64/v8).
func MissingPlatforms(have, want []string) []string {
	var missing []string
	for _, w := range want {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		found := false
		for _, h := range have {
			if h == w || strings.HasPrefix(h, w+"/") {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

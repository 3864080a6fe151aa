package registry

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Reference is a parsed image reference. Registry is the host requests go
// to ("index.docker.io" for Docker Hub), Repository the path inside it.
// At most one of Tag and Digest is empty for a reference to an image; both
// are empty for a bare repository.
type Reference struct {
	Registry   string
	Repository string
	Tag        string
	Digest     string
}

// Name is registry/repository, the form users write (Docker Hub as docker.io).
func (r Reference) Name() string {
	host := r.Registry
	if host == "index.docker.io" {
		host = "docker.io"
	}
	return host + "/" + r.Repository
}

// String is the reference as a user would write it, the digest winning over the tag.
func (r Reference) String() string {
	switch {
	case r.Digest != "":
		return r.Name() + "@" + r.Digest
	case r.Tag != "":
		return r.Name() + ":" + r.Tag
	}
	return r.Name()
}

// identifier is what follows /manifests/ in the registry API.
func (r Reference) identifier() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

// WithDigest returns the same repository pinned to a digest.
func (r Reference) WithDigest(d string) Reference {
	return Reference{Registry: r.Registry, Repository: r.Repository, Digest: d}
}

// WithTag returns the same repository at a tag.
func (r Reference) WithTag(t string) Reference {
	return Reference{Registry: r.Registry, Repository: r.Repository, Tag: t}
}

// ParseReference parses "host/repo:tag", "host/repo@sha256:…" or a Docker
// Hub short form. A tagless, digestless reference gets the tag "latest".
// Repository paths with upper-case letters are refused instead of being
// lower-cased behind the user's back: the lower-cased name would be another
// image than the one the user asked for.
func ParseReference(s string) (Reference, error) {
	r, err := parse(s, false)
	if err != nil {
		return Reference{}, err
	}
	if r.Tag == "" && r.Digest == "" {
		r.Tag = "latest"
	}
	return r, nil
}

// ParseRepository parses a repository name without tag or digest
// ("ghcr.io/org/app").
func ParseRepository(s string) (Reference, error) {
	return parse(s, true)
}

func parse(s string, repoOnly bool) (Reference, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Reference{}, fmt.Errorf("empty image reference: give a name such as ghcr.io/org/app")
	}
	if strings.ContainsAny(in, " \t\r\n") {
		return Reference{}, fmt.Errorf("image reference %q contains white space: give one reference per line", in)
	}
	host, rest := splitHost(in)
	repo := rest
	suffix := ""
	if i := strings.IndexAny(rest, ":@"); i >= 0 {
		repo, suffix = rest[:i], rest[i:]
	}
	if repo != strings.ToLower(repo) {
		fixed := strings.ToLower(repo)
		if host != "" {
			fixed = strings.ToLower(host) + "/" + fixed
		}
		return Reference{}, fmt.Errorf("image reference %q has upper-case letters in its repository %q; registries accept lower-case names only: write %q (on GitHub, lower-case github.repository before using it in an image name)", in, repo, fixed+suffix)
	}
	if host != "" {
		in = strings.ToLower(host) + "/" + rest
	}
	if repoOnly {
		if suffix != "" {
			return Reference{}, fmt.Errorf("image repository %q has a tag or digest: give the repository only (tags go in the tags input)", in)
		}
		r, err := name.NewRepository(in)
		if err != nil {
			return Reference{}, fmt.Errorf("image repository %q is not valid: %w", in, err)
		}
		return Reference{Registry: r.RegistryStr(), Repository: r.RepositoryStr()}, nil
	}
	ref, err := name.ParseReference(in, name.WithDefaultTag(""))
	if err != nil {
		return Reference{}, fmt.Errorf("image reference %q is not valid: %w", in, err)
	}
	out := Reference{Registry: ref.Context().RegistryStr(), Repository: ref.Context().RepositoryStr()}
	switch r := ref.(type) {
	case name.Digest:
		out.Digest = r.DigestStr()
	case name.Tag:
		out.Tag = r.TagStr()
		if out.Tag != "" {
			if err := ValidateTag(out.Tag); err != nil {
				return Reference{}, fmt.Errorf("image reference %q: %w", in, err)
			}
		}
	}
	return out, nil
}

// splitHost separates a leading registry host the way Docker does: the first
// path component is a host when it has a dot or a port or is "localhost".
func splitHost(s string) (host, rest string) {
	first, after, ok := strings.Cut(s, "/")
	if !ok {
		return "", s
	}
	if strings.ContainsAny(first, ".:") || strings.EqualFold(first, "localhost") {
		return first, after
	}
	return "", s
}

// ValidateTag checks a tag against the distribution spec's grammar,
// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func ValidateTag(tag string) error {
	ok := tag != "" && len(tag) <= 128
	for i := 0; ok && i < len(tag); i++ {
		c := tag[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && i > 0:
		default:
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("tag %q is not a valid image tag: use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", tag)
	}
	return nil
}

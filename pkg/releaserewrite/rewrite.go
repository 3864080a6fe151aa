package releaserewrite

import (
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Defaults for this repository.
const (
	DefaultRepo  = "org/timetracker-ci"
	DefaultImage = "ghcr.io/org/timetracker-ci"
)

// Options says what the release is.
type Options struct {
	Repo      string // how workflows name this repository in uses:, e.g. org/timetracker-ci
	ImageName string // the image repository, e.g. ghcr.io/org/timetracker-ci
	Image     string // the released image by digest: <ImageName>@sha256:<64 hex>
	Ref       string // the release tag (vX.Y.Z) or commit every reference is pinned to
}

func (o *Options) defaults() {
	if o.Repo == "" {
		o.Repo = DefaultRepo
	}
	if o.ImageName == "" {
		o.ImageName = DefaultImage
	}
}

var (
	digestRe = lazyre.New(`^sha256:[0-9a-f]{64}$`)
	refRe    = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	shaRe    = lazyre.New(`^[0-9a-f]{40}$`)
	semverRe = lazyre.New(`^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
)

// Validate checks the options before any file is touched.
func (o Options) Validate() error {
	o.defaults()
	name, digest, ok := strings.Cut(o.Image, "@")
	if !ok || !digestRe.MatchString(digest) {
		return fmt.Errorf("release image %q is not pinned by digest: pass --image %s@sha256:<64 hex digits>", o.Image, o.ImageName)
	}
	if name != o.ImageName {
		return fmt.Errorf("release image %q is not %s: the actions run that image, pass its digest", o.Image, o.ImageName)
	}
	if !ReleaseRef(o.Ref) {
		return fmt.Errorf("release ref %q is neither a version tag (v1.2.3) nor a 40-hex commit: pass --ref v<version>", o.Ref)
	}
	return nil
}

// ReleaseRef reports whether ref pins a release: a full version tag or a
// full commit SHA, never a branch or a floating major/minor tag.
func ReleaseRef(ref string) bool {
	return refRe.MatchString(ref) && (semverRe.MatchString(ref) || shaRe.MatchString(ref))
}

// Change is one rewritten reference.
type Change struct {
	File     string
	Line     int
	Old, New string
}

// Files lists what a release commit pins, relative to root: every
// actions/*/action.yml, and the YAML under .github/workflows and
// workflows-templates.
func Files(root string) ([]string, error) {
	var out []string
	metas, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil {
		return nil, err
	}
	out = append(out, metas...)
	for _, dir := range []string{filepath.Join(root, ".github", "workflows"), filepath.Join(root, "workflows-templates")} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir && os.IsNotExist(err) {
					return filepath.SkipDir
				}
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i, p := range out {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		out[i] = filepath.ToSlash(rel)
	}
	sort.Strings(out)
	return out, nil
}

// Rewrite pins every file of the tree at root to the release, in place, and
// returns the changes. It is idempotent: a second run changes nothing.
func Rewrite(ctx context.Context, root string, opts Options) ([]Change, error) {
	opts.defaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	var all []Change
	rw := NewRewriter(opts)
	for _, rel := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := filepath.Join(root, filepath.FromSlash(rel))
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		out, changes := rw.File(rel, data)
		if len(changes) == 0 {
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, out, info.Mode().Perm()); err != nil {
			return nil, fmt.Errorf("writing %s: %w", rel, err)
		}
		all = append(all, changes...)
	}
	return all, nil
}

// patterns for one Options.
type patterns struct {
	image *regexp.Regexp // docker://<image>[:tag|@digest]
	uses  *regexp.Regexp // <repo>/<path>@<ref>
}

func compile(opts Options) patterns {
	return patterns{
		// The name must end where the reference ends (…/timetracker-ci-dev is another image).
		image: regexp.MustCompile(`docker://` + regexp.QuoteMeta(opts.ImageName) + `([:@][\w.:@-]*)?([^\w./:@-]|$)`),
		// Case-insensitive like GitHub's owner/repo; the path keeps its case.
		// Not after / or . so that ghcr.io/<repo>@sha256:… is left to the image pattern.
		uses: regexp.MustCompile(`(?i)(?:^|[^\w./-])(` + regexp.QuoteMeta(opts.Repo) + `(?:/[^\s'"@]+)?)@([^\s'"#@]+)`),
	}
}

// Rewriter rewrites many files for one release, compiling its patterns once.
type Rewriter struct {
	opts Options
	pt   patterns
}

// NewRewriter prepares the patterns for opts (not validated: see Validate).
func NewRewriter(opts Options) *Rewriter {
	opts.defaults()
	return &Rewriter{opts: opts, pt: compile(opts)}
}

// RewriteFile rewrites one file's content; name is only for the changes.
func RewriteFile(name string, data []byte, opts Options) ([]byte, []Change) {
	return NewRewriter(opts).File(name, data)
}

// File rewrites one file's content; name is only for the changes.
func (rw *Rewriter) File(name string, data []byte) ([]byte, []Change) {
	opts, pt := rw.opts, rw.pt
	lines := strings.SplitAfter(string(data), "\n")
	var changes []Change
	repo := strings.ToLower(opts.Repo)
	// ToLower keeps the line structure (it maps runes, never newlines).
	lower := strings.SplitAfter(strings.ToLower(string(data)), "\n")
	for i, line := range lines {
		// Most lines name neither: skip the regular expressions for them.
		if !strings.Contains(line, "docker://") && (i >= len(lower) || !strings.Contains(lower[i], repo)) {
			continue
		}
		nl := pt.image.ReplaceAllString(line, "docker://"+strings.ReplaceAll(opts.Image, "$", "$$")+"${2}")
		nl = pt.uses.ReplaceAllStringFunc(nl, func(m string) string {
			at := strings.LastIndex(m, "@")
			return m[:at+1] + opts.Ref
		})
		if nl != line {
			changes = append(changes, Change{File: name, Line: i + 1, Old: strings.TrimRight(line, "\r\n"), New: strings.TrimRight(nl, "\r\n")})
			lines[i] = nl
		}
	}
	return []byte(strings.Join(lines, "")), changes
}

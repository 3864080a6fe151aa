package supplychain

import (
	"context"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/sbom"
)

// VerifyRequest says what a whole release looks like.
type VerifyRequest struct {
	Image     string   // name@sha256:… or name:tag of the index
	Platforms []string // each must be in the index
	// Tags must point at the same index: bare tags ("1.2.3") in Image's
	// repository, or full references ("docker.io/org/app:1.2.3").
	Tags []string
	// Files are deployment files by name; each must pin the image by the
	// index digest and name it by no other digest or bare tag.
	Files map[string][]byte
	// SBOMFormat is the SBOM expected on each platform (default spdx).
	SBOMFormat string
	// NoProvenance skips the provenance check (images built elsewhere).
	NoProvenance bool
}

// Check is one line of the verdict.
type Check struct {
	What   string `json:"what"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is the verdict on one image.
type Report struct {
	Image  string  `json:"image"`
	Digest string  `json:"digest"`
	Checks []Check `json:"checks"`
}

// OK reports whether every check passed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Gaps lists the failed checks.
func (r *Report) Gaps() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// String is the one-screen verdict: a line per check, gaps marked.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.Image)
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "GAP "
		}
		fmt.Fprintf(&b, "  %s %-34s %s\n", mark, c.What, c.Detail)
	}
	if r.OK() {
		fmt.Fprintf(&b, "verified: %d checks passed\n", len(r.Checks))
	} else {
		fmt.Fprintf(&b, "NOT verified: %d of %d checks failed\n", len(r.Gaps()), len(r.Checks))
	}
	return b.String()
}

func (r *Report) add(what string, ok bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{What: what, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// Verify checks a released image. Registry errors that stop the checks
// are returned; every gap found is a failed check in the report.
func Verify(ctx context.Context, c *registry.Client, req VerifyRequest) (*Report, error) {
	idx, err := c.Index(ctx, req.Image)
	if err != nil {
		return nil, err
	}
	ref, err := registry.ParseReference(idx.Ref)
	if err != nil {
		return nil, err
	}
	repo := ref.Name()
	r := &Report{Image: repo + "@" + idx.Digest, Digest: idx.Digest}
	r.add("index", idx.IsIndex(), "%s (%s)", short(idx.Digest), idx.MediaType)

	have := map[string]registry.Child{}
	for _, ch := range idx.Children {
		have[ch.Platform] = ch
	}
	for _, p := range req.Platforms {
		pl, err := registry.ParsePlatform(p)
		if err != nil {
			return nil, err
		}
		ch, ok := have[pl.String()]
		if ok {
			r.add("platform "+pl.String(), true, "%s", short(ch.Digest))
		} else {
			r.add("platform "+pl.String(), false, "missing from the index")
		}
	}

	artifactType := ArtifactTypeOf(req.SBOMFormat)
	for _, ch := range idx.Children {
		what := "sbom " + ch.Platform
		refs, err := c.Referrers(ctx, repo, ch.Digest)
		if err != nil {
			return nil, err
		}
		a := find(refs, artifactType)
		if a == nil {
			r.add(what, false, "no %s referrer on %s", artifactType, short(ch.Digest))
			continue
		}
		data, subject, err := c.ArtifactContent(ctx, repo, a.Digest)
		if err != nil {
			r.add(what, false, "unreadable: %v", err)
			continue
		}
		described, n, err := sbom.Described(data)
		switch {
		case err != nil:
			r.add(what, false, "%v", err)
		case subject != ch.Digest || described != ch.Digest:
			r.add(what, false, "describes %s (subject %s), not %s", short(described), short(subject), short(ch.Digest))
		default:
			r.add(what, true, "%d packages, subject %s", n, short(ch.Digest))
		}
	}

	if !req.NoProvenance {
		verifyProvenance(ctx, c, r, repo, idx)
	}

	for _, tag := range req.Tags {
		tref := tag
		if !strings.ContainsAny(tag, "/:") {
			tref = repo + ":" + tag
		}
		d, err := c.Resolve(ctx, tref)
		switch {
		case err != nil:
			r.add("tag "+tag, false, "%v", err)
		case d.Digest != idx.Digest:
			r.add("tag "+tag, false, "points at %s, not the index %s", short(d.Digest), short(idx.Digest))
		default:
			r.add("tag "+tag, true, "on the index")
		}
	}

	names := make([]string, 0, len(req.Files))
	for n := range req.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ok, detail := pinned(req.Files[n], repo, idx.Digest)
		r.add("file "+n, ok, "%s", detail)
	}
	return r, nil
}

func verifyProvenance(ctx context.Context, c *registry.Client, r *Report, repo string, idx *registry.Index) {
	const what = "provenance"
	refs, err := c.Referrers(ctx, repo, idx.Digest)
	if err != nil {
		r.add(what, false, "%v", err)
		return
	}
	a := find(refs, provenance.MediaType)
	if a == nil {
		r.add(what, false, "no %s referrer on the index", provenance.MediaType)
		return
	}
	data, subject, err := c.ArtifactContent(ctx, repo, a.Digest)
	if err != nil {
		r.add(what, false, "unreadable: %v", err)
		return
	}
	st, err := provenance.Parse(data)
	if err != nil {
		r.add(what, false, "%v", err)
		return
	}
	want := map[string]bool{idx.Digest: true}
	for _, ch := range idx.Children {
		want[ch.Digest] = true
	}
	got := map[string]bool{}
	for _, d := range st.Digests() {
		got[d] = true
	}
	var missing, extra []string
	for d := range want {
		if !got[d] {
			missing = append(missing, short(d))
		}
	}
	for d := range got {
		if !want[d] {
			extra = append(extra, short(d))
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	switch {
	case subject != idx.Digest:
		r.add(what, false, "attached to %s, not the index", short(subject))
	case len(missing) > 0 || len(extra) > 0:
		r.add(what, false, "subjects differ from the digests: missing %v, extra %v", missing, extra)
	default:
		r.add(what, true, "%d subjects, builder %s", len(got), st.Predicate.RunDetails.Builder.ID)
	}
}

var refTail = lazyre.New(`^(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?`)

// commentRe is a YAML comment: the human-readable tag may stand there
// beside the digest (the manifest action writes "# name:1.2.3").
var commentRe = lazyre.New(`(?m)(^|[ \t])#.*$`)

// pinned checks that data names repo only as repo[:tag]@digest, outside
// comments.
func pinned(data []byte, repo, digest string) (bool, string) {
	s := commentRe.ReplaceAllString(string(data), "$1")
	pins, unpinned, wrong := 0, 0, map[string]bool{}
	for i := 0; ; {
		j := strings.Index(s[i:], repo)
		if j < 0 {
			break
		}
		start := i + j
		end := start + len(repo)
		i = end
		// Only a whole name: not a prefix of a longer repository.
		if start > 0 && isNameChar(s[start-1]) || end < len(s) && (isNameChar(s[end]) || s[end] == '/') {
			continue
		}
		m := refTail.FindStringSubmatch(s[end:])
		switch {
		case m[2] == digest:
			pins++
		case m[2] != "":
			wrong[short(m[2])] = true
		case m[1] != "":
			unpinned++
		}
	}
	switch {
	case len(wrong) > 0:
		var w []string
		for d := range wrong {
			w = append(w, d)
		}
		sort.Strings(w)
		return false, fmt.Sprintf("pinned to %s, not the index %s", strings.Join(w, ", "), short(digest))
	case unpinned > 0:
		return false, fmt.Sprintf("%d reference(s) to %s by tag without the digest", unpinned, repo)
	case pins == 0:
		return false, fmt.Sprintf("does not pin %s@%s", repo, short(digest))
	}
	return true, fmt.Sprintf("pinned to the index (%d references)", pins)
}

func isNameChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_'
}

package version

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/org/timetracker-ci/internal/lazyre"
	"github.com/org/timetracker-ci/pkg/inputerror"
)

// Scheme chooses how versions are decided.
type Scheme string

const (
	// SchemeAuto: tags and the default branch make releases, pre-release
	// branches pre-releases, pull requests and other branches development builds.
	SchemeAuto Scheme = "auto"
	// SchemeRelease makes a release from any branch push.
	SchemeRelease Scheme = "release"
	// SchemeDevelopment makes a development build from anything.
	SchemeDevelopment Scheme = "development"
)

// ParseScheme validates the scheme input.
func ParseScheme(s string) (Scheme, error) {
	switch sc := Scheme(strings.ToLower(strings.TrimSpace(s))); sc {
	case "":
		return SchemeAuto, nil
	case SchemeAuto, SchemeRelease, SchemeDevelopment:
		return sc, nil
	}
	return "", fmt.Errorf("%q is not a scheme: use auto, release or development", s)
}

// Kind is what a build is.
type Kind string

const (
	KindRelease     Kind = "release"
	KindPrerelease  Kind = "prerelease"
	KindDevelopment Kind = "development"
	KindPullRequest Kind = "pull-request"
)

// Event is the part of the CI event Resolve needs.
type Event struct {
	Name            string // GitHub event name (push, pull_request, ...); empty for a local run
	Ref             string // the full ref built: refs/heads/x, refs/tags/v1.2.3, refs/pull/7/merge
	SHA             string // the commit built
	DefaultBranch   string
	PullRequest     int    // pull request number, when building one
	BaseRef         string // a pull request's base branch; a tag push's base_ref (the branch)
	PRHeadSHA       string // a pull request's head commit (used when Options.PRHeadSHA)
	DispatchVersion string // the `version` input of workflow_dispatch
	// MarkedPrerelease: a GitHub release marked as a pre-release triggered
	// the run; its version gets only its own image tag, like 1.3.0-rc.1.
	MarkedPrerelease bool
	Repository       string // owner/name, for the default image
	// Local marks a ref inferred from a clone (a run outside GitHub Actions
	// without GITHUB_REF): a release tag on SHA then makes it a build of that
	// tag, as if the tag had been pushed.
	Local bool
	// Repository metadata for OCI labels; an empty value gives an empty label.
	Title, Description, URL, License string
}

// Options are the user's choices.
type Options struct {
	Images []string // empty: ghcr.io/<owner>/<repo>, unless ImagesGiven
	// ImagesGiven: the images input had lines (all of them disabled when
	// Images is empty), so no default image is added and the tags are bare.
	ImagesGiven bool
	Scheme      Scheme
	// Rules are the tag rules. Empty: docker/metadata-action's default
	// rules (MetadataActionDefaultRules); TimetrackerRules(): the built-in
	// scheme (develop, dev-<date>, dev-<sha>, 1.2.3, 1.2, 1, latest, stable).
	Rules      []Rule
	Flavor     Flavor
	TagPrefix  string
	Bump       Bump
	Prerelease []PrereleaseRule
	// FileVersion is the version read from VersionFile, if any.
	FileVersion, VersionFile string
	// InitialVersion is the first release when no release tag exists (default 0.1.0).
	InitialVersion string
	// Now is the clock for {{date}}; the zero value means time.Now.
	Now time.Time
	// Labels and Annotations are the user's key=value lines (expressions
	// allowed); they override ours.
	Labels, Annotations []string
	// AnnotationLevels prefix every annotation (default manifest).
	AnnotationLevels []string
	// ShortSHALength is the length of {{sha}} and type=sha (default 7).
	ShortSHALength int
	// PRHeadSHA: on pull request events, build the head commit rather
	// than the merge commit (DOCKER_METADATA_PR_HEAD_SHA).
	PRHeadSHA bool
}

// Label is one OCI label.
type Label struct{ Key, Value string }

// Result is everything Resolve decides.
type Result struct {
	Version, Tag, PreviousTag string
	Major, Minor, Patch       uint64
	Prerelease                bool
	Kind                      Kind
	Latest, Stable            bool
	Images                    []string
	TagNames                  []string // bare image tags, highest priority first
	Refs                      []string // every image × every tag
	Labels                    []Label  // sorted by key
	Annotations               []string // <level>:key=value, for every level
	AnnotationValues          []Label  // the annotations without a level, sorted by key
	// ImageVersion is the org.opencontainers.image.version label: the first
	// image tag when tag rules are given (as metadata-action), else Version.
	ImageVersion string
	SHA          string
	CommitDate   time.Time
	// TagExists: the git tag already names SHA (a tag push, or a re-run).
	TagExists   bool
	IgnoredTags int
	// Reason says in a sentence how the version was decided.
	Reason  string
	Notices []string
}

// InputError is a mistake in an input, found while resolving (for example an
// enable= expression that does not evaluate to true or false): the
// repository's one bad-input error, which the action runtime reports as such.
type InputError = inputerror.Error

// maxAncestorChecks bounds the search for the highest release reachable from
// HEAD when the History can only answer one IsAncestor at a time (the GitHub
// API): each check is a request, and a HEAD unrelated to every release would
// otherwise cost one per tag. A local clone answers for every release in one
// walk (reachableHistory) and needs no bound.
const maxAncestorChecks = 32

// ancestorChecksBeforeWalk: a History that answers for many commits in one
// walk (a local clone) is asked IsAncestor for the newest few releases
// first, each a walk of the commits since that release only (HEAD usually
// descends from the newest), then once for all the others, which may cost a
// walk of the whole history.
const ancestorChecksBeforeWalk = 4

type resolver struct {
	// tagAtHeadLocal: a local run found the release tag at HEAD (no tag
	// was pushed).
	tagAtHeadLocal bool
	ev             Event
	o              Options
	h              History
	releases       []Release
	stable         []Release
	branch         string
	tagName        string
	prNumber       int
	isDefault      bool
	last           *Release // highest stable release reachable from HEAD
	lastDone       bool
	res            *Result
}

var pullRef = lazyre.New(`^refs/pull/(\d+)/(merge|head)$`)

// Resolve decides the version, tags and labels for an event.
func Resolve(ctx context.Context, ev Event, h History, o Options) (*Result, error) {
	if o.PRHeadSHA && strings.HasPrefix(ev.Name, "pull_request") && ev.PRHeadSHA != "" {
		ev.SHA = ev.PRHeadSHA
	}
	if len(o.Rules) == 0 {
		o.Rules = metadataActionDefaults
	}
	if ev.SHA == "" {
		if isTimetracker(o.Rules) {
			return nil, errors.New("no commit to version: GITHUB_SHA is empty and HEAD could not be read")
		}
	}
	if o.Scheme == "" {
		o.Scheme = SchemeAuto
	}
	if o.Bump == "" {
		o.Bump = BumpConventional
	}
	if o.Flavor.Latest == "" {
		o.Flavor.Latest = "auto"
	}
	if o.InitialVersion == "" {
		o.InitialVersion = "0.1.0"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	r := &resolver{ev: ev, o: o, h: h, res: &Result{SHA: ev.SHA}}
	if b, ok := strings.CutPrefix(ev.Ref, "refs/heads/"); ok {
		r.branch = b
	}
	if t, ok := strings.CutPrefix(ev.Ref, "refs/tags/"); ok {
		r.tagName = t
	}
	r.prNumber = ev.PullRequest
	if m := pullRef.FindStringSubmatch(ev.Ref); m != nil && r.prNumber == 0 {
		r.prNumber, _ = strconv.Atoi(m[1])
	}
	if strings.HasPrefix(ev.Name, "pull_request_target") && r.prNumber > 0 {
		// GITHUB_REF is the base branch; the pull request is what is built.
		r.branch = ""
		r.ev.Ref = fmt.Sprintf("refs/pull/%d/merge", r.prNumber)
	}
	r.isDefault = r.branch != "" && r.branch == ev.DefaultBranch

	tags, err := h.Tags(ctx)
	if err != nil {
		return nil, err
	}
	r.releases, r.res.IgnoredTags = Releases(tags, o.TagPrefix)
	for _, rel := range r.releases {
		if rel.Version.Prerelease() == "" {
			r.stable = append(r.stable, rel)
		}
	}
	if ev.Local && r.tagName == "" {
		if t := r.tagAtHead(); t != "" {
			r.tagName, r.branch, r.isDefault = t, "", false
			r.tagAtHeadLocal = true
		}
	}
	if n := r.res.IgnoredTags; n > 0 {
		r.notice("%d %s not %s<semver> and %s ignored for the previous and next versions (%s)", n,
			plural(n, "tag is", "tags are"), o.TagPrefix, plural(n, "was", "were"), ignoredExamples(tags, o.TagPrefix))
	}
	if ev.SHA == "" {
		// Tag rules without a commit: no version, and only the tags the
		// ref gives, as docker/metadata-action does.
		r.res.Kind = KindDevelopment
		r.res.Reason = "no commit (GITHUB_SHA is empty and HEAD could not be read): no version, tags only from the ref"
		r.notice("no commit to version (GITHUB_SHA is empty and HEAD could not be read): no version, and tags only from what the ref gives")
	} else {
		if r.res.CommitDate, err = h.CommitTime(ctx, ev.SHA); err != nil {
			return nil, err
		}
		if err := r.decide(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.imageTags(); err != nil {
		return nil, err
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return r.res, nil
}

// tagAtHead is the highest release tag naming SHA, stable ones first.
func (r *resolver) tagAtHead() string {
	for _, list := range [][]Release{r.stable, r.releases} {
		for _, rel := range list {
			if rel.Commit == r.ev.SHA {
				return rel.Tag
			}
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *resolver) notice(format string, args ...any) {
	r.res.Notices = append(r.res.Notices, fmt.Sprintf(format, args...))
}

func (r *resolver) isPR() bool {
	return strings.HasPrefix(r.ev.Name, "pull_request") || r.prNumber > 0 && r.branch == "" && r.tagName == ""
}

// decide picks the kind and the version.
func (r *resolver) decide(ctx context.Context) error {
	o := r.o
	switch {
	case o.Scheme == SchemeDevelopment:
		return r.development(ctx, "the development scheme was chosen")
	case r.ev.Name == "workflow_dispatch" && r.ev.DispatchVersion != "":
		v, ok := ParseVersion(r.ev.DispatchVersion, o.TagPrefix)
		if !ok {
			return &InputError{Input: "version (the workflow_dispatch input)", Err: fmt.Errorf("%q is not a semantic version: give one like 1.2.3 or 1.3.0-rc.1", r.ev.DispatchVersion)}
		}
		if err := r.checkFile(v, "workflow_dispatch input version="+r.ev.DispatchVersion); err != nil {
			return err
		}
		return r.release(v, "the workflow_dispatch input gave it")
	case r.tagName != "":
		v, ok := ParseTag(r.tagName, o.TagPrefix)
		if !ok {
			if o.Scheme == SchemeRelease {
				return fmt.Errorf("tag %q is not a release tag: name release tags %s<semver>, e.g. %s1.2.3 (or set tag-prefix)", r.tagName, o.TagPrefix, o.TagPrefix)
			}
			return r.development(ctx, fmt.Sprintf("tag %s is not a release tag", r.tagName))
		}
		if err := r.checkFile(v, "tag "+r.tagName); err != nil {
			return err
		}
		r.res.TagExists = true
		r.res.Tag = r.tagName
		why := "tag " + r.tagName + " was pushed"
		if r.tagAtHeadLocal {
			why = "HEAD is tagged " + r.tagName + " (a local run builds the tag at HEAD, as a push of it would)"
		}
		if err := r.release(v, why); err != nil {
			return err
		}
		if r.ev.MarkedPrerelease && r.res.Kind == KindRelease {
			r.res.Kind = KindPrerelease
			r.res.Prerelease = true
			r.res.Reason = "release " + r.tagName + " is marked as a pre-release on GitHub"
		}
		return nil
	case r.isPR():
		next, err := r.next(ctx, true)
		if err != nil {
			return err
		}
		v, _ := next.SetPrerelease(fmt.Sprintf("pr.%d", r.prNumber))
		r.res.Kind = KindPullRequest
		r.setVersion(&v)
		r.res.Reason = fmt.Sprintf("pull request #%d, building towards %s", r.prNumber, next.String())
		return nil
	case r.ev.Name == "schedule":
		return r.development(ctx, "a scheduled run builds the branch")
	}
	if id, ok := MatchPrerelease(o.Prerelease, r.branch); ok && r.branch != "" {
		return r.prerelease(ctx, id)
	}
	if o.Scheme == SchemeRelease || r.isDefault {
		return r.branchRelease(ctx)
	}
	return r.development(ctx, fmt.Sprintf("branch %s is not the default branch", r.branchName()))
}

func (r *resolver) branchName() string {
	if r.branch == "" {
		return "(detached HEAD)"
	}
	return r.branch
}

// checkFile fails when the version file disagrees with v.
func (r *resolver) checkFile(v *semver.Version, what string) error {
	if r.o.FileVersion == "" || r.o.FileVersion == v.String() {
		return nil
	}
	return fmt.Errorf("%s says %s but version-file %s says %s: make them agree (update the file, or tag %s%s)",
		what, v.String(), r.o.VersionFile, r.o.FileVersion, r.o.TagPrefix, r.o.FileVersion)
}

// release settles a release or pre-release of v.
func (r *resolver) release(v *semver.Version, why string) error {
	r.res.Kind = KindRelease
	if v.Prerelease() != "" {
		r.res.Kind = KindPrerelease
	}
	r.setVersion(v)
	if r.res.Tag == "" {
		if err := r.claimTag(v); err != nil {
			return err
		}
	}
	r.res.Reason = why
	return nil
}

// ignoredExamples names a few tags Releases ignored, those that look like
// releases under another prefix first (V1.2.3 when the prefix is v: tags
// are case-sensitive), so the notice shows which tags it means.
func ignoredExamples(tags []Tag, prefix string) string {
	var look, other []string
	for _, t := range tags {
		if _, ok := ParseTag(t.Name, prefix); ok {
			continue
		}
		if i := strings.IndexAny(t.Name, "0123456789"); i >= 0 {
			if _, ok := ParseVersion(t.Name[i:], ""); ok {
				look = append(look, t.Name)
				continue
			}
		}
		other = append(other, t.Name)
	}
	slices.Sort(look)
	slices.Sort(other)
	names := append(look, other...)
	const shown = 3
	if len(names) > shown {
		return "e.g. " + strings.Join(names[:shown], ", ")
	}
	return strings.Join(names, ", ")
}

// claimTag sets the git tag for v, refusing one that names another commit.
func (r *resolver) claimTag(v *semver.Version) error {
	tag := r.o.TagPrefix + v.String()
	r.res.Tag = tag
	for _, rel := range r.releases {
		if !rel.Version.Equal(v) || rel.Version.Metadata() != v.Metadata() {
			continue
		}
		if rel.Commit == r.ev.SHA {
			r.res.TagExists = true
			r.res.Tag = rel.Tag
			return nil
		}
		return fmt.Errorf("version %s is already released: tag %s names commit %s, not %s being built; "+
			"if this commit is a new release, raise the version (a feat:/fix: commit, bump, or version-file), "+
			"else build the tag itself", v, rel.Tag, shortSHA(rel.Commit), shortSHA(r.ev.SHA))
	}
	return nil
}

// branchRelease: a push to the default branch (or any branch with the
// release scheme) releases HEAD.
func (r *resolver) branchRelease(ctx context.Context) error {
	for _, rel := range r.stable {
		if rel.Commit == r.ev.SHA {
			r.res.TagExists = true
			r.res.Tag = rel.Tag
			return r.release(rel.Version, fmt.Sprintf("HEAD is already tagged %s (a re-run, or the tag was pushed with the branch)", rel.Tag))
		}
	}
	if r.o.FileVersion != "" {
		v, _ := ParseVersion(r.o.FileVersion, "")
		return r.release(v, "version-file "+r.o.VersionFile+" gives it")
	}
	if r.o.Bump == BumpNone {
		return fmt.Errorf("commit %s has no release tag and bump is none: tag it (git tag %s1.2.3 && git push origin %s1.2.3) or set bump to conventional, patch, minor or major",
			shortSHA(r.ev.SHA), r.o.TagPrefix, r.o.TagPrefix)
	}
	next, err := r.next(ctx, false)
	if err != nil {
		return err
	}
	why := fmt.Sprintf("%s bump since %s", r.o.Bump, r.lastName())
	if r.last == nil {
		why = fmt.Sprintf("no release tag yet, so the initial version %s", r.o.InitialVersion)
	}
	return r.release(next, why)
}

func (r *resolver) lastName() string {
	if r.last == nil {
		return "the beginning"
	}
	return r.last.Tag
}

// lastRelease finds the highest stable release reachable from HEAD.
func (r *resolver) lastRelease(ctx context.Context) (*Release, error) {
	if r.lastDone {
		return r.last, nil
	}
	r.lastDone = true
	rh, oneWalk := r.h.(reachableHistory)
	for i := range r.stable {
		if oneWalk && i == ancestorChecksBeforeWalk {
			// Not one of the newest: HEAD is on an older line (a
			// maintenance branch). One walk answers for all the others,
			// however many releases are newer.
			return r.lastReachable(ctx, rh, r.stable[i:])
		}
		if i == maxAncestorChecks {
			r.last = &r.stable[0]
			r.notice("none of the %d highest releases is an ancestor of %s; counting from %s", maxAncestorChecks, shortSHA(r.ev.SHA), r.last.Tag)
			return r.last, nil
		}
		ok, err := r.h.IsAncestor(ctx, r.stable[i].Commit, r.ev.SHA)
		if err != nil {
			return nil, err
		}
		if ok {
			r.last = &r.stable[i]
			return r.last, nil
		}
	}
	return nil, nil
}

// lastReachable sets r.last to the first of stable (highest first) that HEAD
// reaches, found in one walk of HEAD's history; nil when it reaches none.
func (r *resolver) lastReachable(ctx context.Context, rh reachableHistory, stable []Release) (*Release, error) {
	commits := make([]string, len(stable))
	for i := range stable {
		commits[i] = stable[i].Commit
	}
	reached, err := rh.Reachable(ctx, r.ev.SHA, commits)
	if err != nil {
		return nil, err
	}
	for i := range stable {
		if reached[stable[i].Commit] {
			r.last = &stable[i]
			return r.last, nil
		}
	}
	r.notice("none of the %d releases is an ancestor of %s (a history of its own): counting from the initial version %s", len(r.stable), shortSHA(r.ev.SHA), r.o.InitialVersion)
	return nil, nil
}

// next is the version the next release would get. For builds that are not
// releases (relaxed), bump none counts as patch.
func (r *resolver) next(ctx context.Context, relaxed bool) (*semver.Version, error) {
	last, err := r.lastRelease(ctx)
	if err != nil {
		return nil, err
	}
	var next *semver.Version
	if last == nil {
		v, ok := ParseVersion(r.o.InitialVersion, "")
		if !ok {
			return nil, &InputError{Input: "initial-version", Err: fmt.Errorf("%q is not a semantic version (e.g. 0.1.0)", r.o.InitialVersion)}
		}
		next = v
	} else {
		level := LevelPatch
		switch r.o.Bump {
		case BumpConventional:
			msgs, err := r.h.Messages(ctx, last.Commit, r.ev.SHA)
			if err != nil {
				return nil, err
			}
			level = ConventionalLevel(msgs)
		case BumpMinor:
			level = LevelMinor
		case BumpMajor:
			level = LevelMajor
		}
		v := Next(last.Version, level)
		next = &v
	}
	if relaxed && r.o.FileVersion != "" {
		if fv, ok := ParseVersion(r.o.FileVersion, ""); ok && (last == nil || fv.GreaterThan(last.Version)) {
			next = fv
		}
	}
	return next, nil
}

// prerelease: a branch matching a prerelease rule builds <next>-<id>.<n>.
func (r *resolver) prerelease(ctx context.Context, id string) error {
	for _, rel := range r.releases {
		if rel.Commit == r.ev.SHA && strings.HasPrefix(rel.Version.Prerelease(), id+".") {
			r.res.TagExists = true
			r.res.Tag = rel.Tag
			return r.release(rel.Version, fmt.Sprintf("HEAD is already tagged %s", rel.Tag))
		}
	}
	next, err := r.next(ctx, true)
	if err != nil {
		return err
	}
	core := *next
	// Continue a line already started (1.4.0-rc.2 exists: the next is rc.3
	// even if the commits since the last release only call for a patch).
	for _, rel := range r.releases {
		v := rel.Version
		if !strings.HasPrefix(v.Prerelease(), id+".") {
			continue
		}
		c := semver.New(v.Major(), v.Minor(), v.Patch(), "", "")
		if c.GreaterThan(&core) && (r.last == nil || c.GreaterThan(r.last.Version)) {
			core = *c
		}
	}
	n := nextPrereleaseNumber(r.releases, core, id)
	v, err := core.SetPrerelease(fmt.Sprintf("%s.%d", id, n))
	if err != nil {
		return err
	}
	return r.release(&v, fmt.Sprintf("branch %s matches a prerelease rule (%s); %d is the next free number", r.branch, id, n))
}

// development: a build of a branch, counted from the last release.
func (r *resolver) development(ctx context.Context, why string) error {
	next, err := r.next(ctx, true)
	if err != nil {
		return err
	}
	from := ""
	if r.last != nil {
		from = r.last.Commit
	}
	n, err := r.h.CountCommits(ctx, from, r.ev.SHA)
	if err != nil {
		return err
	}
	v, err := next.SetPrerelease(fmt.Sprintf("dev.%d", n))
	if err != nil {
		return err
	}
	r.res.Kind = KindDevelopment
	r.setVersion(&v)
	r.res.Reason = fmt.Sprintf("%s: %d %s since %s", why, n, plural(n, "commit", "commits"), r.lastName())
	return nil
}

func (r *resolver) setVersion(v *semver.Version) {
	r.res.Version = v.String()
	r.res.Major, r.res.Minor, r.res.Patch = v.Major(), v.Minor(), v.Patch()
	r.res.Prerelease = v.Prerelease() != ""
	if tag, ok := previous(r.releases, v); ok {
		r.res.PreviousTag = tag
	}
}

// highestIn reports whether v is at least every stable release accepted by
// same: the guard that keeps latest, X.Y and X from moving backwards.
func (r *resolver) highestIn(v *semver.Version, same func(*semver.Version) bool) bool {
	if v.Prerelease() != "" {
		return false
	}
	for _, rel := range r.stable {
		if same(rel.Version) && rel.Version.GreaterThan(v) {
			return false
		}
	}
	return true
}

// higherRelease is the highest stable release above v, if any.
func (r *resolver) higherRelease(v *semver.Version) *Release {
	if len(r.stable) > 0 && r.stable[0].Version.GreaterThan(v) {
		return &r.stable[0]
	}
	return nil
}

func (r *resolver) version() *semver.Version {
	v, err := semver.StrictNewVersion(r.res.Version)
	if err != nil {
		return nil
	}
	return v
}

// imageTags computes tag names, latest and stable.
func (r *resolver) imageTags() error {
	if !isTimetracker(r.o.Rules) {
		return r.ruleTags()
	}
	v := r.version()
	f := r.o.Flavor
	var tags []string
	isRelease := r.res.Kind == KindRelease
	switch r.res.Kind {
	case KindRelease:
		tags = append(tags, v.String())
		if r.highestIn(v, func(o *semver.Version) bool { return o.Major() == v.Major() && o.Minor() == v.Minor() }) {
			tags = append(tags, fmt.Sprintf("%d.%d", v.Major(), v.Minor()))
		}
		// 0.y.z is initial development: a floating `0` would cross breaking changes.
		if v.Major() > 0 && r.highestIn(v, func(o *semver.Version) bool { return o.Major() == v.Major() }) {
			tags = append(tags, strconv.FormatUint(v.Major(), 10))
		}
	case KindPrerelease:
		tags = append(tags, v.String())
	case KindPullRequest:
		tags = append(tags, fmt.Sprintf("pr-%d", r.prNumber))
	case KindDevelopment:
		if r.ev.Name == "schedule" {
			tags = append(tags, "nightly")
		}
		if r.branch != "" {
			tags = append(tags, r.branch)
		} else if r.tagName != "" {
			tags = append(tags, r.tagName)
		}
		tags = append(tags, "dev-"+r.res.CommitDate.UTC().Format("20060102-150405"), "dev-"+r.shortSHA(r.ev.SHA))
	}
	for i, t := range tags {
		tags[i] = f.Prefix + t + f.Suffix
	}
	highest := isRelease && r.highestIn(v, func(*semver.Version) bool { return true })
	if isRelease && !highest && f.Latest == "auto" {
		if h := r.higherRelease(v); h != nil {
			r.notice("latest and stable stay on %s: %s is not the highest release", h.Tag, v)
		}
	}
	r.res.Latest = f.Latest == "true" || f.Latest == "auto" && highest
	r.res.Stable = highest && f.Latest != "false"
	if r.res.Latest {
		tags = append(tags, r.latestName("latest"))
	}
	if r.res.Stable {
		tags = append(tags, r.latestName("stable"))
	}
	r.res.TagNames = sanitizeAll(tags)
	return nil
}

func (r *resolver) latestName(name string) string {
	f := r.o.Flavor
	if f.PrefixLatest {
		name = f.Prefix + name
	}
	if f.SuffixLatest {
		name += f.Suffix
	}
	return name
}

var invalidTagChars = lazyre.New(`[^a-zA-Z0-9._-]+`)

// SanitizeTag makes s a valid image tag: runs of other characters become
// `-`, leading `.` and `-` go (Docker refuses them), at most 128 characters.
func SanitizeTag(s string) string {
	s = invalidTagChars.ReplaceAllString(s, "-")
	s = strings.TrimLeft(s, ".-")
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

func sanitizeAll(tags []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = SanitizeTag(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// finish builds image references, labels and annotations.
func (r *resolver) finish() error {
	res := r.res
	res.Images = r.o.Images
	if len(res.Images) == 0 && !r.o.ImagesGiven && r.ev.Repository != "" {
		res.Images = []string{"ghcr.io/" + strings.ToLower(r.ev.Repository)}
	}
	for _, img := range res.Images {
		for _, t := range res.TagNames {
			res.Refs = append(res.Refs, img+":"+t)
		}
	}
	if len(res.Images) == 0 {
		// No image: the tags are bare, as metadata-action gives them.
		res.Refs = append(res.Refs, res.TagNames...)
	}
	res.ImageVersion = res.Version
	if !isTimetracker(r.o.Rules) {
		res.ImageVersion = ""
		if len(res.TagNames) > 0 {
			res.ImageVersion = res.TagNames[0]
		}
	}
	base := map[string]string{
		"org.opencontainers.image.title":       r.ev.Title,
		"org.opencontainers.image.description": r.ev.Description,
		"org.opencontainers.image.url":         r.ev.URL,
		"org.opencontainers.image.source":      r.ev.URL,
		"org.opencontainers.image.version":     res.ImageVersion,
		"org.opencontainers.image.created":     formatCreated(r.created()),
		"org.opencontainers.image.revision":    res.SHA,
		"org.opencontainers.image.licenses":    r.ev.License,
	}
	var err error
	if res.Labels, err = r.ociLabels(base, r.o.Labels, "labels"); err != nil {
		return err
	}
	if res.AnnotationValues, err = r.ociLabels(base, r.o.Annotations, "annotations"); err != nil {
		return err
	}
	levels := r.o.AnnotationLevels
	if len(levels) == 0 {
		levels = []string{"manifest"}
	}
	for _, level := range levels {
		for _, a := range res.AnnotationValues {
			res.Annotations = append(res.Annotations, level+":"+a.Key+"="+a.Value)
		}
	}
	return nil
}

// created is the org.opencontainers.image.created time: the commit's, or
// the clock's when there is no commit.
func (r *resolver) created() time.Time {
	if r.ev.SHA == "" {
		return r.o.Now
	}
	return r.res.CommitDate
}

// exprContext is what {{...}} expressions see for this run.
func (r *resolver) exprContext() *exprContext {
	ref := r.ev.Ref
	if r.ev.Local && r.tagName != "" {
		ref = "refs/tags/" + r.tagName // a local build of the tag at HEAD
	}
	return &exprContext{
		branch: r.branch, tag: r.tagName, sha: r.shortSHA(r.ev.SHA), baseRef: r.baseRef(),
		isDefaultBranch: metadataDefaultBranch(r.ev.Name, ref, r.ev.DefaultBranch), now: r.o.Now.UTC(), commitTime: r.res.CommitDate,
	}
}

// baseRef is {{base_ref}}: the branch a pushed tag was on, or a pull
// request's base branch; empty for anything else.
func (r *resolver) baseRef() string {
	if r.tagName != "" || r.isPR() {
		return strings.TrimPrefix(r.ev.BaseRef, "refs/heads/")
	}
	return ""
}

func (r *resolver) shortSHA(sha string) string {
	n := r.o.ShortSHALength
	if n <= 0 {
		n = 7
	}
	if len(sha) > n {
		return sha[:n]
	}
	return sha
}

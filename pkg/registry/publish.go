package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Request says what to publish where.
type Request struct {
	// Sources are per-platform images (merged into a new index) or a single
	// index to promote unchanged. A bare "sha256:…" names that digest in the
	// first of Images.
	Sources []string
	// Images are the target repositories ("ghcr.io/org/app", "docker.io/org/app").
	Images []string
	// Tags are applied to the index in every target repository.
	Tags []string
	// Platforms must all be present ("linux/amd64"); empty requires none.
	Platforms []string
	// Force lets version tags move to another digest.
	Force bool
	// DryRun reads everything and checks platforms and tag rules, but
	// writes nothing; the result tells what a real run would do.
	DryRun bool
}

// TagChange says what happened to one tag.
type TagChange string

// The changes a tag can go through.
const (
	TagCreated   TagChange = "created"
	TagMoved     TagChange = "moved"
	TagForced    TagChange = "forced" // a version tag moved because of Force
	TagUnchanged TagChange = "unchanged"
	TagFailed    TagChange = "failed" // was to change but was not written: still on Old
)

// TagResult is one tag in one repository.
type TagResult struct {
	Image  string    `json:"image"`
	Tag    string    `json:"tag"`
	Ref    string    `json:"ref"`
	Old    string    `json:"old,omitempty"` // digest before, empty if the tag was new
	New    string    `json:"new"`
	Change TagChange `json:"change"`
}

// Result is what Publish did.
type Result struct {
	Digest    string      `json:"digest"`
	MediaType string      `json:"mediaType"`
	Platforms []string    `json:"platforms"`
	Promoted  bool        `json:"promoted"` // an existing index was published unchanged
	DryRun    bool        `json:"dryRun"`   // nothing was written; Tags and Refs are the plan
	Refs      []string    `json:"refs"`     // image@digest per target repository
	Tags      []TagResult `json:"tags"`
	Copy      CopyStats   `json:"copy"`
}

// CopyStats counts what had to be written.
type CopyStats struct {
	Manifests     int   `json:"manifests"`     // manifests pushed by digest
	BlobsUploaded int   `json:"blobsUploaded"` // blobs sent through this client
	BlobsMounted  int   `json:"blobsMounted"`  // blobs linked from another repository by the registry
	BlobsExisting int   `json:"blobsExisting"` // blobs already in place
	BytesUploaded int64 `json:"bytesUploaded"`
}

func (s *CopyStats) add(o CopyStats) {
	s.Manifests += o.Manifests
	s.BlobsUploaded += o.BlobsUploaded
	s.BlobsMounted += o.BlobsMounted
	s.BlobsExisting += o.BlobsExisting
	s.BytesUploaded += o.BytesUploaded
}

// MissingPlatformsError says which required platforms the image lacks.
type MissingPlatformsError struct {
	Missing, Have []string
}

func (e *MissingPlatformsError) Error() string {
	return fmt.Sprintf("the image lacks required platform(s) %s (it has %s): build and push the missing platform images and list them in sources, or remove them from platforms; no tag was changed",
		strings.Join(e.Missing, ", "), strings.Join(e.Have, ", "))
}

// TagConflict is a version tag that already points elsewhere.
type TagConflict struct {
	Ref, Current, Want string
}

// ImmutableTagError lists version tags that would have to move.
type ImmutableTagError struct {
	Conflicts []TagConflict
}

func (e *ImmutableTagError) Error() string {
	var b strings.Builder
	for i, c := range e.Conflicts {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s points at %s, not %s", c.Ref, c.Current, c.Want)
	}
	return fmt.Sprintf("version tags are immutable and would move: %s: publish a new version, or set force to true to move them; no tag was changed", b.String())
}

// child is one manifest of the index and where its content can be read.
type child struct {
	desc descriptor
	src  Reference
	raw  []byte // known when the source was fetched
}

// plan is what Publish works out before writing anything.
type plan struct {
	index     []byte
	digest    string
	mediaType string
	children  []child
	promoted  bool
	sources   []Reference // where children are read from
	targets   []Reference
	tags      []string
	current   map[string]map[string]string // target name -> tag -> current digest

	mu        sync.Mutex
	manifests map[string]*manifestOnce // digest -> manifest read from a source

	refOnce sync.Once
	refs    map[string][]Referrer // subject digest -> referrers in the source
	refErr  error
}

type manifestOnce struct {
	once sync.Once
	raw  []byte
	err  error
}

// manifest reads a source manifest once, however many targets need it at
// the same time; a failed read is forgotten so a later call can try again.
func (p *plan) manifest(digest string, read func() ([]byte, error)) ([]byte, error) {
	p.mu.Lock()
	if p.manifests == nil {
		p.manifests = map[string]*manifestOnce{}
	}
	m, ok := p.manifests[digest]
	if !ok {
		m = &manifestOnce{}
		p.manifests[digest] = m
	}
	p.mu.Unlock()
	m.once.Do(func() { m.raw, m.err = read() })
	if m.err != nil {
		p.mu.Lock()
		if p.manifests[digest] == m {
			delete(p.manifests, digest)
		}
		p.mu.Unlock()
	}
	return m.raw, m.err
}

// Publish builds (or takes) the index, checks platforms and tag rules,
// copies the index into every target repository, verifies it there by
// digest, and only then moves the tags. Running it again with the same
// request writes nothing.
func (c *Client) Publish(ctx context.Context, req Request) (*Result, error) {
	p, err := parseRequest(req)
	if err != nil {
		return nil, err
	}
	// Reading the sources and the targets' tags are independent reads:
	// doing them together takes two round trips off the critical path.
	err = c.parallel(ctx, 2, func(ctx context.Context, i int) error {
		if i == 0 {
			return c.build(ctx, p)
		}
		return c.planTags(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Digest: p.digest, MediaType: p.mediaType, Promoted: p.promoted, Platforms: []string{}, Tags: []TagResult{}}
	for _, ch := range p.children {
		if ch.desc.Platform != nil && !ch.desc.isAttestation() {
			res.Platforms = append(res.Platforms, ch.desc.Platform.String())
		}
	}
	sort.Strings(res.Platforms)
	if err := checkPlatforms(req.Platforms, p.children); err != nil {
		return nil, err
	}

	var conflicts []TagConflict
	for _, t := range p.targets {
		for _, tag := range p.tags {
			cur := p.current[t.Name()][tag]
			if cur != "" && cur != p.digest && IsVersionTag(tag) {
				conflicts = append(conflicts, TagConflict{Ref: t.WithTag(tag).String(), Current: cur, Want: p.digest})
			}
		}
	}
	if len(conflicts) > 0 && !req.Force {
		return res, &ImmutableTagError{Conflicts: conflicts}
	}

	type job struct {
		t    Reference
		tag  string
		tr   TagResult
		done bool // written by the job's own goroutine, read after the wait
	}
	var jobs []*job
	for _, t := range p.targets {
		for _, tag := range p.tags {
			cur := p.current[t.Name()][tag]
			tr := TagResult{Image: t.Name(), Tag: tag, Ref: t.WithTag(tag).String(), Old: cur, New: p.digest}
			switch {
			case cur == p.digest:
				tr.Change = TagUnchanged
			case cur == "":
				tr.Change = TagCreated
			case IsVersionTag(tag):
				tr.Change = TagForced
			default:
				tr.Change = TagMoved
			}
			jobs = append(jobs, &job{t: t, tag: tag, tr: tr})
		}
	}
	if req.DryRun {
		res.DryRun = true
		for _, t := range p.targets {
			res.Refs = append(res.Refs, t.WithDigest(p.digest).String())
		}
		for _, j := range jobs {
			res.Tags = append(res.Tags, j.tr)
		}
		return res, nil
	}

	// The index goes everywhere, verified, before the first tag moves.
	stats := make([]CopyStats, len(p.targets))
	if err := c.parallel(ctx, len(p.targets), func(ctx context.Context, i int) error {
		if err := c.ensureIndex(ctx, p, p.targets[i], &stats[i]); err != nil {
			return err
		}
		if p.promoted {
			// SBOMs and provenance attached as referrers travel with the index.
			return c.copyReferrers(ctx, p, p.targets[i], &stats[i])
		}
		return nil
	}); err != nil {
		return res, err
	}
	for i, t := range p.targets {
		res.Copy.add(stats[i])
		res.Refs = append(res.Refs, t.WithDigest(p.digest).String())
	}

	err = c.each(ctx, len(jobs), func(ctx context.Context, i int) error {
		j := jobs[i]
		if j.tr.Change == TagUnchanged {
			j.done = true
			return nil
		}
		hc, err := c.host(ctx, j.t.Registry, p.scopes(j.t.Registry))
		if err != nil {
			return err
		}
		if err := hc.putManifest(ctx, j.t.Repository, j.tag, p.index, p.mediaType); err != nil {
			return fmt.Errorf("tagging %s: %w", j.tr.Ref, err)
		}
		j.done = true
		c.o.logf("%s %s -> %s", j.tr.Change, j.tr.Ref, p.digest)
		return nil
	})
	for _, j := range jobs {
		if !j.done {
			j.tr.Change = TagFailed
		}
		res.Tags = append(res.Tags, j.tr)
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// scopes lists the token scopes needed on one registry: push to the
// targets there, pull from the sources there.
func (p *plan) scopes(registry string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, t := range p.targets {
		if t.Registry == registry {
			add(pushScope(t.Repository))
		}
	}
	for _, src := range p.sources {
		if src.Registry == registry && !seen[pushScope(src.Repository)] {
			add(pullScope(src.Repository))
		}
	}
	return out
}

// parseRequest checks the request and names everything; no I/O.
func parseRequest(req Request) (*plan, error) {
	if len(req.Images) == 0 {
		return nil, errors.New("no target image given: list at least one repository in images, e.g. ghcr.io/org/app")
	}
	if len(req.Sources) == 0 {
		return nil, errors.New("no source given: list the per-platform image digests (or one multi-platform reference) in sources")
	}
	p := &plan{current: map[string]map[string]string{}}
	seen := map[string]bool{}
	for _, s := range req.Images {
		r, err := ParseRepository(s)
		if err != nil {
			return nil, err
		}
		if !seen[r.Name()] {
			seen[r.Name()] = true
			p.targets = append(p.targets, r)
		}
	}
	seenTag := map[string]bool{}
	for _, tag := range req.Tags {
		if err := ValidateTag(tag); err != nil {
			return nil, err
		}
		if !seenTag[tag] {
			seenTag[tag] = true
			p.tags = append(p.tags, tag)
		}
	}
	for _, pl := range req.Platforms {
		if _, err := ParsePlatform(pl); err != nil {
			return nil, err
		}
	}
	var srcs []Reference
	for _, s := range req.Sources {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "sha256:") {
			s = p.targets[0].Name() + "@" + s
		}
		r, err := ParseReference(s)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, r)
	}
	// Scopes are known from the names alone; ask for them all at once.
	p.sources = srcs
	return p, nil
}

// build reads the sources and builds the index (or takes the one index).
func (c *Client) build(ctx context.Context, p *plan) error {
	srcs := p.sources
	fetchedAll := make([]*fetched, len(srcs))
	err := c.parallel(ctx, len(srcs), func(ctx context.Context, i int) error {
		hc, err := c.host(ctx, srcs[i].Registry, p.scopes(srcs[i].Registry))
		if err != nil {
			return err
		}
		f, err := c.fetchWith(ctx, hc, srcs[i])
		fetchedAll[i] = f
		return err
	})
	if err != nil {
		return err
	}

	if len(fetchedAll) == 1 && isIndexType(fetchedAll[0].mediaType) {
		f := fetchedAll[0]
		p.promoted = true
		p.index, p.digest, p.mediaType = f.raw, f.digest, f.mediaType
		for _, d := range f.doc.Manifests {
			p.children = append(p.children, child{desc: d, src: f.ref})
		}
		return nil
	}

	byPlatform := map[string]child{}
	for _, f := range fetchedAll {
		var add []child
		if isIndexType(f.mediaType) {
			for _, d := range f.doc.Manifests {
				if d.Platform == nil || d.isAttestation() {
					continue // provenance of another index does not describe our merge
				}
				add = append(add, child{desc: d, src: f.ref})
			}
		} else {
			pl := *f.platform
			add = append(add, child{desc: descriptor{MediaType: f.mediaType, Size: int64(len(f.raw)), Digest: f.digest, Platform: &pl}, src: f.ref, raw: f.raw})
		}
		for _, ch := range add {
			key := ch.desc.Platform.normalize()
			if prev, ok := byPlatform[key]; ok {
				if prev.desc.Digest != ch.desc.Digest {
					return fmt.Errorf("sources %s and %s both provide %s: give one image per platform", prev.src, ch.src, key)
				}
				continue
			}
			byPlatform[key] = ch
		}
	}
	keys := make([]string, 0, len(byPlatform))
	for k := range byPlatform {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	allDocker := true
	for _, k := range keys {
		ch := byPlatform[k]
		p.children = append(p.children, ch)
		if ch.desc.MediaType != string(types.DockerManifestSchema2) {
			allDocker = false
		}
	}
	// A Docker manifest list may only hold Docker manifests; an OCI index
	// holds either, so mixed sources get an OCI index.
	p.mediaType = string(types.OCIImageIndex)
	if allDocker {
		p.mediaType = string(types.DockerManifestList)
	}
	idx := manifestDoc{SchemaVersion: 2, MediaType: p.mediaType}
	for _, ch := range p.children {
		d := ch.desc
		d.Annotations = nil
		idx.Manifests = append(idx.Manifests, d)
	}
	raw, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	p.index, p.digest = raw, digestOf(raw)
	return nil
}

func checkPlatforms(required []string, children []child) error {
	have := map[string]bool{}
	var haveList []string
	for _, ch := range children {
		if ch.desc.Platform == nil || ch.desc.isAttestation() {
			continue
		}
		have[ch.desc.Platform.normalize()] = true
		haveList = append(haveList, ch.desc.Platform.String())
	}
	var missing []string
	for _, r := range required {
		p, err := ParsePlatform(r)
		if err != nil {
			return err
		}
		if !have[p.normalize()] {
			missing = append(missing, p.String())
		}
	}
	if len(missing) > 0 {
		sort.Strings(haveList)
		if len(haveList) == 0 {
			haveList = []string{"none"}
		}
		return &MissingPlatformsError{Missing: missing, Have: haveList}
	}
	return nil
}

// planTags learns the digest each requested tag points at in every target:
// one tags/list per repository, then a HEAD only for the tags that exist.
func (c *Client) planTags(ctx context.Context, p *plan) error {
	if len(p.tags) == 0 {
		return nil
	}
	var mu sync.Mutex
	return c.parallel(ctx, len(p.targets), func(ctx context.Context, i int) error {
		t := p.targets[i]
		hc, err := c.host(ctx, t.Registry, p.scopes(t.Registry))
		if err != nil {
			return err
		}
		var exists map[string]bool
		if len(p.tags) > 1 {
			// One HEAD is cheaper than a list and a HEAD, so a single tag skips this.
			exists, err = hc.listTags(ctx, t.Repository)
			var se *StatusError
			if errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 {
				// Some registries deny listing to pushers or reject the page
				// size; the list is an optimisation, so ask tag by tag instead.
				c.o.logf("listing the tags of %s was refused (%d): checking each tag", t.Name(), se.StatusCode)
				exists, err = nil, nil
			}
			if err != nil {
				return fmt.Errorf("listing the tags of %s: %w", t.Name(), err)
			}
		}
		cur := map[string]string{}
		for _, tag := range p.tags {
			if exists != nil && !exists[tag] {
				continue
			}
			d, ok, err := hc.headManifest(ctx, t.Repository, tag)
			if err != nil {
				return fmt.Errorf("reading tag %s: %w", t.WithTag(tag), err)
			}
			if ok && d.Digest == "" {
				// No Docker-Content-Digest on the HEAD: digest the manifest itself.
				raw, _, err := hc.getManifest(ctx, t.Repository, tag)
				if err != nil {
					return fmt.Errorf("reading tag %s: %w", t.WithTag(tag), err)
				}
				d.Digest = digestOf(raw)
			}
			if ok {
				cur[tag] = d.Digest
			}
		}
		mu.Lock()
		p.current[t.Name()] = cur
		mu.Unlock()
		return nil
	})
}

// parallel runs fn for 0..n-1 with at most jobs at once and returns the
// first error; the others are cancelled.
func (c *Client) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return c.run(ctx, n, c.o.jobs, true, fn)
}

// each is parallel without cancelling: every fn runs, and all errors are
// returned joined. Tag writes use it, so one refused tag does not leave the
// others behind or make the result misreport what was written.
// Tag writes are tiny, so up to 4x jobs of them go at once.
func (c *Client) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return c.run(ctx, n, 4*c.o.jobs, false, fn)
}

func (c *Client) run(ctx context.Context, n, limit int, cancelOnError bool, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				if cancelOnError {
					cancel()
				}
			}
		}(i)
	}
	wg.Wait()
	if len(errs) == 0 {
		return ctx.Err()
	}
	if cancelOnError {
		return errs[0]
	}
	return errors.Join(errs...)
}

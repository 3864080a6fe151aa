package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The OCI empty descriptor: the config of an artifact that has none.
const (
	emptyMediaType = "application/vnd.oci.empty.v1+json"
	emptyDigest    = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
)

var emptyJSON = []byte("{}")

// Artifact is a document attached to an image as an OCI referrer: an
// image manifest whose artifactType says what it is, whose one layer is
// the document, and whose subject is the manifest it describes.
type Artifact struct {
	ArtifactType string            // "application/spdx+json"
	MediaType    string            // of the document; ArtifactType when empty
	Data         []byte            // the document
	Annotations  map[string]string // on the manifest (and in referrer listings)
}

// Referrer is a manifest that refers to a subject.
type Referrer struct {
	Digest       string            `json:"digest"`
	MediaType    string            `json:"mediaType"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

// Attached says what Attach did.
type Attached struct {
	Subject      string `json:"subject"`
	Digest       string `json:"digest"`
	ArtifactType string `json:"artifactType"`
	Ref          string `json:"ref"`      // repository@digest of the artifact manifest
	Existing     bool   `json:"existing"` // an artifact of this type was already attached: nothing written
	TagFallback  bool   `json:"tagFallback"`
}

// FallbackTag is the referrers tag scheme's tag for a subject digest.
func FallbackTag(digest string) string { return strings.Replace(digest, ":", "-", 1) }

type artifactManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        descriptor        `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Subject       *descriptor       `json:"subject,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

type referrersIndex struct {
	SchemaVersion int        `json:"schemaVersion"`
	MediaType     string     `json:"mediaType"`
	Manifests     []Referrer `json:"manifests"`
}

// subjectDesc reads the descriptor of the manifest a referrer points at.
func (c *Client) subjectDesc(ctx context.Context, hc *hostClient, r Reference, digest string) (descriptor, error) {
	raw, ct, err := hc.getManifest(ctx, r.Repository, digest)
	if isNotFound(err) {
		return descriptor{}, fmt.Errorf("%s@%s does not exist: attach to a digest that was pushed there: %w", r.Name(), digest, err)
	}
	if err != nil {
		return descriptor{}, fmt.Errorf("reading %s@%s: %w", r.Name(), digest, err)
	}
	if digestOf(raw) != digest {
		return descriptor{}, fmt.Errorf("registry %s returned content for %s that does not match its digest", r.Registry, digest)
	}
	_, mt, err := parseManifest(raw, ct)
	if err != nil {
		return descriptor{}, fmt.Errorf("%s@%s: %w", r.Name(), digest, err)
	}
	return descriptor{MediaType: mt, Digest: digest, Size: int64(len(raw))}, nil
}

// Attach attaches a to the manifest subject ("sha256:…") in repository repo.
// An artifact of the same type already attached to the subject is kept and
// nothing is written, so a re-run attaches nothing twice. Registries
// without the referrers API get the referrers tag scheme (a sha256-<hex>
// tag holding an index of the referrers).
func (c *Client) Attach(ctx context.Context, repo, subject string, a Artifact) (*Attached, error) {
	r, err := ParseRepository(repo)
	if err != nil {
		return nil, err
	}
	if a.ArtifactType == "" {
		return nil, errors.New("an artifact needs an artifactType")
	}
	if a.MediaType == "" {
		a.MediaType = a.ArtifactType
	}
	hc, err := c.host(ctx, r.Registry, []string{pushScope(r.Repository)})
	if err != nil {
		return nil, err
	}
	subj, err := c.subjectDesc(ctx, hc, r, subject)
	if err != nil {
		return nil, err
	}
	existing, err := c.referrers(ctx, hc, r, subject)
	if err != nil {
		return nil, err
	}
	for _, e := range existing {
		if e.ArtifactType == a.ArtifactType {
			return &Attached{Subject: subject, Digest: e.Digest, ArtifactType: a.ArtifactType, Ref: r.WithDigest(e.Digest).String(), Existing: true}, nil
		}
	}
	layer := descriptor{MediaType: a.MediaType, Digest: digestOf(a.Data), Size: int64(len(a.Data))}
	m := artifactManifest{SchemaVersion: 2, MediaType: string(types.OCIManifestSchema1), ArtifactType: a.ArtifactType,
		Config: descriptor{MediaType: emptyMediaType, Digest: emptyDigest, Size: int64(len(emptyJSON))},
		Layers: []descriptor{layer}, Subject: &subj, Annotations: a.Annotations}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	for _, b := range []struct {
		d    descriptor
		data []byte
	}{{m.Config, emptyJSON}, {layer, a.Data}} {
		if err := c.pushBlob(ctx, hc, r, b.d.Digest, b.data); err != nil {
			return nil, err
		}
	}
	ref := Referrer{Digest: digestOf(raw), MediaType: m.MediaType, Size: int64(len(raw)), ArtifactType: a.ArtifactType, Annotations: a.Annotations}
	fallback, err := c.putReferrer(ctx, hc, r, subject, ref, raw)
	if err != nil {
		return nil, err
	}
	c.o.logf("attached %s %s to %s@%s", a.ArtifactType, ref.Digest, r.Name(), subject)
	return &Attached{Subject: subject, Digest: ref.Digest, ArtifactType: a.ArtifactType, Ref: r.WithDigest(ref.Digest).String(), TagFallback: fallback}, nil
}

// putReferrer pushes a referrer manifest by digest and, unless the
// registry indexes it itself, adds it to the subject's fallback tag.
func (c *Client) putReferrer(ctx context.Context, hc *hostClient, r Reference, subject string, ref Referrer, raw []byte) (fallback bool, err error) {
	resp, err := hc.do(ctx, http.MethodPut, hc.url(r.Repository, "manifests/"+ref.Digest), raw,
		http.Header{"Content-Type": {ref.MediaType}}, http.StatusCreated, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return false, fmt.Errorf("pushing the %s referrer to %s: %w", ref.ArtifactType, r.Name(), err)
	}
	resp.Body.Close()
	if resp.Header.Get("OCI-Subject") == subject {
		return false, nil
	}
	// No OCI-Subject header: the registry may still list it (some
	// registries serve the API without the header); ask before falling back.
	if list, api, err := hc.referrersAPI(ctx, r.Repository, subject); err == nil && api {
		for _, d := range list {
			if d.Digest == ref.Digest {
				return false, nil
			}
		}
	}
	return true, c.addToFallbackTag(ctx, hc, r, subject, ref)
}

func (c *Client) addToFallbackTag(ctx context.Context, hc *hostClient, r Reference, subject string, ref Referrer) error {
	tag := FallbackTag(subject)
	idx := referrersIndex{SchemaVersion: 2, MediaType: string(types.OCIImageIndex)}
	raw, _, err := hc.getManifest(ctx, r.Repository, tag)
	switch {
	case isNotFound(err):
	case err != nil:
		return fmt.Errorf("reading the referrers tag %s of %s: %w", tag, r.Name(), err)
	default:
		if err := json.Unmarshal(raw, &idx); err != nil {
			return fmt.Errorf("the referrers tag %s of %s is not an index: delete it and run again: %w", tag, r.Name(), err)
		}
	}
	for _, d := range idx.Manifests {
		if d.Digest == ref.Digest {
			return nil
		}
	}
	idx.Manifests = append(idx.Manifests, ref)
	out, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := hc.putManifest(ctx, r.Repository, tag, out, idx.MediaType); err != nil {
		return fmt.Errorf("writing the referrers tag %s of %s: %w", tag, r.Name(), err)
	}
	return nil
}

// referrersAPI asks the referrers API; api is false when the registry
// does not offer it (404 and other client errors, per the distribution spec).
func (hc *hostClient) referrersAPI(ctx context.Context, repo, digest string) (list []Referrer, api bool, err error) {
	resp, err := hc.do(ctx, http.MethodGet, hc.url(repo, "referrers/"+digest), nil,
		http.Header{"Accept": {string(types.OCIImageIndex)}}, http.StatusOK)
	var se *StatusError
	if errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != http.StatusUnauthorized && se.StatusCode != http.StatusForbidden {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, string(types.OCIImageIndex)) && !strings.HasPrefix(ct, "application/json") {
		return nil, false, nil // some registries answer 200 with an HTML page
	}
	var idx referrersIndex
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxManifest)).Decode(&idx); err != nil {
		return nil, false, fmt.Errorf("registry %s sent an unreadable referrers list for %s: %w", hc.host, digest, err)
	}
	// Some registries (go-containerregistry's) report the config's media
	// type instead of the manifest's artifactType, which the spec says wins:
	// read those manifests to learn what they are.
	for i, d := range idx.Manifests {
		if d.ArtifactType != "" && d.ArtifactType != emptyMediaType {
			continue
		}
		raw, _, err := hc.getManifest(ctx, repo, d.Digest)
		if err != nil || digestOf(raw) != d.Digest {
			continue
		}
		var m artifactManifest
		if json.Unmarshal(raw, &m) == nil && m.ArtifactType != "" {
			idx.Manifests[i].ArtifactType, idx.Manifests[i].Annotations = m.ArtifactType, m.Annotations
		}
	}
	return idx.Manifests, true, nil
}

// referrers lists the referrers of digest in r: the API's answer and the
// fallback tag's, merged (a registry may have gained the API after
// referrers were pushed to the tag), sorted by digest.
func (c *Client) referrers(ctx context.Context, hc *hostClient, r Reference, digest string) ([]Referrer, error) {
	byDigest := map[string]Referrer{}
	list, _, err := hc.referrersAPI(ctx, r.Repository, digest)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s@%s: %w", r.Name(), digest, err)
	}
	for _, d := range list {
		byDigest[d.Digest] = d
	}
	raw, _, err := hc.getManifest(ctx, r.Repository, FallbackTag(digest))
	switch {
	case isNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("reading the referrers tag of %s@%s: %w", r.Name(), digest, err)
	default:
		var idx referrersIndex
		if err := json.Unmarshal(raw, &idx); err == nil {
			for _, d := range idx.Manifests {
				byDigest[d.Digest] = d
			}
		}
	}
	out := make([]Referrer, 0, len(byDigest))
	for _, d := range byDigest {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest < out[j].Digest })
	return out, nil
}

// Referrers lists the manifests that refer to digest in repository repo.
func (c *Client) Referrers(ctx context.Context, repo, digest string) ([]Referrer, error) {
	r, err := ParseRepository(repo)
	if err != nil {
		return nil, err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return nil, err
	}
	return c.referrers(ctx, hc, r, digest)
}

// maxArtifact bounds an attached document read back (an SBOM of a large
// image is a few MiB).
const maxArtifact = 64 << 20

// ArtifactContent reads the document of a referrer manifest and the
// subject digest it names.
func (c *Client) ArtifactContent(ctx context.Context, repo, digest string) (data []byte, subject string, err error) {
	r, err := ParseRepository(repo)
	if err != nil {
		return nil, "", err
	}
	hc, err := c.host(ctx, r.Registry, []string{pullScope(r.Repository)})
	if err != nil {
		return nil, "", err
	}
	raw, _, err := hc.getManifest(ctx, r.Repository, digest)
	if err != nil {
		return nil, "", fmt.Errorf("reading artifact %s@%s: %w", r.Name(), digest, err)
	}
	if digestOf(raw) != digest {
		return nil, "", fmt.Errorf("registry %s returned content for %s that does not match its digest", r.Registry, digest)
	}
	var m artifactManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", fmt.Errorf("artifact %s@%s is not a manifest: %w", r.Name(), digest, err)
	}
	if len(m.Layers) != 1 {
		return nil, "", fmt.Errorf("artifact %s@%s has %d layers, want one document", r.Name(), digest, len(m.Layers))
	}
	if m.Subject != nil {
		subject = m.Subject.Digest
	}
	l := m.Layers[0]
	if l.Size > maxArtifact {
		return nil, "", fmt.Errorf("artifact %s@%s is %d bytes, over the 64 MiB limit", r.Name(), digest, l.Size)
	}
	body, _, err := hc.getBlob(ctx, r.Repository, l.Digest)
	if err != nil {
		return nil, "", fmt.Errorf("reading the document of %s@%s: %w", r.Name(), digest, err)
	}
	defer body.Close()
	data, err = io.ReadAll(io.LimitReader(body, maxArtifact+1))
	if err != nil {
		return nil, "", fmt.Errorf("reading the document of %s@%s: %w", r.Name(), digest, err)
	}
	if digestOf(data) != l.Digest {
		return nil, "", fmt.Errorf("the document of %s@%s does not match its digest %s", r.Name(), digest, l.Digest)
	}
	return data, subject, nil
}

// pushBlob uploads a small blob unless it is there.
func (c *Client) pushBlob(ctx context.Context, hc *hostClient, r Reference, digest string, data []byte) error {
	if ok, err := hc.headBlob(ctx, r.Repository, digest); err != nil {
		return fmt.Errorf("checking for blob %s in %s: %w", digest, r.Name(), err)
	} else if ok {
		return nil
	}
	loc, _, err := hc.startUpload(ctx, r.Repository, digest, "")
	if err != nil {
		return fmt.Errorf("uploading %s to %s: %w", digest, r.Name(), err)
	}
	if err := hc.finishUpload(ctx, loc, digest, func() io.Reader { return bytes.NewReader(data) }, int64(len(data))); err != nil {
		return fmt.Errorf("uploading %s to %s: %w", digest, r.Name(), err)
	}
	return nil
}

// listReferrersOf lists the referrers of several subjects in r with as
// few requests as the registry allows: with the referrers API, one per
// subject; without, one tag list, then one read per fallback tag present.
func (c *Client) listReferrersOf(ctx context.Context, hc *hostClient, r Reference, subjects []string) (map[string][]Referrer, error) {
	out := map[string][]Referrer{}
	if len(subjects) == 0 {
		return out, nil
	}
	first, api, err := hc.referrersAPI(ctx, r.Repository, subjects[0])
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s@%s: %w", r.Name(), subjects[0], err)
	}
	if api {
		out[subjects[0]] = first
		for _, s := range subjects[1:] {
			list, _, err := hc.referrersAPI(ctx, r.Repository, s)
			if err != nil {
				return nil, fmt.Errorf("listing the referrers of %s@%s: %w", r.Name(), s, err)
			}
			out[s] = list
		}
		return out, nil
	}
	tags, err := hc.listTags(ctx, r.Repository)
	var se *StatusError
	if errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 {
		tags, err = nil, nil // listing refused: read each fallback tag instead
	}
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", r.Name(), err)
	}
	for _, s := range subjects {
		if tags != nil && !tags[FallbackTag(s)] {
			continue
		}
		raw, _, err := hc.getManifest(ctx, r.Repository, FallbackTag(s))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the referrers tag of %s@%s: %w", r.Name(), s, err)
		}
		var idx referrersIndex
		if err := json.Unmarshal(raw, &idx); err == nil {
			out[s] = idx.Manifests
		}
	}
	return out, nil
}

// sourceReferrers lists, once per promotion, the referrers of the index
// and its manifests in the source repository.
func (c *Client) sourceReferrers(ctx context.Context, p *plan) (map[string][]Referrer, error) {
	p.refOnce.Do(func() {
		src := p.sources[0]
		hc, err := c.host(ctx, src.Registry, p.scopes(src.Registry))
		if err != nil {
			p.refErr = err
			return
		}
		subjects := []string{p.digest}
		for _, ch := range p.children {
			subjects = append(subjects, ch.desc.Digest)
		}
		p.refs, p.refErr = c.listReferrersOf(ctx, hc, src, subjects)
	})
	return p.refs, p.refErr
}

// copyReferrers carries the referrers of the promoted index and of its
// manifests from the source repository to t. A referrer already in t is
// left alone, so a re-run writes nothing.
func (c *Client) copyReferrers(ctx context.Context, p *plan, t Reference, st *CopyStats) error {
	src := p.sources[0]
	if src.Registry == t.Registry && src.Repository == t.Repository {
		return nil
	}
	refsBySubject, err := c.sourceReferrers(ctx, p)
	if err != nil {
		return err
	}
	var subjects []string
	for s, refs := range refsBySubject {
		if len(refs) > 0 {
			subjects = append(subjects, s)
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	sort.Strings(subjects)
	srcHC, err := c.host(ctx, src.Registry, p.scopes(src.Registry))
	if err != nil {
		return err
	}
	hc, err := c.host(ctx, t.Registry, p.scopes(t.Registry))
	if err != nil {
		return err
	}
	haveBySubject, err := c.listReferrersOf(ctx, hc, t, subjects)
	if err != nil {
		return err
	}
	var counters copyCounters
	for _, subject := range subjects {
		had := map[string]bool{}
		for _, h := range haveBySubject[subject] {
			had[h.Digest] = true
		}
		for _, ref := range refsBySubject[subject] {
			if had[ref.Digest] {
				continue
			}
			raw, _, err := srcHC.getManifest(ctx, src.Repository, ref.Digest)
			if err != nil {
				return fmt.Errorf("reading referrer %s of %s in %s: %w", ref.Digest, subject, src.Name(), err)
			}
			if digestOf(raw) != ref.Digest {
				return fmt.Errorf("registry %s returned content for referrer %s that does not match its digest", src.Registry, ref.Digest)
			}
			doc, _, err := parseManifest(raw, ref.MediaType)
			if err != nil {
				return fmt.Errorf("referrer %s of %s: %w", ref.Digest, subject, err)
			}
			for _, b := range doc.blobs() {
				if err := c.copyBlob(ctx, srcHC, src, hc, t, b, &counters); err != nil {
					return err
				}
			}
			if _, err := c.putReferrer(ctx, hc, t, subject, ref, raw); err != nil {
				return err
			}
			counters.manifests.Add(1)
			c.o.logf("carried referrer %s (%s) of %s to %s", ref.Digest, ref.ArtifactType, subject, t.Name())
		}
	}
	counters.addTo(st)
	return nil
}

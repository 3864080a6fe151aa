package githubfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
)

const (
	releasesDoc = "https://docs.github.com/rest/releases/releases#create-a-release"
	assetsDoc   = "https://docs.github.com/rest/releases/assets#upload-a-release-asset"
	maxBody     = 125000
	maxAssets   = 1000
	maxAsset    = 2<<30 - 1
)

// assetJSON adds the digest field GitHub returns, which go-github v60 lacks.
type assetJSON struct {
	github.ReleaseAsset
	Digest *string `json:"digest,omitempty"`
}

func (s *Server) assetJSON(c *reqCtx, r *release, a *asset) *assetJSON {
	out := &assetJSON{ReleaseAsset: github.ReleaseAsset{
		ID: ptr(a.id), NodeID: ptr(fmt.Sprintf("RA_%d", a.id)), Name: ptr(a.name), Label: ptr(a.label), State: ptr(a.state),
		ContentType: ptr(a.contentType), Size: ptr(len(a.data)), DownloadCount: ptr(0),
		CreatedAt: &github.Timestamp{Time: a.created}, UpdatedAt: &github.Timestamp{Time: a.updated},
		URL:                ptr(fmt.Sprintf("%s/releases/assets/%d", c.repoAPI(s), a.id)),
		BrowserDownloadURL: ptr(fmt.Sprintf("%s/releases/download/%s/%s", c.html(s), s.downloadTag(r), a.name)),
		Uploader:           &github.User{Login: ptr("github-actions[bot]")},
	}}
	if !s.opts.OmitDigest && a.state == "uploaded" {
		out.Digest = ptr(a.digest)
	}
	return out
}

func (s *Server) downloadTag(r *release) string {
	if r.draft {
		return fmt.Sprintf("untagged-%d", r.id)
	}
	return r.tag
}

func (s *Server) releaseJSON(c *reqCtx, r *release) *github.RepositoryRelease {
	api := fmt.Sprintf("%s/releases/%d", c.repoAPI(s), r.id)
	html := c.html(s) + "/releases/tag/" + s.downloadTag(r)
	out := &github.RepositoryRelease{
		ID: ptr(r.id), NodeID: ptr(fmt.Sprintf("RE_%d", r.id)), TagName: ptr(r.tag), TargetCommitish: ptr(r.target),
		Name: ptr(r.name), Body: ptr(r.body), Draft: ptr(r.draft), Prerelease: ptr(r.prerelease),
		CreatedAt: &github.Timestamp{Time: r.created}, URL: ptr(api), HTMLURL: ptr(html), AssetsURL: ptr(api + "/assets"),
		UploadURL:  ptr(fmt.Sprintf("%s/repos/%s/%s/releases/%d/assets{?name,label}", c.uploadBase(), s.opts.Owner, s.opts.Repo, r.id)),
		TarballURL: ptr(c.repoAPI(s) + "/tarball/" + r.tag), ZipballURL: ptr(c.repoAPI(s) + "/zipball/" + r.tag),
		Author: &github.User{Login: ptr("github-actions[bot]")},
		Assets: []*github.ReleaseAsset{},
	}
	if !r.draft {
		out.PublishedAt = &github.Timestamp{Time: r.published}
	}
	for _, a := range r.assets {
		out.Assets = append(out.Assets, &s.assetJSON(c, r, a).ReleaseAsset)
	}
	return out
}

func (s *Server) findRelease(idText string) *release {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	for _, r := range s.releases {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (s *Server) publishedFor(tag string, except int64) *release {
	for _, r := range s.releases {
		if r.tag == tag && !r.draft && r.id != except {
			return r
		}
	}
	return nil
}

func (s *Server) listReleases(c *reqCtx) {
	out := make([]*github.RepositoryRelease, 0, len(s.releases))
	for i := len(s.releases) - 1; i >= 0; i-- { // newest first
		out = append(out, s.releaseJSON(c, s.releases[i]))
	}
	paginate(c, out)
}

func (s *Server) releaseByTag(c *reqCtx, tag string) {
	// Drafts are invisible here: the reason publishers must also list.
	if r := s.publishedFor(tag, 0); r != nil {
		c.json(http.StatusOK, s.releaseJSON(c, r))
		return
	}
	c.notFound()
}

func (s *Server) latestRelease(c *reqCtx) {
	if r := s.findRelease(strconv.FormatInt(s.latestID, 10)); r != nil {
		c.json(http.StatusOK, s.releaseJSON(c, r))
		return
	}
	c.notFound()
}

type releaseRequest struct {
	TagName         *string `json:"tag_name"`
	TargetCommitish *string `json:"target_commitish"`
	Name            *string `json:"name"`
	Body            *string `json:"body"`
	Draft           *bool   `json:"draft"`
	Prerelease      *bool   `json:"prerelease"`
	MakeLatest      *string `json:"make_latest"`
	GenerateNotes   *bool   `json:"generate_release_notes"`
}

// validate checks a create or update; it answers and returns false when the
// request is refused.
func (s *Server) validate(c *reqCtx, in *releaseRequest, r *release) bool {
	if in.Body != nil && utf8.RuneCountInString(*in.Body) > maxBody {
		c.invalid(releasesDoc, github.Error{Resource: "Release", Code: "custom", Field: "body", Message: "body is too long (maximum is 125000 characters)"})
		return false
	}
	if in.MakeLatest != nil {
		switch *in.MakeLatest {
		case "true", "false", "legacy":
		default:
			c.invalid(releasesDoc, github.Error{Resource: "Release", Code: "invalid", Field: "make_latest"})
			return false
		}
	}
	if in.TargetCommitish != nil && *in.TargetCommitish != "" && s.resolve(*in.TargetCommitish) == nil {
		c.invalid(releasesDoc, github.Error{Resource: "Release", Code: "invalid", Field: "target_commitish"})
		return false
	}
	return true
}

// apply sets fields, publishes (creating the tag when missing) and updates
// the latest marker. Validation has passed.
func (s *Server) apply(in *releaseRequest, r *release) {
	if in.TagName != nil {
		r.tag = *in.TagName
	}
	if in.TargetCommitish != nil && *in.TargetCommitish != "" {
		r.target = *in.TargetCommitish
	}
	if in.Name != nil {
		r.name = *in.Name
	}
	if in.Body != nil {
		r.body = *in.Body
	}
	if in.Prerelease != nil {
		r.prerelease = *in.Prerelease
	}
	if in.Draft != nil {
		if r.draft && !*in.Draft {
			r.published = s.opts.Now()
			if _, ok := s.refs["refs/tags/"+r.tag]; !ok {
				if x := s.resolve(r.target); x != nil {
					s.refs["refs/tags/"+r.tag] = x.sha
				}
			}
		}
		r.draft = *in.Draft
	}
	if r.draft || r.prerelease {
		if s.latestID == r.id {
			s.latestID = 0
		}
		return
	}
	ml := "true"
	if in.MakeLatest != nil {
		ml = *in.MakeLatest
	}
	switch ml {
	case "true":
		s.latestID = r.id
	case "false":
		if s.latestID == r.id {
			s.latestID = 0
		}
	case "legacy":
		if s.latestID == 0 || r.id > s.latestID {
			s.latestID = r.id
		}
	}
}

func (s *Server) createRelease(c *reqCtx) {
	var in releaseRequest
	if !c.decode(&in) {
		return
	}
	if in.TagName == nil || *in.TagName == "" {
		c.invalid(releasesDoc, github.Error{Resource: "Release", Code: "missing_field", Field: "tag_name"})
		return
	}
	if s.publishedFor(*in.TagName, 0) != nil {
		c.invalid(releasesDoc, github.Error{Resource: "Release", Code: "already_exists", Field: "tag_name"})
		return
	}
	if !s.validate(c, &in, nil) {
		return
	}
	s.nextID++
	r := &release{id: s.nextID, target: s.opts.DefaultBranch, created: s.opts.Now(), draft: true}
	draft := in.Draft != nil && *in.Draft
	in.Draft = ptr(draft)
	s.apply(&in, r)
	if in.GenerateNotes != nil && *in.GenerateNotes {
		r.body = strings.TrimSpace(r.body + "\n\n" + s.notes(c, r.tag, r.target, ""))
	}
	s.releases = append(s.releases, r)
	c.w.Header().Set("Location", fmt.Sprintf("%s/releases/%d", c.repoAPI(s), r.id))
	c.json(http.StatusCreated, s.releaseJSON(c, r))
}

func (s *Server) releaseByID(c *reqCtx, idText string) {
	r := s.findRelease(idText)
	if r == nil {
		c.notFound()
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		c.json(http.StatusOK, s.releaseJSON(c, r))
	case http.MethodDelete:
		for i, x := range s.releases {
			if x == r {
				s.releases = append(s.releases[:i], s.releases[i+1:]...)
				break
			}
		}
		if s.latestID == r.id {
			s.latestID = 0
		}
		c.noContent()
	case http.MethodPatch:
		var in releaseRequest
		if !c.decode(&in) {
			return
		}
		tag := r.tag
		if in.TagName != nil {
			tag = *in.TagName
		}
		draft := r.draft
		if in.Draft != nil {
			draft = *in.Draft
		}
		if !draft && s.publishedFor(tag, r.id) != nil {
			c.invalid("https://docs.github.com/rest/releases/releases#update-a-release", github.Error{Resource: "Release", Code: "already_exists", Field: "tag_name"})
			return
		}
		if !s.validate(c, &in, r) {
			return
		}
		s.apply(&in, r)
		c.json(http.StatusOK, s.releaseJSON(c, r))
	default:
		c.notFound()
	}
}

func (s *Server) listAssets(c *reqCtx, idText string) {
	r := s.findRelease(idText)
	if r == nil {
		c.notFound()
		return
	}
	out := make([]*assetJSON, 0, len(r.assets))
	for _, a := range r.assets {
		out = append(out, s.assetJSON(c, r, a))
	}
	paginate(c, out)
}

func (s *Server) findAsset(idText string) (*release, int) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, -1
	}
	for _, r := range s.releases {
		for i, a := range r.assets {
			if a.id == id {
				return r, i
			}
		}
	}
	return nil, -1
}

func (s *Server) assetByID(c *reqCtx, idText string) {
	r, i := s.findAsset(idText)
	if r == nil {
		c.notFound()
		return
	}
	a := r.assets[i]
	switch c.r.Method {
	case http.MethodGet:
		if strings.Contains(c.r.Header.Get("Accept"), "application/octet-stream") {
			http.Redirect(c.w, c.r, *s.assetJSON(c, r, a).BrowserDownloadURL, http.StatusFound)
			c.status = http.StatusFound
			return
		}
		c.json(http.StatusOK, s.assetJSON(c, r, a))
	case http.MethodDelete:
		r.assets = append(r.assets[:i], r.assets[i+1:]...)
		c.noContent()
	case http.MethodPatch:
		var in struct {
			Name  *string `json:"name"`
			Label *string `json:"label"`
		}
		if !c.decode(&in) {
			return
		}
		if in.Name != nil {
			a.name = githubapi.AssetName(*in.Name)
		}
		if in.Label != nil {
			a.label = *in.Label
		}
		a.updated = s.opts.Now()
		c.json(http.StatusOK, s.assetJSON(c, r, a))
	default:
		c.notFound()
	}
}

// checkUpload validates an upload and returns the stored name, or answers.
func (s *Server) checkUpload(c *reqCtx, r *release, size int) (string, bool) {
	raw := c.r.URL.Query().Get("name")
	if raw == "" {
		c.invalid(assetsDoc, github.Error{Resource: "ReleaseAsset", Code: "missing_field", Field: "name"})
		return "", false
	}
	if c.r.Header.Get("Content-Type") == "" {
		c.invalid(assetsDoc, github.Error{Resource: "ReleaseAsset", Code: "missing_field", Field: "content_type"})
		return "", false
	}
	if size > maxAsset {
		c.invalid(assetsDoc, github.Error{Resource: "ReleaseAsset", Code: "custom", Field: "size", Message: "size must be less than 2 GiB"})
		return "", false
	}
	if len(r.assets) >= maxAssets {
		c.invalid(assetsDoc, github.Error{Resource: "ReleaseAsset", Code: "custom", Field: "release", Message: "a release holds at most 1000 assets"})
		return "", false
	}
	name := githubapi.AssetName(raw)
	for _, a := range r.assets {
		if a.name == name {
			c.invalid(assetsDoc, github.Error{Resource: "ReleaseAsset", Code: "already_exists", Field: "name"})
			return "", false
		}
	}
	return name, true
}

func (s *Server) uploadAsset(c *reqCtx, idText string, body []byte) {
	r := s.findRelease(idText)
	if r == nil {
		c.notFound()
		return
	}
	name, ok := s.checkUpload(c, r, len(body))
	if !ok {
		return
	}
	sum := sha256.Sum256(body)
	s.nextID++
	now := s.opts.Now()
	label := c.r.URL.Query().Get("label")
	if label == "" && name != c.r.URL.Query().Get("name") {
		label = c.r.URL.Query().Get("name") // GitHub keeps the original name as the label
	}
	a := &asset{id: s.nextID, name: name, label: label, contentType: c.r.Header.Get("Content-Type"), state: "uploaded",
		data: body, digest: "sha256:" + hex.EncodeToString(sum[:]), created: now, updated: now}
	r.assets = append(r.assets, a)
	c.w.Header().Set("Location", fmt.Sprintf("%s/releases/assets/%d", c.repoAPI(s), a.id))
	c.json(http.StatusCreated, s.assetJSON(c, r, a))
}

// uploadStarter leaves a half-uploaded asset behind, as a broken upload does.
func (s *Server) uploadStarter(c *reqCtx) bool {
	seg := strings.Split(strings.Trim(c.path, "/"), "/")
	if c.r.Method != http.MethodPost || len(seg) != 6 {
		return false
	}
	r := s.findRelease(seg[4])
	if r == nil {
		return false
	}
	name := githubapi.AssetName(c.r.URL.Query().Get("name"))
	for _, a := range r.assets {
		if a.name == name {
			return false
		}
	}
	s.nextID++
	now := s.opts.Now()
	r.assets = append(r.assets, &asset{id: s.nextID, name: name, contentType: c.r.Header.Get("Content-Type"), state: "starter", created: now, updated: now})
	return true
}

// notes renders release notes the way generate-notes does, from the commits
// between the previous tag (or the root) and the tag or target.
func (s *Server) notes(c *reqCtx, tag, target, previous string) string {
	head := s.resolve(tag)
	if head == nil {
		head = s.resolve(target)
	}
	if head == nil {
		return ""
	}
	commits := s.ancestors(head)
	if p := s.resolve(previous); p != nil {
		for sha := range s.ancestors(p) {
			delete(commits, sha)
		}
	}
	var b strings.Builder
	b.WriteString("## What's Changed\n")
	for _, x := range newestFirst(commits) {
		subject, _, _ := strings.Cut(x.message, "\n")
		who := x.author.Name
		if x.author.Login != "" {
			who = "@" + x.author.Login
		}
		fmt.Fprintf(&b, "* %s by %s in %s/commit/%s\n", subject, who, c.html(s), x.sha)
	}
	if previous != "" {
		fmt.Fprintf(&b, "\n\n**Full Changelog**: %s/compare/%s...%s", c.html(s), previous, tag)
	} else {
		fmt.Fprintf(&b, "\n\n**Full Changelog**: %s/commits/%s", c.html(s), tag)
	}
	return b.String()
}

func (s *Server) generateNotes(c *reqCtx) {
	var in struct {
		TagName  string `json:"tag_name"`
		Target   string `json:"target_commitish"`
		Previous string `json:"previous_tag_name"`
		Config   string `json:"configuration_file_path"`
	}
	if !c.decode(&in) {
		return
	}
	if in.TagName == "" {
		c.invalid("https://docs.github.com/rest/releases/releases#generate-release-notes-content-for-a-release", github.Error{Resource: "Release", Code: "missing_field", Field: "tag_name"})
		return
	}
	if in.Target == "" {
		in.Target = s.opts.DefaultBranch
	}
	if in.Previous != "" && s.resolve(in.Previous) == nil {
		c.invalid("https://docs.github.com/rest/releases/releases#generate-release-notes-content-for-a-release", github.Error{Resource: "Release", Code: "invalid", Field: "previous_tag_name"})
		return
	}
	c.json(http.StatusOK, &github.RepositoryReleaseNotes{Name: in.TagName, Body: s.notes(c, in.TagName, in.Target, in.Previous)})
}

package githubfake

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"
)

func (s *Server) getRepo(c *reqCtx) {
	c.json(http.StatusOK, &github.Repository{
		ID: ptr(int64(1296269)), NodeID: ptr("R_fake"), Name: ptr(s.opts.Repo), FullName: ptr(s.opts.Owner + "/" + s.opts.Repo),
		Owner: &github.User{Login: ptr(s.opts.Owner), Type: ptr("Organization")}, DefaultBranch: ptr(s.opts.DefaultBranch),
		HTMLURL: ptr(c.html(s)), URL: ptr(c.repoAPI(s)), Private: ptr(false), Visibility: ptr("public"),
		Permissions: map[string]bool{"admin": false, "push": !s.opts.ReadOnly, "pull": true},
	})
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{7,40}$`)

// resolve turns a commit-ish (sha or unique prefix, branch, tag, full ref)
// into a commit. Called with mu held.
func (s *Server) resolve(ish string) *commit {
	if ish == "" {
		return nil
	}
	for _, ref := range []string{ish, "refs/heads/" + ish, "refs/tags/" + ish} {
		if sha, ok := s.refs[ref]; ok {
			return s.commits[sha]
		}
	}
	if c, ok := s.commits[ish]; ok {
		return c
	}
	if hexSHA.MatchString(ish) {
		var found *commit
		for sha, c := range s.commits {
			if strings.HasPrefix(sha, ish) {
				if found != nil {
					return nil // ambiguous
				}
				found = c
			}
		}
		return found
	}
	return nil
}

// ancestors returns c and every commit reachable from it.
func (s *Server) ancestors(c *commit) map[string]*commit {
	seen := map[string]*commit{}
	stack := []*commit{c}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == nil || seen[x.sha] != nil {
			continue
		}
		seen[x.sha] = x
		for _, p := range x.parents {
			stack = append(stack, s.commits[p])
		}
	}
	return seen
}

// newestFirst orders commits the way the commits endpoint does.
func newestFirst(m map[string]*commit) []*commit {
	out := make([]*commit, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

func (s *Server) commitJSON(c *reqCtx, x *commit) *github.RepositoryCommit {
	when := &github.Timestamp{Time: x.date}
	rc := &github.RepositoryCommit{
		SHA: ptr(x.sha), NodeID: ptr("C_" + x.sha[:12]),
		Commit: &github.Commit{
			SHA:       ptr(x.sha),
			Message:   ptr(x.message),
			Author:    &github.CommitAuthor{Name: ptr(x.author.Name), Email: ptr(x.author.Email), Date: when},
			Committer: &github.CommitAuthor{Name: ptr(x.author.Name), Email: ptr(x.author.Email), Date: when},
		},
		HTMLURL: ptr(c.html(s) + "/commit/" + x.sha),
		URL:     ptr(c.repoAPI(s) + "/commits/" + x.sha),
	}
	if x.author.Login != "" {
		rc.Author = &github.User{Login: ptr(x.author.Login)}
		rc.Committer = &github.User{Login: ptr(x.author.Login)}
	}
	for _, p := range x.parents {
		rc.Parents = append(rc.Parents, &github.Commit{SHA: ptr(p), URL: ptr(c.repoAPI(s) + "/commits/" + p)})
	}
	return rc
}

func (s *Server) listCommits(c *reqCtx) {
	start := c.r.URL.Query().Get("sha")
	if start == "" {
		start = s.opts.DefaultBranch
	}
	head := s.resolve(start)
	if head == nil {
		c.notFound()
		return
	}
	var out []*github.RepositoryCommit
	for _, x := range newestFirst(s.ancestors(head)) {
		out = append(out, s.commitJSON(c, x))
	}
	paginate(c, out)
}

func (s *Server) getCommit(c *reqCtx, ish string) {
	x := s.resolve(ish)
	if x == nil {
		c.fail(http.StatusUnprocessableEntity, "No commit found for SHA: "+ish, "https://docs.github.com/rest/commits/commits#get-a-commit")
		return
	}
	c.json(http.StatusOK, s.commitJSON(c, x))
}

func (s *Server) compare(c *reqCtx, spec string) {
	base, head, ok := strings.Cut(spec, "...")
	if !ok {
		base, head, ok = strings.Cut(spec, "..")
	}
	bc, hc := s.resolve(base), s.resolve(head)
	if !ok || bc == nil || hc == nil {
		c.notFound()
		return
	}
	ba, ha := s.ancestors(bc), s.ancestors(hc)
	aheadSet, behind := map[string]*commit{}, 0
	for sha, x := range ha {
		if ba[sha] == nil {
			aheadSet[sha] = x
		}
	}
	var mergeBase *commit
	for sha, x := range ba {
		if ha[sha] == nil {
			behind++
		} else if mergeBase == nil || x.seq > mergeBase.seq {
			mergeBase = x
		}
	}
	ahead := newestFirst(aheadSet)
	status := "identical"
	switch {
	case len(ahead) > 0 && behind > 0:
		status = "diverged"
	case len(ahead) > 0:
		status = "ahead"
	case behind > 0:
		status = "behind"
	}
	cmp := &github.CommitsComparison{
		BaseCommit: s.commitJSON(c, bc), Status: ptr(status), AheadBy: ptr(len(ahead)), BehindBy: ptr(behind), TotalCommits: ptr(len(ahead)),
		HTMLURL: ptr(c.html(s) + "/compare/" + base + "..." + head), URL: ptr(c.repoAPI(s) + "/compare/" + base + "..." + head),
		PermalinkURL: ptr(c.html(s) + "/compare/" + bc.sha[:7] + "..." + hc.sha[:7]),
	}
	if mergeBase != nil {
		cmp.MergeBaseCommit = s.commitJSON(c, mergeBase)
	}
	// Oldest first, at most 250, like GitHub.
	for i := len(ahead) - 1; i >= 0 && len(cmp.Commits) < 250; i-- {
		cmp.Commits = append(cmp.Commits, s.commitJSON(c, ahead[i]))
	}
	c.json(http.StatusOK, cmp)
}

func (s *Server) listTags(c *reqCtx) {
	var names []string
	for ref := range s.refs {
		if name, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
			names = append(names, name)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	out := make([]*github.RepositoryTag, 0, len(names))
	for _, n := range names {
		sha := s.refs["refs/tags/"+n]
		out = append(out, &github.RepositoryTag{
			Name:       ptr(n),
			Commit:     &github.Commit{SHA: ptr(sha), URL: ptr(c.repoAPI(s) + "/commits/" + sha)},
			ZipballURL: ptr(c.repoAPI(s) + "/zipball/refs/tags/" + n),
			TarballURL: ptr(c.repoAPI(s) + "/tarball/refs/tags/" + n),
		})
	}
	paginate(c, out)
}

func (s *Server) refJSON(c *reqCtx, ref string) *github.Reference {
	sha := s.refs[ref]
	return &github.Reference{
		Ref: ptr(ref), NodeID: ptr("REF_" + ref), URL: ptr(c.repoAPI(s) + "/git/" + ref),
		Object: &github.GitObject{Type: ptr("commit"), SHA: ptr(sha), URL: ptr(c.repoAPI(s) + "/git/commits/" + sha)},
	}
}

func (s *Server) getRef(c *reqCtx, ref string) {
	full := "refs/" + ref
	if _, ok := s.refs[full]; !ok {
		c.fail(http.StatusNotFound, "Not Found", "https://docs.github.com/rest/git/refs#get-a-reference")
		return
	}
	c.json(http.StatusOK, s.refJSON(c, full))
}

func (s *Server) matchingRefs(c *reqCtx, prefix string) {
	var names []string
	for ref := range s.refs {
		if strings.HasPrefix(ref, "refs/"+prefix) {
			names = append(names, ref)
		}
	}
	sort.Strings(names)
	out := make([]*github.Reference, 0, len(names))
	for _, n := range names {
		out = append(out, s.refJSON(c, n))
	}
	paginate(c, out)
}

const refsDoc = "https://docs.github.com/rest/git/refs#create-a-reference"

func (s *Server) createRef(c *reqCtx) {
	var in struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	}
	if !c.decode(&in) {
		return
	}
	if !strings.HasPrefix(in.Ref, "refs/") || strings.Count(in.Ref, "/") < 2 {
		c.fail(http.StatusUnprocessableEntity, "Reference name must start with 'refs/' and have at least two slashes.", refsDoc)
		return
	}
	if s.commits[in.SHA] == nil {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist", refsDoc)
		return
	}
	if _, ok := s.refs[in.Ref]; ok {
		c.fail(http.StatusUnprocessableEntity, "Reference already exists", refsDoc)
		return
	}
	s.refs[in.Ref] = in.SHA
	c.w.Header().Set("Location", c.repoAPI(s)+"/git/"+in.Ref)
	c.json(http.StatusCreated, s.refJSON(c, in.Ref))
}

func (s *Server) updateRef(c *reqCtx, ref string) {
	var in struct {
		SHA   string `json:"sha"`
		Force bool   `json:"force"`
	}
	if !c.decode(&in) {
		return
	}
	full := "refs/" + ref
	old, ok := s.refs[full]
	if !ok {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist", "https://docs.github.com/rest/git/refs#update-a-reference")
		return
	}
	nc := s.commits[in.SHA]
	if nc == nil {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist", "https://docs.github.com/rest/git/refs#update-a-reference")
		return
	}
	if !in.Force && s.ancestors(nc)[old] == nil {
		c.fail(http.StatusUnprocessableEntity, "Update is not a fast forward", "https://docs.github.com/rest/git/refs#update-a-reference")
		return
	}
	s.refs[full] = in.SHA
	c.json(http.StatusOK, s.refJSON(c, full))
}

func (s *Server) deleteRef(c *reqCtx, ref string) {
	full := "refs/" + ref
	if _, ok := s.refs[full]; !ok {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist", "https://docs.github.com/rest/git/refs#delete-a-reference")
		return
	}
	delete(s.refs, full)
	c.noContent()
}

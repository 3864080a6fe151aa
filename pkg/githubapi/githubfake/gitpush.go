package githubfake

import (
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/format/pktline"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
)

// WorkflowsDir is the folder GitHub guards: a push that adds, changes or
// deletes a file under it needs a token holding the workflows permission
// (a GitHub App's) or the workflow scope (a personal access token). The
// GITHUB_TOKEN of a workflow run can never hold it.
const WorkflowsDir = ".github/workflows/"

// workflowRefusal is GitHub's reason for a refused ref, word for word, as
// `git push` prints it: "! [remote rejected] v1 -> v1 (refusing ...)".
func workflowRefusal(path string) string {
	return fmt.Sprintf("refusing to allow a GitHub App to create or update workflow `%s` without `workflows` permission", path)
}

// GitPushHandler serves git's smart HTTP push (git-receive-pack) for the
// bare repository at dir, at <owner>/<repo>.git, the way GitHub does for a
// workflow's token: Basic authentication with the token as the password
// (what actions/checkout persists), and every ref update refused, with
// GitHub's message, when the new commits touch .github/workflows/ and the
// token is not one of workflowTokens. Fetching stays with the file remote.
func (s *Server) GitPushHandler(dir string, workflowTokens ...string) http.Handler {
	allowed := map[string]bool{}
	for _, t := range workflowTokens {
		if t != "" {
			allowed[t] = true
		}
	}
	base := "/" + s.opts.Owner + "/" + s.opts.Repo + ".git"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := basicToken(r)
		minted, mintedWorkflows := s.installationToken(token)
		if !ok || (s.opts.Token != "" && token != s.opts.Token && !allowed[token] && !minted) {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "Invalid username or token. Password authentication is not supported for Git operations.", http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == base+"/info/refs" && r.URL.Query().Get("service") == "git-receive-pack":
			s.advertiseRefs(w, dir)
		case r.Method == http.MethodPost && r.URL.Path == base+"/git-receive-pack":
			s.receivePack(w, r, dir, allowed[token] || mintedWorkflows)
		default:
			http.Error(w, "Not Found (the fake serves pushes only: fetch from the file remote)", http.StatusNotFound)
		}
	})
}

func basicToken(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if rest, ok := strings.CutPrefix(auth, "Basic "); ok {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return "", false
		}
		user, pass, _ := strings.Cut(string(raw), ":")
		if pass == "" {
			pass = user
		}
		return pass, pass != ""
	}
	if rest, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return rest, rest != ""
	}
	return "", false
}

func (s *Server) advertiseRefs(w http.ResponseWriter, dir string) {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	adv := packp.NewAdvRefs()
	// no-thin: git then sends self-contained packs (GitHub takes thin ones;
	// the outcome is the same, and go-git's unpacking needs every delta base
	// in the pack).
	for _, c := range []capability.Capability{capability.ReportStatus, capability.DeleteRefs, capability.OFSDelta, "no-thin"} {
		_ = adv.Capabilities.Set(c)
	}
	refs, err := repo.References()
	if err == nil {
		_ = refs.ForEach(func(ref *plumbing.Reference) error {
			if ref.Type() == plumbing.HashReference && (ref.Name().IsBranch() || ref.Name().IsTag()) {
				adv.References[ref.Name().String()] = ref.Hash()
			}
			return nil
		})
	}
	w.Header().Set("Content-Type", "application/x-git-receive-pack-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	enc := pktline.NewEncoder(w)
	_ = enc.Encodef("# service=git-receive-pack\n")
	_ = enc.Flush()
	_ = adv.Encode(w)
}

func (s *Server) receivePack(w http.ResponseWriter, r *http.Request, dir string, workflows bool) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = zr
	}
	req := packp.NewReferenceUpdateRequest()
	if err := req.Decode(body); err != nil {
		http.Error(w, "bad receive-pack request: "+err.Error(), http.StatusBadRequest)
		return
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	report := packp.NewReportStatus()
	report.UnpackStatus = "ok"
	// The objects land first (GitHub keeps them in quarantine until the
	// refs are accepted; unreferenced objects change nothing here).
	if req.Packfile != nil {
		if err := packfile.UpdateObjectStorage(repo.Storer, req.Packfile); err != nil && !errors.Is(err, packfile.ErrEmptyPackfile) {
			report.UnpackStatus = "unpack error: " + err.Error()
		}
		_ = req.Packfile.Close()
	}
	known := knownCommits(repo)
	for _, cmd := range req.Commands {
		st := &packp.CommandStatus{ReferenceName: cmd.Name, Status: "ok"}
		report.CommandStatuses = append(report.CommandStatuses, st)
		if report.UnpackStatus != "ok" {
			st.Status = "unpacker error"
			continue
		}
		cur, err := repo.Storer.Reference(cmd.Name)
		have := plumbing.ZeroHash
		if err == nil {
			have = cur.Hash()
		}
		if have != cmd.Old {
			st.Status = "failed to update ref: fetch first"
			continue
		}
		if cmd.Action() == packp.Delete {
			if err := repo.Storer.RemoveReference(cmd.Name); err != nil {
				st.Status = "failed to delete: " + err.Error()
			}
			continue
		}
		if !workflows {
			if path, err := touchedWorkflow(repo, cmd.New, known); err != nil {
				st.Status = "missing necessary objects"
				continue
			} else if path != "" {
				st.Status = workflowRefusal(path)
				continue
			}
		}
		if err := repo.Storer.SetReference(plumbing.NewHashReference(cmd.Name, cmd.New)); err != nil {
			st.Status = "failed to update ref: " + err.Error()
		}
	}
	s.mu.Lock()
	s.log = append(s.log, Request{Method: http.MethodPost, Path: r.URL.Path, Status: http.StatusOK})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-git-receive-pack-result")
	_ = report.Encode(w)
}

// knownCommits are the commits reachable from the repository's branches and
// tags before the push.
func knownCommits(repo *git.Repository) map[plumbing.Hash]bool {
	known := map[plumbing.Hash]bool{}
	refs, err := repo.References()
	if err != nil {
		return known
	}
	_ = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() != plumbing.HashReference {
			return nil
		}
		c, err := peel(repo, ref.Hash())
		if err != nil {
			return nil
		}
		iter := object.NewCommitPreorderIter(c, known, nil)
		_ = iter.ForEach(func(x *object.Commit) error {
			known[x.Hash] = true
			return nil
		})
		return nil
	})
	return known
}

func peel(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	if t, err := repo.TagObject(h); err == nil {
		return t.Commit()
	}
	return repo.CommitObject(h)
}

// touchedWorkflow returns the first file under .github/workflows/ that a
// commit the push brings (reachable from h, not yet known) adds, changes or
// deletes against its first parent.
func touchedWorkflow(repo *git.Repository, h plumbing.Hash, known map[plumbing.Hash]bool) (string, error) {
	tip, err := peel(repo, h)
	if err != nil {
		return "", err
	}
	var found []string
	iter := object.NewCommitPreorderIter(tip, known, nil)
	err = iter.ForEach(func(c *object.Commit) error {
		tree, err := c.Tree()
		if err != nil {
			return err
		}
		var parent *object.Tree
		if c.NumParents() > 0 {
			p, err := c.Parent(0)
			if err != nil {
				return err
			}
			if parent, err = p.Tree(); err != nil {
				return err
			}
		}
		changes, err := object.DiffTree(parent, tree)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			for _, name := range []string{ch.From.Name, ch.To.Name} {
				if strings.HasPrefix(name, WorkflowsDir) {
					found = append(found, name)
				}
			}
		}
		return nil
	})
	if err != nil || len(found) == 0 {
		return "", err
	}
	sort.Strings(found)
	return found[0], nil
}

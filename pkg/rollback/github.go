package rollback

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
)

// Marker is the hidden line that says a release's notes were already
// marked, so a re-run does not mark them twice.
const Marker = "<!-- timetracker-ci:rolled-back -->"

// Limits on what is fetched as deployment files: they are small text
// files, and a release can hold anything.
const (
	maxDeployFile  = 8 << 20
	maxDeployFiles = 64
)

type ghPlan struct {
	target     *github.RepositoryRelease
	makeLatest bool
	mark       []*github.RepositoryRelease
	files      []deployFile
	changes    bool
}

type deployFile struct {
	name string
	data []byte
}

// findRelease looks a version's release up by its tag, with the prefix
// and without; nil when there is none (GitHub does not list drafts by tag).
func findRelease(ctx context.Context, o Options, version string) (*github.RepositoryRelease, error) {
	names := []string{o.ReleaseTagPrefix + version}
	if o.ReleaseTagPrefix != "" {
		names = append(names, version)
	}
	for _, tag := range names {
		r, _, err := o.GitHub.Client.Repositories.GetReleaseByTag(ctx, o.GitHub.Owner, o.GitHub.Repo, tag)
		if githubapi.StatusCode(err) == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the GitHub release %s: %w", tag, err)
		}
		return r, nil
	}
	return nil, nil
}

// planGitHub reads everything the GitHub side will change, and the
// deployment files, before any write.
func planGitHub(ctx context.Context, o Options, target versionTag, newer []string) (*ghPlan, error) {
	p := &ghPlan{}
	var err error
	if p.target, err = findRelease(ctx, o, target.v.String()); err != nil {
		return nil, err
	}
	if p.target == nil {
		return nil, &InputError{Input: "to", Err: fmt.Errorf("version %s has no published GitHub release (tag %s%s): it was never released, so it cannot be rolled back to; nothing was changed",
			target.v, o.ReleaseTagPrefix, target.v)}
	}
	if p.target.GetPrerelease() {
		return nil, &InputError{Input: "to", Err: fmt.Errorf("the GitHub release %s is a prerelease: roll back to a release; nothing was changed", p.target.GetTagName())}
	}
	latest, _, err := o.GitHub.Client.Repositories.GetLatestRelease(ctx, o.GitHub.Owner, o.GitHub.Repo)
	if err != nil && githubapi.StatusCode(err) != http.StatusNotFound {
		return nil, fmt.Errorf("reading the latest GitHub release: %w", err)
	}
	p.makeLatest = latest.GetID() != p.target.GetID()
	for _, v := range newer {
		r, err := findRelease(ctx, o, v)
		if err != nil {
			return nil, err
		}
		if r != nil && !strings.Contains(r.GetBody(), Marker) {
			p.mark = append(p.mark, r)
		}
	}
	p.changes = p.makeLatest || len(p.mark) > 0
	if o.DeployDir != "" {
		if p.files, err = readDeployment(ctx, o, p.target); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// apply makes the target the latest release and marks the newer ones.
func (p *ghPlan) apply(ctx context.Context, o Options, res *Result) error {
	res.Release = p.target.GetTagName()
	for _, r := range p.mark {
		res.Marked = append(res.Marked, r.GetTagName())
	}
	if o.DryRun {
		return nil
	}
	gh := o.GitHub
	if p.makeLatest {
		_, _, err := gh.Client.Repositories.EditRelease(ctx, gh.Owner, gh.Repo, p.target.GetID(), &github.RepositoryRelease{MakeLatest: github.String("true")})
		if err != nil {
			return fmt.Errorf("making %s the latest GitHub release: %w; the image tags are already back, run the rollback again to finish", p.target.GetTagName(), err)
		}
	}
	for _, r := range p.mark {
		note := fmt.Sprintf("%s\n\n> [!WARNING]\n> Rolled back on %s: `latest` points at %s again (%s).\n%s\n",
			strings.TrimRight(r.GetBody(), "\n"), o.Now().UTC().Format("2006-01-02"), p.target.GetTagName(), res.Digest, Marker)
		// make_latest "false" explicitly: whether an edit that omits it
		// makes the edited release latest is not settled (the docs give a
		// default of true "for newly published releases"; clients report
		// otherwise), and the bad release must not become latest again.
		_, _, err := gh.Client.Repositories.EditRelease(ctx, gh.Owner, gh.Repo, r.GetID(), &github.RepositoryRelease{Body: github.String(note), MakeLatest: github.String("false")})
		if err != nil {
			return fmt.Errorf("marking the GitHub release %s as rolled back: %w; run the rollback again to finish", r.GetTagName(), err)
		}
	}
	return nil
}

// isDeploymentFile says which release assets are deployment files: what
// the manifest action writes (compose, Kubernetes, deployment.json) and
// the checksums over them.
func isDeploymentFile(name string) bool {
	switch path.Ext(name) {
	case ".yml", ".yaml", ".json":
		return true
	}
	return name == "SHA256SUMS"
}

// readDeployment downloads the target release's deployment files and
// checks them against its SHA256SUMS, in memory: nothing is written yet.
func readDeployment(ctx context.Context, o Options, rel *github.RepositoryRelease) ([]deployFile, error) {
	gh := o.GitHub
	var assets []*github.ReleaseAsset
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := gh.Client.Repositories.ListReleaseAssets(ctx, gh.Owner, gh.Repo, rel.GetID(), opt)
		if err != nil {
			return nil, fmt.Errorf("listing the assets of %s: %w", rel.GetTagName(), err)
		}
		assets = append(assets, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	var files []deployFile
	for _, a := range assets {
		name := a.GetName()
		if !isDeploymentFile(name) || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			continue
		}
		if len(files) == maxDeployFiles {
			return nil, fmt.Errorf("the release %s has more than %d deployment files: not a release this pipeline made", rel.GetTagName(), maxDeployFiles)
		}
		if a.GetSize() > maxDeployFile {
			return nil, fmt.Errorf("the asset %s of %s is %d bytes: too large for a deployment file", name, rel.GetTagName(), a.GetSize())
		}
		body, err := githubapi.OpenAsset(ctx, gh.Client, gh.Download, gh.Owner, gh.Repo, a.GetID())
		if err != nil {
			return nil, fmt.Errorf("downloading %s from the release %s: %w", name, rel.GetTagName(), err)
		}
		data, err := io.ReadAll(io.LimitReader(body, maxDeployFile+1))
		body.Close()
		if err != nil {
			return nil, fmt.Errorf("downloading %s from the release %s: %w", name, rel.GetTagName(), err)
		}
		if len(data) > maxDeployFile {
			return nil, fmt.Errorf("the asset %s of %s is over %d bytes: too large for a deployment file", name, rel.GetTagName(), maxDeployFile)
		}
		files = append(files, deployFile{name: name, data: data})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	if len(files) == 0 {
		return nil, fmt.Errorf("the release %s has no deployment files (compose, Kubernetes or deployment.json assets): nothing to re-publish; attach the manifest action's files to releases, or leave deploy-dir empty", rel.GetTagName())
	}
	return files, verifySums(rel.GetTagName(), files)
}

// verifySums checks every file SHA256SUMS names.
func verifySums(tag string, files []deployFile) error {
	byName := map[string][]byte{}
	var sums []byte
	for _, f := range files {
		byName[f.name] = f.data
		if f.name == "SHA256SUMS" {
			sums = f.data
		}
	}
	if sums == nil {
		return nil
	}
	for _, line := range strings.Split(string(sums), "\n") {
		sum, name, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if !ok {
			continue
		}
		data, ok := byName[strings.TrimPrefix(name, "*")]
		if !ok {
			continue // an asset that is not a deployment file
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum {
			return fmt.Errorf("the asset %s of %s does not match its SHA256SUMS line: the release was changed after publication; nothing was changed", name, tag)
		}
	}
	return nil
}

// checkPinned refuses deployment files that pin another image: their
// deployment.json must name the digest being restored.
func checkPinned(files []deployFile, digest string) error {
	for _, f := range files {
		if f.name != "deployment.json" {
			continue
		}
		var d struct {
			Digest string `json:"digest"`
		}
		if err := json.Unmarshal(f.data, &d); err != nil {
			return fmt.Errorf("deployment.json of the target release is not valid JSON: %w", err)
		}
		if d.Digest != digest {
			return fmt.Errorf("deployment.json of the target release pins %s, but its version tag is %s: the files and the image disagree; nothing was changed", d.Digest, digest)
		}
	}
	return nil
}

// writeDeployment writes the files into dir. Each goes to a fresh
// temporary name and is renamed over the old one, so a symlink planted in
// dir is replaced, never written through.
func writeDeployment(dir string, files []deployFile) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	var names []string
	for _, f := range files {
		tmp := ".rollback-" + f.name + ".tmp"
		_ = root.Remove(tmp)
		w, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return names, fmt.Errorf("writing %s: %w", f.name, err)
		}
		_, werr := io.Copy(w, bytes.NewReader(f.data))
		if cerr := w.Close(); werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = root.Rename(tmp, f.name)
		}
		if werr != nil {
			_ = root.Remove(tmp)
			return names, fmt.Errorf("writing %s: %w", f.name, werr)
		}
		names = append(names, f.name)
	}
	return names, nil
}

package release

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
)

// remoteAsset adds GitHub's digest field ("sha256:…"), missing from go-github v60.
type remoteAsset struct {
	github.ReleaseAsset
	Digest *string `json:"digest,omitempty"`
}

func (p *publisher) listAssets(ctx context.Context, releaseID int64) ([]*remoteAsset, error) {
	var out []*remoteAsset
	for page := 1; page != 0; {
		u := fmt.Sprintf("repos/%s/%s/releases/%d/assets?per_page=100&page=%d", p.o.Owner, p.o.Repo, releaseID, page)
		req, err := p.c.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		var batch []*remoteAsset
		resp, err := p.c.Do(ctx, req, &batch)
		if err != nil {
			return nil, fmt.Errorf("listing the assets of release %d: %w", releaseID, err)
		}
		out = append(out, batch...)
		page = resp.NextPage
	}
	return out, nil
}

// same reports whether the remote asset holds exactly the local file.
func (p *publisher) same(ctx context.Context, r *remoteAsset, a Asset) (bool, error) {
	if r.GetState() != "uploaded" || int64(r.GetSize()) != a.Size {
		return false, nil
	}
	if r.Digest != nil && *r.Digest != "" {
		return strings.EqualFold(*r.Digest, "sha256:"+a.SHA256), nil
	}
	sum, err := p.hashRemote(ctx, r.GetID())
	if err != nil {
		return false, err
	}
	return sum == a.SHA256, nil
}

// syncAssets makes the release hold every asset once, with the right bytes.
func (p *publisher) syncAssets(ctx context.Context, rel *github.RepositoryRelease) (map[string]AssetResult, error) {
	results := map[string]AssetResult{}
	var remote []*remoteAsset
	if rel.GetID() != 0 {
		var err error
		if remote, err = p.listAssets(ctx, rel.GetID()); err != nil {
			return results, err
		}
	}
	byName := map[string]*remoteAsset{}
	for _, r := range remote {
		byName[r.GetName()] = r
	}
	type job struct {
		a       Asset
		replace *remoteAsset
	}
	var todo []job
	var leftovers []*remoteAsset
	for _, a := range p.o.Assets {
		if r := byName[a.Name+replacingSuffix]; r != nil {
			p.step("delete", "asset", r.GetName(), "left by an interrupted replace")
			leftovers = append(leftovers, r)
		}
		r := byName[a.Name]
		if r == nil {
			p.step("upload", "asset", a.Name, fmt.Sprintf("%d bytes", a.Size))
			todo = append(todo, job{a: a})
			continue
		}
		ok, err := p.same(ctx, r, a)
		if err != nil {
			return results, err
		}
		if ok {
			p.step("keep", "asset", a.Name, "same sha256")
			results[a.Name] = AssetResult{URL: r.GetBrowserDownloadURL(), SHA256: a.SHA256}
			continue
		}
		why := "different content"
		if r.GetState() != "uploaded" {
			why = "left half-uploaded (" + r.GetState() + ")"
		}
		p.step("replace", "asset", a.Name, why)
		todo = append(todo, job{a: a, replace: r})
	}
	if p.dry {
		for _, j := range todo {
			results[j.a.Name] = AssetResult{SHA256: j.a.SHA256}
		}
		return results, nil
	}
	for _, r := range leftovers {
		if err := p.deleteAsset(ctx, r.GetID()); err != nil {
			return results, err
		}
	}

	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, p.o.Concurrency)
	)
	for _, j := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var url string
			var err error
			if j.replace != nil && !rel.GetDraft() && j.replace.GetState() == "uploaded" {
				url, err = p.replacePublished(ctx, rel.GetID(), j.a, j.replace)
			} else {
				if j.replace != nil {
					err = p.deleteAsset(ctx, j.replace.GetID())
				}
				if err == nil {
					_, url, err = p.upload(ctx, rel.GetID(), j.a)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			results[j.a.Name] = AssetResult{URL: url, SHA256: j.a.SHA256}
		}()
	}
	wg.Wait()
	return results, firstErr
}

// replacingSuffix names the temporary asset a replacement is uploaded as.
const replacingSuffix = ".replacing"

// replacePublished swaps an asset of a published release with the least
// time without it: the new bytes are uploaded under a temporary name first,
// then the old asset is deleted and the new one renamed. A crash in between
// leaves the temporary asset, which the next run deletes.
func (p *publisher) replacePublished(ctx context.Context, releaseID int64, a Asset, old *remoteAsset) (string, error) {
	tmp := a
	tmp.Name = a.Name + replacingSuffix
	id, _, err := p.upload(ctx, releaseID, tmp)
	if err != nil {
		return "", err
	}
	if err := p.deleteAsset(ctx, old.GetID()); err != nil {
		return "", err
	}
	renamed, _, err := p.c.Repositories.EditReleaseAsset(ctx, p.o.Owner, p.o.Repo, id, &github.ReleaseAsset{Name: github.String(a.Name)})
	if err != nil {
		return "", fmt.Errorf("renaming %s to %s: %w", tmp.Name, a.Name, err)
	}
	return renamed.GetBrowserDownloadURL(), nil
}

func (p *publisher) deleteAsset(ctx context.Context, id int64) error {
	_, err := p.c.Repositories.DeleteReleaseAsset(ctx, p.o.Owner, p.o.Repo, id)
	if err != nil && githubapi.StatusCode(err) != http.StatusNotFound {
		return fmt.Errorf("deleting asset %d: %w", id, err)
	}
	return nil
}

// upload sends one asset. A 422 already_exists (a racing run, or our own
// upload whose answer was lost) is settled by looking at what is there: the
// same bytes are kept, a half-upload or other bytes are replaced.
func (p *publisher) upload(ctx context.Context, releaseID int64, a Asset) (int64, string, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		got, err := githubapi.UploadAsset(ctx, p.c, p.o.Owner, p.o.Repo, releaseID, a.Name, "", a.ContentType, a.Opener())
		if err == nil {
			if got.GetName() != a.Name {
				return 0, "", fmt.Errorf("asset %s: GitHub stored it as %q: rename the file using letters, digits, '.', '-' and '_'", a.Name, got.GetName())
			}
			return got.GetID(), got.GetBrowserDownloadURL(), nil
		}
		if !githubapi.HasErrorCode(err, "ReleaseAsset", "already_exists") {
			return 0, "", err
		}
		lastErr = err
		remote, err := p.listAssets(ctx, releaseID)
		if err != nil {
			return 0, "", err
		}
		for _, r := range remote {
			if r.GetName() != a.Name {
				continue
			}
			ok, err := p.same(ctx, r, a)
			if err != nil {
				return 0, "", err
			}
			if ok {
				return r.GetID(), r.GetBrowserDownloadURL(), nil
			}
			if err := p.deleteAsset(ctx, r.GetID()); err != nil {
				return 0, "", err
			}
		}
	}
	return 0, "", fmt.Errorf("asset %s: still conflicting after 3 attempts (is another job uploading different bytes under this name?): %w", a.Name, lastErr)
}

// writeDryRun leaves release.md, assets.txt, SHA256SUMS and plan.txt in WorkDir.
func (p *publisher) writeDryRun(res *Result) error {
	work, err := openWorkDir(p.o.WorkDir)
	if err != nil {
		return fmt.Errorf("dry-run: %w", err)
	}
	defer work.Close()
	var assets, plan strings.Builder
	for _, a := range p.o.Assets {
		fmt.Fprintf(&assets, "%s\t%d\t%s\t%s\t%s\n", a.Name, a.Size, a.SHA256, a.ContentType, a.Path)
	}
	for _, s := range res.Steps {
		fmt.Fprintln(&plan, s.String())
	}
	files := map[string]string{"release.md": p.o.Body, "assets.txt": assets.String(), "plan.txt": plan.String()}
	if !p.o.Checksums {
		files[ChecksumsName] = string(Checksums(p.o.Assets))
	}
	for name, content := range files {
		if err := work.WriteFile(WorkDirInput, name, []byte(content), 0o644); err != nil {
			return fmt.Errorf("dry-run: writing %s: %w", name, err)
		}
	}
	return nil
}

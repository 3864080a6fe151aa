package release

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// GitHub's documented limits.
const (
	MaxAssetSize  = 2<<30 - 1 // "under 2 GiB"
	MaxAssets     = 1000
	MaxBodyLength = 125000
	ChecksumsName = "SHA256SUMS"
)

// Asset is a local file to attach.
type Asset struct {
	Path        string // where the bytes are (absolute), for people and plans
	Name        string // the asset name on GitHub
	Size        int64
	SHA256      string // hex
	ContentType string
	// Open reads the bytes again for an upload, through the same jail the
	// file was found in; nil opens Path (files the action wrote itself).
	Open func() (*os.File, error) `json:"-"`
}

// AssetsInput is the input asset refusals are reported against.
const AssetsInput = "assets"

// FindAssets expands globs inside the workspace ("**" matches any number of
// directories) into assets, hashed and typed. Every file is read through
// the jail: a match that is a symlink out of the workspace, a FIFO or a
// device is refused naming the assets input. A glob that matches no file
// is an error naming it unless allowMissing.
func FindAssets(ws *workspace.Workspace, globs []string, allowMissing bool) ([]Asset, error) {
	var out []Asset
	byName := map[string]string{}
	for _, g := range globs {
		files, err := expand(ws, g)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 && !allowMissing {
			return nil, fmt.Errorf("assets: %q matched no files under the workspace: check the path and the build step that makes them, or set fail-on-missing-assets: false", g)
		}
		for _, f := range files {
			a, err := hashAsset(ws, f)
			if err != nil {
				return nil, err
			}
			if prev, ok := byName[a.Name]; ok {
				if prev == f {
					continue // two globs matched the same file
				}
				return nil, fmt.Errorf("assets: %s and %s would both be uploaded as %q: rename one, a release holds one asset per name", prev, f, a.Name)
			}
			byName[a.Name] = f
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// expand returns the workspace-relative files a glob matches. Directories
// are skipped; anything else that is not a regular file inside the
// workspace is refused when it is read.
func expand(ws *workspace.Workspace, glob string) ([]string, error) {
	pattern, err := ws.Rel(AssetsInput, glob)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(pattern, "**") {
		m, err := ws.Glob(AssetsInput, pattern)
		if err != nil {
			return nil, err
		}
		out := m[:0]
		for _, p := range m {
			st, err := ws.Stat(AssetsInput, p)
			if err != nil {
				return nil, err // a symlink out of the workspace: refused, not skipped
			}
			if !st.IsDir() {
				out = append(out, p)
			}
		}
		return out, nil
	}
	re, err := globRegexp(pattern)
	if err != nil {
		return nil, fmt.Errorf("assets: %q is not a valid glob: %w", glob, err)
	}
	root := pattern[:strings.Index(pattern, "**")]
	root = root[:strings.LastIndex(root+"/", "/")]
	if i := strings.IndexAny(root, "*?["); i >= 0 {
		root = path.Dir(root[:i])
	}
	root = path.Clean(root + "/.") // "dist/" and "" as fs.FS names: "dist", "."
	var m []string
	err = fs.WalkDir(ws.FS(), root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		// Symlinks are not followed by the walk; a symlink named by a match
		// is refused when read.
		if !d.IsDir() && re.MatchString(p) {
			m = append(m, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: walking for %q: %w", glob, err)
	}
	return m, nil
}

// globRegexp translates a slash-separated glob with ** into a regexp.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch ch := glob[i]; ch {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				i++
				if i+1 < len(glob) && glob[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(glob[i:], ']')
			if j < 0 {
				return nil, errors.New("a [ character class has no closing ]: close it, or escape the [ as \\[")
			}
			class := glob[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j
		case '\\':
			if i+1 < len(glob) {
				i++
				b.WriteString(regexp.QuoteMeta(string(glob[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// hashAsset describes one workspace file as an asset named after its base
// name, reading it through the jail (regular files only, under 2 GiB).
func hashAsset(ws *workspace.Workspace, rel string) (Asset, error) {
	open := func() (*os.File, error) {
		f, err := ws.Open(AssetsInput, rel, workspace.KindAsset)
		if err != nil {
			return nil, err
		}
		return f.File, nil
	}
	f, err := open()
	if err != nil {
		return Asset{}, err
	}
	defer f.Close()
	a, err := hashReader(f, path.Base(rel))
	if err != nil {
		return Asset{}, fmt.Errorf("asset %s: reading: %w", rel, err)
	}
	a.Path, a.Open = ws.Abs(rel), open
	return a, nil
}

func hashReader(r io.Reader, name string) (Asset, error) {
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, MaxAssetSize+1))
	if err != nil {
		return Asset{}, err
	}
	return Asset{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: ContentType(name)}, nil
}

// HashFile describes a file the action wrote itself (SHA256SUMS) as an asset.
func HashFile(p string) (Asset, error) {
	f, err := os.Open(p)
	if err != nil {
		return Asset{}, fmt.Errorf("asset %s: %w", p, err)
	}
	defer f.Close()
	a, err := hashReader(f, filepath.Base(p))
	if err != nil {
		return Asset{}, fmt.Errorf("asset %s: reading: %w", p, err)
	}
	a.Path = p
	return a, nil
}

// CheckAssets enforces GitHub's limits before the first upload: names GitHub
// would rewrite, 2 GiB per asset, 1,000 assets per release.
func CheckAssets(assets []Asset) error {
	if len(assets) > MaxAssets {
		return fmt.Errorf("assets: %d files, but a GitHub release holds at most %d assets: attach an archive instead", len(assets), MaxAssets)
	}
	seen := map[string]bool{}
	for _, a := range assets {
		if stored := githubapi.AssetName(a.Name); stored != a.Name {
			return fmt.Errorf("assets: GitHub would store %q (from %s) as %q, and later runs could not find it by its name: rename the file using letters, digits, '.', '-' and '_'", a.Name, a.Path, stored)
		}
		if a.Size > MaxAssetSize {
			return fmt.Errorf("assets: %s is %d bytes; GitHub accepts assets under 2 GiB: split or compress it", a.Path, a.Size)
		}
		if seen[a.Name] {
			return fmt.Errorf("assets: two files are named %q: a release holds one asset per name", a.Name)
		}
		seen[a.Name] = true
	}
	return nil
}

// Checksums renders a SHA256SUMS file (the format sha256sum -c reads).
func Checksums(assets []Asset) []byte {
	sorted := append([]Asset(nil), assets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var b strings.Builder
	for _, a := range sorted {
		if a.Name == ChecksumsName {
			continue
		}
		fmt.Fprintf(&b, "%s  %s\n", a.SHA256, a.Name)
	}
	return []byte(b.String())
}

var contentTypes = map[string]string{
	".zip": "application/zip", ".gz": "application/gzip", ".tgz": "application/gzip", ".tar": "application/x-tar",
	".xz": "application/x-xz", ".bz2": "application/x-bzip2", ".zst": "application/zstd", ".7z": "application/x-7z-compressed",
	".json": "application/json", ".yaml": "application/yaml", ".yml": "application/yaml", ".toml": "application/toml",
	".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8",
	".xml": "application/xml", ".csv": "text/csv", ".sh": "text/x-shellscript", ".py": "text/x-python",
	".sha256": "text/plain; charset=utf-8", ".sig": "application/pgp-signature", ".asc": "application/pgp-signature",
	".pem": "application/x-pem-file", ".deb": "application/vnd.debian.binary-package", ".rpm": "application/x-rpm",
	".exe": "application/vnd.microsoft.portable-executable", ".msi": "application/x-msi", ".dmg": "application/x-apple-diskimage",
	".whl": "application/zip", ".jar": "application/java-archive", ".apk": "application/vnd.android.package-archive",
	".pdf": "application/pdf", ".png": "image/png", ".svg": "image/svg+xml", ".sbom": "application/json",
}

// ContentType picks the content type from the extension (a fixed table, so
// the answer does not depend on the machine's mime database).
func ContentType(name string) string {
	if name == ChecksumsName || strings.HasSuffix(name, "SUMS") {
		return "text/plain; charset=utf-8"
	}
	if t, ok := contentTypes[strings.ToLower(filepath.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// Opener is how an upload reads the asset again.
func (a Asset) Opener() func() (*os.File, error) {
	if a.Open != nil {
		return a.Open
	}
	p := a.Path
	return func() (*os.File, error) { return os.Open(p) }
}

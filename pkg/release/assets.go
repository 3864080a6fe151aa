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
	Path        string // where the bytes are
	Name        string // the asset name on GitHub
	Size        int64
	SHA256      string // hex
	ContentType string
}

// FindAssets expands globs relative to dir ("**" matches any number of
// directories) into assets, hashed and typed. A glob that matches no file is
// an error naming it unless allowMissing.
func FindAssets(dir string, globs []string, allowMissing bool) ([]Asset, error) {
	var out []Asset
	byName := map[string]string{}
	for _, g := range globs {
		files, err := expand(dir, g)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 && !allowMissing {
			return nil, fmt.Errorf("assets: %q matched no files under the workspace: check the path and the build step that makes them, or set fail-on-missing-assets: false", g)
		}
		for _, f := range files {
			a, err := HashFile(f)
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

func expand(dir, glob string) ([]string, error) {
	pattern := filepath.ToSlash(glob)
	if !filepath.IsAbs(glob) {
		pattern = filepath.ToSlash(filepath.Join(dir, glob))
	}
	if !strings.Contains(pattern, "**") {
		m, err := filepath.Glob(filepath.FromSlash(pattern))
		if err != nil {
			return nil, fmt.Errorf("assets: %q is not a valid glob: %w", glob, err)
		}
		return regularFiles(m), nil
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
	var m []string
	err = filepath.WalkDir(filepath.FromSlash(root), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == filepath.FromSlash(root) && os.IsNotExist(err) {
				return fs.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() && re.MatchString(filepath.ToSlash(p)) {
			m = append(m, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: walking for %q: %w", glob, err)
	}
	return m, nil
}

func regularFiles(paths []string) []string {
	out := paths[:0]
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
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

// HashFile describes one file as an asset named after its base name.
func HashFile(p string) (Asset, error) {
	f, err := os.Open(p)
	if err != nil {
		return Asset{}, fmt.Errorf("asset %s: %w", p, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Asset{}, fmt.Errorf("asset %s: reading: %w", p, err)
	}
	name := filepath.Base(p)
	return Asset{Path: p, Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), ContentType: ContentType(name)}, nil
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

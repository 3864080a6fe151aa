package vulnscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Package is an SBOM package the matcher can look up.
type Package struct {
	Ecosystem string `json:"ecosystem"`        // PyPI, Debian, Go
	Name      string `json:"name"`             // as OSV names it (PyPI normalised; Debian source package)
	Binary    string `json:"binary,omitempty"` // the name in the image, when it differs (Debian binary package)
	Version   string `json:"version"`
	PURL      string `json:"purl"`
	Location  string `json:"location,omitempty"`
}

// PackagesFromSBOM reads the purls of an SPDX or CycloneDX JSON document
// and returns the packages of ecosystems the matcher knows.
func PackagesFromSBOM(data []byte) ([]Package, error) {
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			SourceInfo   string `json:"sourceInfo"`
			ExternalRefs []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			PURL       string `json:"purl"`
			Properties []struct {
				Name, Value string
			} `json:"properties"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("the SBOM is not JSON: %w", err)
	}
	var out []Package
	add := func(purl, location string) {
		if p, ok := parsePURL(purl); ok {
			p.Location = location
			out = append(out, p)
		}
	}
	switch {
	case strings.HasPrefix(doc.SPDXVersion, "SPDX-"):
		for _, p := range doc.Packages {
			for _, r := range p.ExternalRefs {
				if r.Type == "purl" {
					add(r.Locator, strings.TrimPrefix(p.SourceInfo, "found in "))
				}
			}
		}
	case doc.BOMFormat == "CycloneDX":
		for _, c := range doc.Components {
			loc := ""
			for _, pr := range c.Properties {
				if strings.HasSuffix(pr.Name, ":location") {
					loc = pr.Value
				}
			}
			add(c.PURL, loc)
		}
	default:
		return nil, errors.New("neither an SPDX document (spdxVersion) nor a CycloneDX BOM (bomFormat)")
	}
	return out, nil
}

// parsePURL turns pkg:pypi/x@v, pkg:deb/debian/x@v?upstream=src and
// pkg:golang/path@v into a Package.
func parsePURL(purl string) (Package, bool) {
	rest, ok := strings.CutPrefix(purl, "pkg:")
	if !ok {
		return Package{}, false
	}
	rest, query, _ := strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "#")
	typ, path, ok := strings.Cut(rest, "/")
	if !ok {
		return Package{}, false
	}
	path, version, _ := strings.Cut(path, "@")
	name, err := url.PathUnescape(path)
	if err != nil {
		return Package{}, false
	}
	if version, err = url.PathUnescape(version); err != nil || version == "" {
		return Package{}, false
	}
	q, _ := url.ParseQuery(query)
	p := Package{Version: version, PURL: purl}
	switch typ {
	case "pypi":
		p.Ecosystem, p.Name = "PyPI", pyNormalize(name)
	case "deb":
		ns, n, ok := strings.Cut(name, "/")
		if !ok || ns != "debian" {
			return Package{}, false
		}
		p.Ecosystem, p.Name = "Debian", n
		if src := q.Get("upstream"); src != "" {
			p.Name, p.Binary = src, n
		}
	case "golang":
		p.Ecosystem, p.Name = "Go", name
	default:
		return Package{}, false
	}
	return p, true
}

// Finding is one vulnerability in one package.
type Finding struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases,omitempty"`
	Summary  string   `json:"summary"`
	Package  Package  `json:"package"`
	Level    int      `json:"-"`
	Severity string   `json:"severity"`
	Score    float64  `json:"score,omitempty"`
	Fixed    string   `json:"fixed,omitempty"` // the lowest fixed version above the installed one
	URL      string   `json:"url,omitempty"`
	Ignored  *Ignore  `json:"ignored,omitempty"`
}

// Match finds every record affecting a package.
func Match(db *Database, pkgs []Package) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, p := range pkgs {
		for _, r := range db.byKey[key(p.Ecosystem, p.Name)] {
			for _, a := range r.Affected {
				if ecosystemBase(a.Package.Ecosystem) != p.Ecosystem || normalizeName(a.Package.Ecosystem, a.Package.Name) != p.Name {
					continue
				}
				if !affects(a, p.Version) {
					continue
				}
				k := r.ID + "\x00" + p.PURL + "\x00" + p.Location
				if seen[k] {
					break
				}
				seen[k] = true
				lvl, score := severityOf(r, a)
				f := Finding{ID: r.ID, Aliases: r.Aliases, Summary: r.Summary, Package: p, Level: lvl, Severity: LevelName(lvl), Score: score,
					Fixed: fixedAbove(a, p.Version)}
				if f.Summary == "" {
					f.Summary = firstLine(r.Details)
				}
				f.URL = "https://osv.dev/vulnerability/" + url.PathEscape(r.ID)
				out = append(out, f)
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level > out[j].Level
		}
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Package.PURL < out[j].Package.PURL
	})
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func fixedAbove(a Affected, version string) string {
	cmp := compareFor(a.Package.Ecosystem)
	best := ""
	for _, r := range a.Ranges {
		for _, e := range r.Events {
			if e.Fixed == "" {
				continue
			}
			if c, ok := cmp(e.Fixed, version); !ok || c <= 0 {
				continue
			}
			if best == "" {
				best = e.Fixed
			} else if c, ok := cmp(e.Fixed, best); ok && c < 0 {
				best = e.Fixed
			}
		}
	}
	return best
}

// Ignore is one entry of the ignore file: a vulnerability (by OSV id or
// alias), optionally only in one package, until a date.
type Ignore struct {
	ID      string `yaml:"id" json:"id"`
	Package string `yaml:"package,omitempty" json:"package,omitempty"`
	Expires string `yaml:"expires" json:"expires"` // YYYY-MM-DD, ignored through that day (UTC)
	Reason  string `yaml:"reason" json:"reason"`
	until   time.Time
}

// IgnoreFile is the parsed ignore file.
type IgnoreFile struct {
	Ignore []Ignore `yaml:"ignore"`
}

// ParseIgnoreFile reads the YAML ignore file:
//
//	ignore:
//	  - id: GHSA-9wx4-h78v-vm56
//	    package: requests        # optional: only in this package
//	    expires: 2026-12-31      # required: the entry stops applying after this day
//	    reason: not reachable: we never call requests with verify=False
//
// Every entry needs an id, an expiry date and a reason; unknown keys are
// errors, so a typo does not silently ignore nothing.
func ParseIgnoreFile(data []byte) (*IgnoreFile, error) {
	var f IgnoreFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // an empty file is an empty list
		return nil, fmt.Errorf("reading the ignore file: %w", err)
	}
	for i := range f.Ignore {
		e := &f.Ignore[i]
		if strings.TrimSpace(e.ID) == "" {
			return nil, fmt.Errorf("ignore entry %d has no id: give the OSV id (or an alias such as a CVE)", i+1)
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("ignore entry %d (%s) has no reason: say why it is safe to ignore", i+1, e.ID)
		}
		t, err := time.Parse("2006-01-02", strings.TrimSpace(e.Expires))
		if err != nil {
			return nil, fmt.Errorf("ignore entry %d (%s): expires %q is not a date like 2026-12-31: every entry needs an expiry", i+1, e.ID, e.Expires)
		}
		e.until = t.AddDate(0, 0, 1) // through the whole day
	}
	return &f, nil
}

// Apply marks the findings an entry covers at now; it returns the entries
// that expired (they ignore nothing any more and should be reviewed).
func (f *IgnoreFile) Apply(findings []Finding, now time.Time) (expired []Ignore) {
	if f == nil {
		return nil
	}
	for _, e := range f.Ignore {
		if !now.Before(e.until) {
			expired = append(expired, e)
		}
	}
	for i := range findings {
		fd := &findings[i]
		for j := range f.Ignore {
			e := &f.Ignore[j]
			if !now.Before(e.until) || !matchesID(*fd, e.ID) {
				continue
			}
			if e.Package != "" && e.Package != fd.Package.Name && e.Package != fd.Package.Binary {
				continue
			}
			fd.Ignored = e
			break
		}
	}
	return expired
}

func matchesID(f Finding, id string) bool {
	if strings.EqualFold(f.ID, id) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

// Failing lists the findings at or above threshold that are not ignored;
// threshold LevelNone never fails.
func Failing(findings []Finding, threshold int) []Finding {
	if threshold == LevelNone {
		return nil
	}
	var out []Finding
	for _, f := range findings {
		if f.Ignored == nil && f.Level >= threshold {
			out = append(out, f)
		}
	}
	return out
}

package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"net/url"
	"strings"
	"time"
)

// Media types of the documents, also their OCI artifact types.
const (
	MediaTypeSPDX      = "application/spdx+json"
	MediaTypeCycloneDX = "application/vnd.cyclonedx+json"
)

// Subject is the image an SBOM describes.
type Subject struct {
	Name     string    // repository, e.g. "ghcr.io/org/app"
	Digest   string    // "sha256:…" of the platform image
	Platform string    // "linux/amd64"
	Created  time.Time // from the image config; the document's creation time, so output is reproducible
	Tool     string    // "timetracker-ci-1.2.3"
}

// PURL is the package URL of p (purl-spec types deb, apk, pypi, golang).
func PURL(p Package) string {
	esc := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "%2F", "/") }
	q := url.Values{}
	var ns, name string
	switch p.Type {
	case TypeDeb:
		ns, name = "debian", p.Name
		if p.Arch != "" {
			q.Set("arch", p.Arch)
		}
		if p.Source != "" {
			q.Set("upstream", p.Source)
		}
	case TypeApk:
		ns, name = "alpine", strings.ToLower(p.Name)
		if p.Arch != "" {
			q.Set("arch", p.Arch)
		}
	case TypePython:
		name = NormalizePythonName(p.Name)
	case TypeGo:
		name = p.Name
		if i := strings.LastIndex(name, "/"); i >= 0 {
			ns, name = name[:i], name[i+1:]
		}
	default:
		name = p.Name
	}
	s := "pkg:" + p.Type + "/"
	if ns != "" {
		s += esc(ns) + "/"
	}
	s += url.PathEscape(name)
	if p.Version != "" {
		s += "@" + url.PathEscape(p.Version)
	}
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

var spdxIDChars = lazyre.New(`[^A-Za-z0-9.-]+`)

// packageID is stable for the same package at the same place.
func packageID(p Package) string {
	sum := sha256.Sum256([]byte(p.Type + "\x00" + p.Name + "\x00" + p.Version + "\x00" + p.Location))
	return "SPDXRef-Package-" + p.Type + "-" + strings.Trim(spdxIDChars.ReplaceAllString(p.Name, "-"), "-") + "-" + hex.EncodeToString(sum[:4])
}

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	SPDXID           string       `json:"SPDXID"`
	Name             string       `json:"name"`
	VersionInfo      string       `json:"versionInfo,omitempty"`
	DownloadLocation string       `json:"downloadLocation"`
	FilesAnalyzed    bool         `json:"filesAnalyzed"`
	LicenseConcluded string       `json:"licenseConcluded"`
	LicenseDeclared  string       `json:"licenseDeclared"`
	CopyrightText    string       `json:"copyrightText"`
	SourceInfo       string       `json:"sourceInfo,omitempty"`
	PrimaryPurpose   string       `json:"primaryPackagePurpose,omitempty"`
	Checksums        []spdxSum    `json:"checksums,omitempty"`
	ExternalRefs     []spdxExtRef `json:"externalRefs,omitempty"`
}

type spdxSum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxExtRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

// spdxLicense keeps a declared licence only when it reads as an SPDX
// expression; free text would make the document invalid.
var spdxExpr = lazyre.New(`^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$`)

func spdxLicense(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || !spdxExpr.MatchString(s) {
		return "NOASSERTION"
	}
	return s
}

// Location is how a package's location is written: the file, and the
// layer that holds it.
func Location(p Package) string {
	if p.Layer == "" {
		return p.Location
	}
	return p.Location + " (layer " + p.Layer + ")"
}

func created(s Subject) string {
	t := s.Created
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}

// SPDX writes the packages as an SPDX 2.3 JSON document describing the
// image. The same input always gives the same bytes.
func SPDX(s Subject, pkgs []Package) ([]byte, error) {
	hex := strings.TrimPrefix(s.Digest, "sha256:")
	imageID := "SPDXRef-Image"
	tool := s.Tool
	if tool == "" {
		tool = "timetracker-ci"
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              s.Name + "@" + s.Digest,
		DocumentNamespace: "https://timetracker-ci.invalid/spdx/" + url.PathEscape(s.Name) + "/" + hex,
		CreationInfo:      spdxCreation{Created: created(s), Creators: []string{"Tool: " + tool}},
		DocumentDescribes: []string{imageID},
	}
	img := spdxPackage{SPDXID: imageID, Name: s.Name, VersionInfo: s.Digest, DownloadLocation: "NOASSERTION",
		LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION",
		PrimaryPurpose: "CONTAINER", SourceInfo: "platform " + s.Platform}
	if hex != "" {
		img.Checksums = []spdxSum{{Algorithm: "SHA256", Value: hex}}
		img.ExternalRefs = []spdxExtRef{{Category: "PACKAGE-MANAGER", Type: "purl",
			Locator: "pkg:oci/" + url.PathEscape(lastElem(s.Name)) + "@" + url.PathEscape(s.Digest) + "?" + url.Values{"repository_url": {s.Name}}.Encode()}}
	}
	doc.Packages = append(doc.Packages, img)
	doc.Relationships = append(doc.Relationships, spdxRelationship{Element: "SPDXRef-DOCUMENT", Type: "DESCRIBES", Related: imageID})
	seen := map[string]bool{}
	for _, p := range pkgs {
		id := packageID(p)
		if seen[id] {
			continue // the same package listed twice in one file
		}
		seen[id] = true
		doc.Packages = append(doc.Packages, spdxPackage{
			SPDXID: id, Name: p.Name, VersionInfo: p.Version, DownloadLocation: "NOASSERTION",
			LicenseConcluded: "NOASSERTION", LicenseDeclared: spdxLicense(p.License), CopyrightText: "NOASSERTION",
			SourceInfo:   "found in " + Location(p),
			ExternalRefs: []spdxExtRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: PURL(p)}},
		})
		doc.Relationships = append(doc.Relationships, spdxRelationship{Element: imageID, Type: "CONTAINS", Related: id})
	}
	return json.MarshalIndent(doc, "", "  ")
}

func lastElem(s string) string {
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

type cdxDoc struct {
	BOMFormat    string         `json:"bomFormat"`
	SpecVersion  string         `json:"specVersion"`
	SerialNumber string         `json:"serialNumber"`
	Version      int            `json:"version"`
	Metadata     cdxMetadata    `json:"metadata"`
	Components   []cdxComponent `json:"components"`
}

type cdxMetadata struct {
	Timestamp string       `json:"timestamp"`
	Tools     cdxTools     `json:"tools"`
	Component cdxComponent `json:"component"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	BOMRef     string        `json:"bom-ref,omitempty"`
	Type       string        `json:"type"`
	Name       string        `json:"name"`
	Version    string        `json:"version,omitempty"`
	PURL       string        `json:"purl,omitempty"`
	Licenses   []cdxLicense  `json:"licenses,omitempty"`
	Hashes     []cdxHash     `json:"hashes,omitempty"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxLicense struct {
	Expression string `json:"expression,omitempty"`
	License    *struct {
		Name string `json:"name"`
	} `json:"license,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CycloneDX writes the packages as a CycloneDX 1.5 JSON BOM; the serial
// number is derived from the image digest, so output is reproducible.
func CycloneDX(s Subject, pkgs []Package) ([]byte, error) {
	sum := sha256.Sum256([]byte(s.Name + "@" + s.Digest))
	u := hex.EncodeToString(sum[:16])
	serial := fmt.Sprintf("urn:uuid:%s-%s-5%s-8%s-%s", u[0:8], u[8:12], u[13:16], u[17:20], u[20:32])
	tool := s.Tool
	if tool == "" {
		tool = "timetracker-ci"
	}
	img := cdxComponent{BOMRef: s.Name + "@" + s.Digest, Type: "container", Name: s.Name, Version: s.Digest,
		Properties: []cdxProperty{{Name: "timetracker-ci:platform", Value: s.Platform}}}
	if h := strings.TrimPrefix(s.Digest, "sha256:"); h != "" {
		img.Hashes = []cdxHash{{Alg: "SHA-256", Content: h}}
	}
	doc := cdxDoc{BOMFormat: "CycloneDX", SpecVersion: "1.5", SerialNumber: serial, Version: 1,
		Metadata:   cdxMetadata{Timestamp: created(s), Tools: cdxTools{Components: []cdxComponent{{Type: "application", Name: tool}}}, Component: img},
		Components: []cdxComponent{}}
	seen := map[string]bool{}
	for _, p := range pkgs {
		ref := packageID(p)
		if seen[ref] {
			continue
		}
		seen[ref] = true
		c := cdxComponent{BOMRef: ref, Type: "library", Name: p.Name, Version: p.Version, PURL: PURL(p),
			Properties: []cdxProperty{{Name: "timetracker-ci:location", Value: p.Location}}}
		if p.Layer != "" {
			c.Properties = append(c.Properties, cdxProperty{Name: "timetracker-ci:layer", Value: p.Layer})
		}
		if l := strings.TrimSpace(p.License); l != "" {
			if spdxExpr.MatchString(l) {
				c.Licenses = []cdxLicense{{Expression: l}}
			} else {
				cl := cdxLicense{License: &struct {
					Name string `json:"name"`
				}{Name: l}}
				c.Licenses = []cdxLicense{cl}
			}
		}
		doc.Components = append(doc.Components, c)
	}
	return json.MarshalIndent(doc, "", "  ")
}

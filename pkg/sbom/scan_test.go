package sbom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

// memLayer is a layer held in memory that counts how often it is opened.
type memLayer struct {
	raw   []byte
	opens *int
}

func (l memLayer) DiffID() (v1.Hash, error) {
	sum := sha256.Sum256(l.raw)
	return v1.Hash{Algorithm: "sha256", Hex: string(hexOf(sum[:]))}, nil
}

func hexOf(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return out
}

func (l memLayer) Uncompressed() (io.ReadCloser, error) {
	if l.opens != nil {
		*l.opens++
	}
	return io.NopCloser(bytes.NewReader(l.raw)), nil
}

func layers(t *testing.T, opens *int, ls ...[]sbomtest.Entry) []Layer {
	var out []Layer
	for _, entries := range ls {
		out = append(out, memLayer{raw: sbomtest.Tar(t, entries...), opens: opens})
	}
	return out
}

type E = sbomtest.Entry

func list(pkgs []Package) string {
	var s []string
	for _, p := range pkgs {
		s = append(s, p.Type+":"+p.Name+"@"+p.Version+" "+p.Location)
	}
	return strings.Join(s, "\n")
}

func TestScanLayers(t *testing.T) {
	site := "usr/lib/python3/dist-packages/"
	meta := sbomtest.PythonMetadata
	for _, tc := range []struct {
		name   string
		layers [][]E
		want   []string
	}{
		{"debian and python", [][]E{
			{{Name: "./var/lib/dpkg/status", Body: sbomtest.DpkgStatus}},
			{{Name: site + "Flask-3.0.0.dist-info/METADATA", Body: meta("Flask", "3.0.0", "BSD-3-Clause")},
				{Name: "/" + site + "six-1.16.0.egg-info", Body: meta("six", "1.16.0", "MIT")},
				{Name: site + "attrs-23.1.0.egg-info/PKG-INFO", Body: meta("attrs", "23.1.0", "MIT")}},
		}, []string{
			"deb:base-files@12.4+deb12u5 /var/lib/dpkg/status",
			"deb:libssl3@3.0.11-1~deb12u2 /var/lib/dpkg/status",
			"pypi:Flask@3.0.0 /" + site + "Flask-3.0.0.dist-info/METADATA",
			"pypi:attrs@23.1.0 /" + site + "attrs-23.1.0.egg-info/PKG-INFO",
			"pypi:six@1.16.0 /" + site + "six-1.16.0.egg-info",
		}},
		{"upper layer replaces the status file", [][]E{
			{{Name: "var/lib/dpkg/status", Body: sbomtest.DpkgStatus}},
			{{Name: "var/lib/dpkg/status", Body: "Package: base-files\nStatus: install ok installed\nVersion: 13\n"}},
		}, []string{"deb:base-files@13 /var/lib/dpkg/status"}},
		{"whiteout of a dist-info directory", [][]E{
			{{Name: site + "a-1.dist-info/METADATA", Body: meta("a", "1", "MIT")}, {Name: site + "b-1.dist-info/METADATA", Body: meta("b", "1", "MIT")}},
			{{Name: site + ".wh.a-1.dist-info"}},
		}, []string{"pypi:b@1 /" + site + "b-1.dist-info/METADATA"}},
		{"whiteout of the file itself", [][]E{
			{{Name: "lib/apk/db/installed", Body: "P:musl\nV:1.2.4-r2\n\n"}},
			{{Name: "lib/apk/db/.wh.installed"}},
		}, nil},
		{"opaque directory", [][]E{
			{{Name: site + "a-1.dist-info/METADATA", Body: meta("a", "1", "MIT")}},
			{{Name: site + ".wh..wh..opq"}, {Name: site + "c-2.dist-info/METADATA", Body: meta("c", "2", "MIT")}},
		}, []string{"pypi:c@2 /" + site + "c-2.dist-info/METADATA"}},
		{"whiteout applies only below its layer", [][]E{
			{{Name: site + "a-1.dist-info/METADATA", Body: meta("a", "1", "MIT")}},
			{{Name: site + ".wh.a-1.dist-info"}},
			{{Name: site + "a-1.dist-info/METADATA", Body: meta("a", "1", "MIT")}},
		}, []string{"pypi:a@1 /" + site + "a-1.dist-info/METADATA"}},
		{"a symlink replaces the directory", [][]E{
			{{Name: site + "a-1.dist-info/METADATA", Body: meta("a", "1", "MIT")}},
			{{Name: "usr/lib/python3/dist-packages", Link: "/opt/elsewhere"}},
		}, nil},
		{"broken metadata is skipped", [][]E{
			{{Name: site + "x-1.dist-info/METADATA", Body: "garbage"}, {Name: site + "y-1.dist-info/METADATA", Body: meta("y", "1", "")}},
		}, []string{"pypi:y@1 /" + site + "y-1.dist-info/METADATA"}},
		{"executables that are not Go", [][]E{
			{{Name: "usr/bin/script", Body: "#!/bin/sh\n" + strings.Repeat("echo\n", 20), Mode: 0o755},
				{Name: "usr/bin/fake", Body: "\x7fELF" + strings.Repeat("\x00", 100), Mode: 0o755}},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opens := 0
			var warnings []string
			got, err := ScanLayers(context.Background(), layers(t, &opens, tc.layers...),
				WithWarnf(func(f string, a ...any) { warnings = append(warnings, f) }))
			if err != nil {
				t.Fatal(err)
			}
			if opens != len(tc.layers) {
				t.Errorf("opened layers %d times, want each once (%d)", opens, len(tc.layers))
			}
			if g, w := list(got), strings.Join(tc.want, "\n"); g != w {
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
			for _, p := range got {
				if !strings.HasPrefix(p.Layer, "sha256:") {
					t.Errorf("%s: layer %q", p.Name, p.Layer)
				}
			}
			if tc.name == "broken metadata is skipped" && len(warnings) != 1 {
				t.Errorf("warnings %v, want one for the broken file", warnings)
			}
		})
	}
}

// TestScanGoBinary reads the build information of this test binary, put
// into a layer as an executable.
func TestScanGoBinary(t *testing.T) {
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Skip(err)
	}
	ls := layers(t, nil, []E{{Name: "usr/local/bin/app", Body: string(exe), Mode: 0o755},
		{Name: "usr/local/bin/data", Body: string(exe), Mode: 0o644}})
	got, err := ScanLayers(context.Background(), ls, WithTempDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range got {
		if p.Type != TypeGo || p.Location != "/usr/local/bin/app" {
			t.Errorf("unexpected %+v", p)
		}
		names[p.Name] = p.Version
	}
	// A test binary records the main module and the Go version.
	if names["stdlib"] == "" || names["github.com/org/timetracker-ci"] == "" {
		t.Errorf("got %v, want stdlib and the main module", names)
	}
	// Over the size cap: not read at all.
	got, err = ScanLayers(context.Background(), ls, WithMaxBinarySize(1024))
	if err != nil || len(got) != 0 {
		t.Errorf("capped: %v %v", got, err)
	}
}

func TestScanCorruptLayer(t *testing.T) {
	raw := sbomtest.Tar(t, E{Name: "var/lib/dpkg/status", Body: sbomtest.DpkgStatus})
	_, err := ScanLayers(context.Background(), []Layer{memLayer{raw: raw[:700]}})
	if err == nil || !strings.Contains(err.Error(), "layer 1") {
		t.Errorf("err = %v, want the layer named", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ScanLayers(ctx, []Layer{memLayer{raw: raw}}); err == nil {
		t.Error("a cancelled scan succeeded")
	}
}

func TestScanImageAndFormats(t *testing.T) {
	img := sbomtest.DebianPythonImage(t)
	pkgs, err := Scan(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.Name+"@"+p.Version)
	}
	if w := "base-files@12.4+deb12u5 libssl3@3.0.11-1~deb12u2 Flask@3.0.0 requests@2.31.0"; strings.Join(got, " ") != w {
		t.Errorf("got %v, want %s", got, w)
	}
	d, _ := img.Digest()
	cf, _ := img.ConfigFile()
	s := Subject{Name: "registry.example/org/app", Digest: d.String(), Platform: "linux/amd64", Created: cf.Created.Time}
	a, err := SPDX(s, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SPDX(s, pkgs)
	if !bytes.Equal(a, b) {
		t.Error("SPDX output differs between two runs")
	}
	var doc struct {
		SPDXVersion  string `json:"spdxVersion"`
		CreationInfo struct{ Created string }
		Packages     []struct {
			SPDXID, Name, VersionInfo, LicenseDeclared, SourceInfo string
			ExternalRefs                                           []struct{ ReferenceLocator string }
		}
		Relationships []struct{ RelationshipType string }
	}
	if err := json.Unmarshal(a, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || doc.CreationInfo.Created != "2026-01-02T03:04:05Z" || len(doc.Packages) != 5 || len(doc.Relationships) != 5 {
		t.Fatalf("document %+v", doc)
	}
	flask := doc.Packages[3]
	if flask.Name != "Flask" || flask.LicenseDeclared != "BSD-3-Clause" || flask.ExternalRefs[0].ReferenceLocator != "pkg:pypi/flask@3.0.0" ||
		!strings.Contains(flask.SourceInfo, "/usr/local/lib/python3.12/site-packages/flask-3.0.0.dist-info/METADATA (layer sha256:") {
		t.Errorf("flask: %+v", flask)
	}
	if doc.Packages[4].LicenseDeclared != "NOASSERTION" { // "Apache 2.0" is not an SPDX expression
		t.Errorf("requests licence %q", doc.Packages[4].LicenseDeclared)
	}
	c, err := CycloneDX(s, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat, SpecVersion, SerialNumber string
		Components                           []struct{ Name, Version, Purl string }
	}
	if err := json.Unmarshal(c, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.5" || len(bom.Components) != 4 || bom.Components[2].Purl != "pkg:pypi/flask@3.0.0" || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("CycloneDX %+v", bom)
	}
}

func FuzzScanLayer(f *testing.F) {
	f.Add(sbomtest.Tar(f, E{Name: "var/lib/dpkg/status", Body: sbomtest.DpkgStatus}, E{Name: "x/.wh.y"}))
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pkgs, err := ScanLayers(context.Background(), []Layer{memLayer{raw: raw}}, WithMaxBinarySize(1<<16), WithTempDir(t.TempDir()))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || !strings.HasPrefix(p.Location, "/") {
				t.Fatalf("bad package %+v", p)
			}
		}
		if _, err := SPDX(Subject{Name: "r/x", Digest: "sha256:00"}, pkgs); err != nil {
			t.Fatal(err)
		}
	})
}

package sbom

import (
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

func TestParseDpkgStatus(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // name@version[/source]
	}{
		{"installed and removed", sbomtest.DpkgStatus, []string{"base-files@12.4+deb12u5", "libssl3@3.0.11-1~deb12u2/openssl"}},
		{"status.d has no Status", "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n", []string{"tzdata@2024a-0+deb12u1"}},
		{"source with version", "Package: libc6\nStatus: install ok installed\nSource: glibc (2.36-9)\nVersion: 2.36-9+deb12u4\n", []string{"libc6@2.36-9+deb12u4/glibc"}},
		{"half-installed", "Package: x\nStatus: install reinstreq half-installed\nVersion: 1\n", nil},
		{"no version", "Package: x\nStatus: install ok installed\n", nil},
		{"CRLF and junk", "junk line\r\nPackage: y\r\nVersion: 2\r\n\r\n\r\n", []string{"y@2"}},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDpkgStatus(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range got {
				s := p.Name + "@" + p.Version
				if p.Source != "" {
					s += "/" + p.Source
				}
				if p.Type != TypeDeb {
					t.Errorf("type %q", p.Type)
				}
				names = append(names, s)
			}
			if strings.Join(names, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", names, tc.want)
			}
		})
	}
}

func TestParseDpkgStatusLongLine(t *testing.T) {
	_, err := ParseDpkgStatus(strings.NewReader("Package: x\nDescription: " + strings.Repeat("a", maxLine+1)))
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("err = %v, want the line limit named", err)
	}
}

func TestParseApkInstalled(t *testing.T) {
	in := "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\n\nP:broken\n"
	got, err := ParseApkInstalled(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "musl" || got[0].Version != "1.2.4-r2" || got[0].License != "MIT" || got[0].Source != "" ||
		got[1].Name != "busybox" || got[1].Arch != "x86_64" || got[1].Type != TypeApk {
		t.Errorf("got %+v", got)
	}
}

func TestParsePythonMetadata(t *testing.T) {
	for _, tc := range []struct {
		name, in               string
		wantName, wantV, wantL string
		wantErr                bool
	}{
		{"license field", sbomtest.PythonMetadata("Flask", "3.0.0", "BSD-3-Clause"), "Flask", "3.0.0", "BSD-3-Clause", false},
		{"expression wins", "Name: a\nVersion: 1\nLicense: long text\nLicense-Expression: MIT OR Apache-2.0\n", "a", "1", "MIT OR Apache-2.0", false},
		{"classifier", "Name: b\nVersion: 2\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n", "b", "2", "MIT License", false},
		{"multi-line license dropped", "Name: c\nVersion: 3\nLicense: Copyright\n        all rights\n", "c", "3", "", false},
		{"body ignored", "Name: d\nVersion: 4\n\nVersion: 5\n", "d", "4", "", false},
		{"no version", "Name: e\n", "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePythonMetadata(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr {
				return
			}
			if p.Name != tc.wantName || p.Version != tc.wantV || p.License != tc.wantL || p.Type != TypePython {
				t.Errorf("got %+v", p)
			}
		})
	}
}

func TestPURL(t *testing.T) {
	for _, tc := range []struct {
		p    Package
		want string
	}{
		{Package{Type: TypeDeb, Name: "libssl3", Version: "3.0.11-1~deb12u2", Arch: "amd64", Source: "openssl"}, "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl"},
		{Package{Type: TypePython, Name: "Flask_SQLAlchemy", Version: "3.1.1"}, "pkg:pypi/flask-sqlalchemy@3.1.1"},
		{Package{Type: TypeGo, Name: "github.com/google/go-containerregistry", Version: "v0.22.1"}, "pkg:golang/github.com/google/go-containerregistry@v0.22.1"},
		{Package{Type: TypeApk, Name: "musl", Version: "1.2.4-r2", Arch: "x86_64"}, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64"},
		{Package{Type: TypeDeb, Name: "libstdc++6", Version: "1:12.2.0-14"}, "pkg:deb/debian/libstdc++6@1:12.2.0-14"},
	} {
		if got := PURL(tc.p); got != tc.want {
			t.Errorf("PURL(%+v) = %s, want %s", tc.p, got, tc.want)
		}
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add(sbomtest.DpkgStatus)
	f.Add("Package: a\n Version: 1\n\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		pkgs, err := ParseDpkgStatus(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}

func FuzzParseApkInstalled(f *testing.F) {
	f.Add("P:musl\nV:1.2.4-r2\nL:MIT\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		pkgs, err := ParseApkInstalled(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Fatalf("package without name or version: %+v", p)
			}
		}
	})
}

func FuzzParsePythonMetadata(f *testing.F) {
	f.Add(sbomtest.PythonMetadata("Flask", "3.0.0", "BSD-3-Clause"))
	f.Add("Name: a\nVersion: 1\nLicense-Expression: MIT\nClassifier: License :: X\n")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePythonMetadata(strings.NewReader(in))
		if err != nil {
			return
		}
		if p.Name == "" || p.Version == "" {
			t.Fatalf("no name or version but no error: %+v", p)
		}
		_ = PURL(p)
	})
}

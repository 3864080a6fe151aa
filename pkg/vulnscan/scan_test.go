package vulnscan

import (
	"archive/zip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/org/timetracker-ci/pkg/sbom"
)

func fixtureSBOM(t *testing.T, format func(sbom.Subject, []sbom.Package) ([]byte, error)) []byte {
	t.Helper()
	pkgs := []sbom.Package{
		{Type: sbom.TypeDeb, Name: "libssl3", Source: "openssl", Version: "3.0.11-1~deb12u2", Arch: "amd64", Location: "/var/lib/dpkg/status"},
		{Type: sbom.TypeDeb, Name: "base-files", Version: "12.4+deb12u5", Location: "/var/lib/dpkg/status"},
		{Type: sbom.TypePython, Name: "requests", Version: "2.31.0", Location: "/site/requests-2.31.0.dist-info/METADATA"},
		{Type: sbom.TypePython, Name: "Flask", Version: "3.0.0", Location: "/site/flask-3.0.0.dist-info/METADATA"},
		{Type: sbom.TypeGo, Name: "stdlib", Version: "1.22.1", Location: "/app"},
	}
	doc, err := format(sbom.Subject{Name: "r/app", Digest: "sha256:" + strings.Repeat("a", 64)}, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestScan(t *testing.T) {
	db, err := Load(context.Background(), "testdata/osv")
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() != 4 {
		t.Fatalf("read %d records", db.Len())
	}
	for name, format := range map[string]func(sbom.Subject, []sbom.Package) ([]byte, error){"spdx": sbom.SPDX, "cyclonedx": sbom.CycloneDX} {
		t.Run(name, func(t *testing.T) {
			rep, err := Scan(Request{SBOMs: map[string][]byte{"a.json": fixtureSBOM(t, format), "b.json": fixtureSBOM(t, format)},
				DB: db, Threshold: LevelHigh, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.ID+" "+f.Severity+" "+f.Package.Name+" "+f.Fixed)
			}
			want := []string{
				"FIXTURE-2026-0004 critical flask ",
				"FIXTURE-2026-0001 high requests 2.32.0",
				"FIXTURE-2026-0002 low openssl 3.0.13-1~deb12u1",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(rep.Failing) != 2 || rep.Packages != 5 {
				t.Errorf("failing %d packages %d", len(rep.Failing), rep.Packages)
			}
		})
	}
}

func TestIgnoreFile(t *testing.T) {
	db, _ := Load(context.Background(), "testdata/osv")
	f, err := ParseIgnoreFile([]byte(`ignore:
  - id: CVE-0000-0001
    package: requests
    expires: 2026-06-30
    reason: we never follow redirects with credentials
  - id: FIXTURE-2026-0004
    expires: 2026-01-31
    reason: expired entry
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(Request{SBOMs: map[string][]byte{"a.json": fixtureSBOM(t, sbom.SPDX)}, DB: db, Threshold: LevelHigh, Ignore: f,
		Now: time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failing) != 1 || rep.Failing[0].ID != "FIXTURE-2026-0004" {
		t.Errorf("failing %+v: the alias entry ignores 0001 through its last day; 0004's entry expired", rep.Failing)
	}
	if len(rep.Expired) != 1 || !strings.Contains(rep.String(), "expired on 2026-01-31") {
		t.Errorf("expired %+v\n%s", rep.Expired, rep)
	}
	var sarif struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string
						Properties map[string]any
					}
				}
			}
			Results []struct {
				RuleID       string
				Level        string
				Suppressions []struct{ Kind string }
			}
		}
	}
	if err := json.Unmarshal(rep.SARIF, &sarif); err != nil {
		t.Fatal(err)
	}
	r := sarif.Runs[0]
	if sarif.Version != "2.1.0" || len(r.Results) != 3 || len(r.Tool.Driver.Rules) != 3 || r.Tool.Driver.Rules[0].Properties["security-severity"] != "7.5" {
		t.Errorf("SARIF %+v", sarif)
	}
	suppressed := 0
	for _, res := range r.Results {
		if len(res.Suppressions) > 0 {
			suppressed++
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1", suppressed)
	}

	// After the day: the entry applies no more.
	rep, _ = Scan(Request{SBOMs: map[string][]byte{"a.json": fixtureSBOM(t, sbom.SPDX)}, DB: db, Threshold: LevelHigh, Ignore: f,
		Now: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)})
	if len(rep.Failing) != 2 {
		t.Errorf("after expiry: failing %d, want 2", len(rep.Failing))
	}
	// Threshold none never fails; critical only the critical one.
	for lvl, want := range map[int]int{LevelNone: 0, LevelCritical: 1, LevelLow: 3} {
		rep, _ := Scan(Request{SBOMs: map[string][]byte{"a.json": fixtureSBOM(t, sbom.SPDX)}, DB: db, Threshold: lvl})
		if len(rep.Failing) != want {
			t.Errorf("threshold %s: %d failing, want %d", LevelName(lvl), len(rep.Failing), want)
		}
	}
}

func TestIgnoreFileErrors(t *testing.T) {
	for _, bad := range []string{
		"ignore:\n  - id: X\n    reason: r\n",
		"ignore:\n  - id: X\n    expires: tomorrow\n    reason: r\n",
		"ignore:\n  - expires: 2026-01-01\n    reason: r\n",
		"ignore:\n  - id: X\n    expires: 2026-01-01\n",
		"ignore:\n  - id: X\n    expiry: 2026-01-01\n    reason: r\n",
	} {
		if _, err := ParseIgnoreFile([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if f, err := ParseIgnoreFile(nil); err != nil || len(f.Ignore) != 0 {
		t.Errorf("empty file: %v", err)
	}
}

func TestLoadZip(t *testing.T) {
	dir := t.TempDir()
	zf, _ := os.Create(filepath.Join(dir, "all.zip"))
	zw := zip.NewWriter(zf)
	for _, n := range []string{"FIXTURE-2026-0001.json", "FIXTURE-2026-0002.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata/osv", n))
		w, _ := zw.Create(n)
		w.Write(data)
	}
	zw.Close()
	zf.Close()
	db, err := Load(context.Background(), dir)
	if err != nil || db.Len() != 2 {
		t.Errorf("zip: %d records, %v", db.Len(), err)
	}
}

func FuzzParseRecordAndMatch(f *testing.F) {
	for _, n := range []string{"FIXTURE-2026-0001.json", "FIXTURE-2026-0004.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata/osv", n))
		f.Add(data, "2.31.0")
	}
	f.Fuzz(func(t *testing.T, data []byte, version string) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		db := &Database{}
		db.Add(r)
		for _, eco := range []string{"PyPI", "Debian", "Go"} {
			for _, a := range r.Affected {
				Match(db, []Package{{Ecosystem: eco, Name: normalizeName(eco, a.Package.Name), Version: version, PURL: "pkg:x/y"}})
			}
		}
	})
}

func FuzzParseIgnoreFile(f *testing.F) {
	f.Add([]byte("ignore:\n  - id: X\n    expires: 2026-01-01\n    reason: r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := ParseIgnoreFile(data)
		if err != nil {
			return
		}
		for _, e := range ig.Ignore {
			if e.ID == "" || e.until.IsZero() {
				t.Fatalf("entry accepted without id or date: %+v", e)
			}
		}
	})
}

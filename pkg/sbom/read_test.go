package sbom

import (
	"testing"
)

func TestDescribed(t *testing.T) {
	s := Subject{Name: "r.example/app", Digest: "sha256:" + string(make64('a')), Platform: "linux/amd64"}
	pkgs := []Package{{Type: TypePython, Name: "flask", Version: "3.0.0", Location: "/x"}}
	for _, write := range []func(Subject, []Package) ([]byte, error){SPDX, CycloneDX} {
		doc, err := write(s, pkgs)
		if err != nil {
			t.Fatal(err)
		}
		d, n, err := Described(doc)
		if err != nil || d != s.Digest || n != 1 {
			t.Errorf("Described = %s %d %v", d, n, err)
		}
	}
	for _, bad := range []string{"", "{}", `{"spdxVersion":"SPDX-2.3"}`, `{"bomFormat":"CycloneDX"}`} {
		if _, _, err := Described([]byte(bad)); err == nil {
			t.Errorf("Described(%q) succeeded", bad)
		}
	}
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}

func FuzzDescribed(f *testing.F) {
	doc, _ := SPDX(Subject{Name: "r/x", Digest: "sha256:" + string(make64('b'))}, nil)
	f.Add(doc)
	bom, _ := CycloneDX(Subject{Name: "r/x", Digest: "sha256:" + string(make64('c'))}, nil)
	f.Add(bom)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, n, err := Described(data)
		if err == nil && (d == "" || n < 0) {
			t.Fatalf("described %q %d without error", d, n)
		}
	})
}

package registry

import (
	"strings"
	"testing"
)

func TestParseManifest(t *testing.T) {
	for _, tc := range []struct {
		name, raw, ct, wantMT, wantErr string
	}{
		{"docker image", `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:a"}}`, "", "application/vnd.docker.distribution.manifest.v2+json", ""},
		{"oci index from content type", `{"schemaVersion":2,"manifests":[]}`, "application/vnd.oci.image.index.v1+json; charset=utf-8", "application/vnd.oci.image.index.v1+json", ""},
		{"oci index guessed", `{"schemaVersion":2,"manifests":[]}`, "application/json", "application/vnd.oci.image.index.v1+json", ""},
		{"oci image guessed", `{"schemaVersion":2,"config":{}}`, "", "application/vnd.oci.image.manifest.v1+json", ""},
		{"schema 1", `{"schemaVersion":1,"fsLayers":[]}`, "application/vnd.docker.distribution.manifest.v1+prettyjws", "", "schema 1"},
		{"not json", `<html>`, "text/html", "", "not JSON"},
		{"wrong schema version", `{"schemaVersion":3,"config":{}}`, "application/vnd.oci.image.manifest.v1+json", "", "schemaVersion 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, mt, err := parseManifest([]byte(tc.raw), tc.ct)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || mt != tc.wantMT {
				t.Errorf("parseManifest = %q, %v; want %q", mt, err, tc.wantMT)
			}
		})
	}
}

func TestPlatforms(t *testing.T) {
	for in, want := range map[string]string{"linux/amd64": "linux/amd64", "Linux/ARM/v7": "linux/arm/v7", "linux/arm64/v8": "linux/arm64"} {
		p, err := ParsePlatform(in)
		if err != nil || p.normalize() != want {
			t.Errorf("ParsePlatform(%q).normalize() = %q, %v; want %q", in, p.normalize(), err, want)
		}
	}
	for _, bad := range []string{"linux", "linux/", "/amd64", "linux/arm/v7/x", "linux/arm/"} {
		if _, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) accepted", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"manifests":[{"digest":"sha256:a","platform":{"os":"linux","architecture":"amd64"}}]}`), "application/vnd.oci.image.index.v1+json")
	f.Add([]byte(`{"schemaVersion":2,"config":{"digest":"sha256:a"},"layers":[{"mediaType":"foreign"}]}`), "")
	f.Fuzz(func(t *testing.T, raw []byte, ct string) {
		m, mt, err := parseManifest(raw, ct)
		if err != nil {
			return
		}
		if !isIndexType(mt) && !isImageType(mt) {
			t.Fatalf("accepted media type %q", mt)
		}
		_ = indexPlatforms(m)
		_ = m.blobs()
	})
}

func FuzzParsePlatform(f *testing.F) {
	f.Add("linux/arm/v7")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			return
		}
		again, err := ParsePlatform(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip %q -> %q -> %+v, %v", s, p.String(), again, err)
		}
	})
}

package registry

import (
	"strings"
	"testing"
)

func TestParseReference(t *testing.T) {
	tests := []struct {
		in      string
		want    Reference
		wantErr string
	}{
		{in: "ghcr.io/org/app:1.2.3", want: Reference{Registry: "ghcr.io", Repository: "org/app", Tag: "1.2.3"}},
		{in: "ghcr.io/org/app", want: Reference{Registry: "ghcr.io", Repository: "org/app", Tag: "latest"}},
		{in: "alpine", want: Reference{Registry: "index.docker.io", Repository: "library/alpine", Tag: "latest"}},
		{in: "docker.io/org/app:dev", want: Reference{Registry: "index.docker.io", Repository: "org/app", Tag: "dev"}},
		{in: "localhost:5000/app@sha256:" + strings.Repeat("a", 64), want: Reference{Registry: "localhost:5000", Repository: "app", Digest: "sha256:" + strings.Repeat("a", 64)}},
		{in: "GHCR.io/org/app:1", want: Reference{Registry: "ghcr.io", Repository: "org/app", Tag: "1"}},
		{in: "ghcr.io/Org/App:1.2.3", wantErr: `write "ghcr.io/org/app:1.2.3"`},
		{in: "Org/app", wantErr: `upper-case letters in its repository "Org/app"`},
		{in: "", wantErr: "empty image reference"},
		{in: "ghcr.io/org/app:v1 2", wantErr: "white space"},
		{in: "ghcr.io/org/app:bad tag!", wantErr: "white space"},
		{in: "ghcr.io/org/app:-bad", wantErr: "is not a valid image tag"},
		{in: "ghcr.io/org/app@sha256:abc", wantErr: "is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseReference(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseReference(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReference(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseReference(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRepository(t *testing.T) {
	got, err := ParseRepository("docker.io/org/app")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name() != "docker.io/org/app" || got.Registry != "index.docker.io" {
		t.Errorf("ParseRepository = %+v (name %s)", got, got.Name())
	}
	if _, err := ParseRepository("ghcr.io/org/app:1"); err == nil || !strings.Contains(err.Error(), "give the repository only") {
		t.Errorf("ParseRepository with a tag: error = %v", err)
	}
}

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"ghcr.io/org/app:1.2.3", "alpine", "localhost:5000/a/b@sha256:" + strings.Repeat("0", 64), "Org/App", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			return
		}
		if r.Repository != strings.ToLower(r.Repository) {
			t.Fatalf("ParseReference(%q) accepted upper-case repository %q", s, r.Repository)
		}
		// What we print must parse back to the same thing.
		again, err := ParseReference(r.String())
		if err != nil || again != r {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v, %v", s, r, r.String(), again, err)
		}
	})
}

func BenchmarkParseReference(b *testing.B) {
	refs := []string{"ghcr.io/org/app:1.2.3", "docker.io/org/app@sha256:" + strings.Repeat("ab", 32), "alpine"}
	for i := 0; b.Loop(); i++ {
		if _, err := ParseReference(refs[i%len(refs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPlainHTTPRegistryWithoutInsecure(t *testing.T) {
	host := testRegistry(t, nil)
	_, err := Resolve(testContext(t), host+"/org/app:latest", WithRetry(1, 0))
	if err == nil || !strings.Contains(err.Error(), "list "+host+" in insecure-registries") {
		t.Errorf("error = %v, want the insecure-registries hint", err)
	}
}

package registry

import (
	"bytes"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

// pushDebianPythonIndex pushes sbomtest's two-platform index and returns
// its digest and its platform digests.
func pushDebianPythonIndex(t *testing.T, repo string) (string, []string) {
	t.Helper()
	idx := sbomtest.DebianPythonIndex(t)
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(repo+"@"+d.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var children []string
	for _, c := range m.Manifests {
		children = append(children, c.Digest.String())
	}
	return d.String(), children
}

func TestAttachAndPromote(t *testing.T) {
	for _, tc := range []struct {
		name         string
		start        func(t *testing.T) string
		wantFallback bool
	}{
		{"in-process registry without the referrers API", func(t *testing.T) string { return registrytest.New(t, nil) }, true},
		{"in-process registry with the referrers API", func(t *testing.T) string { return registrytest.NewWithReferrers(t) }, false},
		{"docker-registry", func(t *testing.T) string { return registrytest.StartDistribution(t, "", "") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			a, b := tc.start(t), tc.start(t)
			repo := a + "/build/app"
			index, children := pushDebianPythonIndex(t, repo)
			c := New(WithInsecure(a, b))

			sbom := []byte(`{"spdxVersion":"SPDX-2.3"}`)
			prov := []byte(`{"_type":"https://in-toto.io/Statement/v1"}`)
			att, err := c.Attach(ctx, repo, children[0], Artifact{ArtifactType: "application/spdx+json", Data: sbom})
			if err != nil {
				t.Fatal(err)
			}
			if att.TagFallback != tc.wantFallback || att.Existing {
				t.Errorf("attach: %+v, want tag fallback %v", att, tc.wantFallback)
			}
			if _, err := c.Attach(ctx, repo, index, Artifact{ArtifactType: "application/vnd.in-toto+json", Data: prov,
				Annotations: map[string]string{"org.opencontainers.image.title": "provenance"}}); err != nil {
				t.Fatal(err)
			}
			// Again: nothing written.
			var counter Counter
			again, err := New(WithInsecure(a, b), WithCounter(&counter)).Attach(ctx, repo, children[0], Artifact{ArtifactType: "application/spdx+json", Data: []byte(`{"other":1}`)})
			if err != nil || !again.Existing || again.Digest != att.Digest || writes(&counter) != 0 {
				t.Errorf("re-attach: %+v %v, %d writes", again, err, writes(&counter))
			}

			refs, err := c.Referrers(ctx, repo, children[0])
			if err != nil || len(refs) != 1 || refs[0].ArtifactType != "application/spdx+json" || refs[0].Digest != att.Digest {
				t.Fatalf("referrers of the platform image: %+v %v", refs, err)
			}
			data, subject, err := c.ArtifactContent(ctx, repo, refs[0].Digest)
			if err != nil || !bytes.Equal(data, sbom) || subject != children[0] {
				t.Errorf("content: %q %s %v", data, subject, err)
			}
			if refs, _ := c.Referrers(ctx, repo, children[1]); len(refs) != 0 {
				t.Errorf("the other platform has referrers %+v", refs)
			}

			// Promotion by digest to another registry carries both along.
			req := Request{Sources: []string{repo + "@" + index}, Images: []string{b + "/org/app"}, Tags: []string{"1.0.0"}}
			res, err := c.Publish(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Promoted || res.Digest != index {
				t.Fatalf("promotion %+v", res)
			}
			for subject, want := range map[string]string{children[0]: "application/spdx+json", index: "application/vnd.in-toto+json"} {
				refs, err := c.Referrers(ctx, b+"/org/app", subject)
				if err != nil || len(refs) != 1 || refs[0].ArtifactType != want {
					t.Errorf("referrers of %s in the target: %+v %v, want one %s", subject, refs, err, want)
					continue
				}
				if _, got, err := c.ArtifactContent(ctx, b+"/org/app", refs[0].Digest); err != nil || got != subject {
					t.Errorf("carried artifact: subject %s %v", got, err)
				}
			}
			// A re-run of the promotion writes nothing.
			counter.Reset()
			if _, err := New(WithInsecure(a, b), WithCounter(&counter)).Publish(ctx, req); err != nil || writes(&counter) != 0 {
				t.Errorf("re-run: %v, %d writes", err, writes(&counter))
			}
		})
	}
}

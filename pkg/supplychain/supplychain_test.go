package supplychain

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/pkg/provenance"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var build = provenance.Build{
	ServerURL: "https://github.com", Repository: "org/app", WorkflowRef: "org/app/.github/workflows/cd-release.yml@refs/tags/v1.0.0",
	Ref: "refs/tags/v1.0.0", SHA: "0123456789abcdef0123456789abcdef01234567", EventName: "push", RunID: "5", RunAttempt: "1",
	Parameters: map[string]string{"platforms": "linux/amd64,linux/arm64"},
}

// published pushes sbomtest's Debian + Python index to host/org/app and tags it 1.0.0.
func published(t *testing.T, c *registry.Client, host string) (repo, index string) {
	t.Helper()
	repo = host + "/org/app"
	idx := sbomtest.DebianPythonIndex(t)
	d, _ := idx.Digest()
	ref, _ := name.ParseReference(repo+":1.0.0", name.Insecure)
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	return repo, d.String()
}

// deployFile is a compose file as the manifest action writes it: the tag
// in comments, the digest in the value.
func deployFile(repo, digest string) []byte {
	return []byte("# Generated from " + repo + ":1.0.0.\nservices:\n  app:\n    image: " + repo + "@" + digest + " # " + repo + ":1.0.0\n")
}

func TestAttestAndVerify(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"in-process registry", func(t *testing.T) string { return registrytest.New(t, nil) }},
		{"in-process registry with the referrers API", func(t *testing.T) string { return registrytest.NewWithReferrers(t) }},
		{"docker-registry", func(t *testing.T) string { return registrytest.StartDistribution(t, "", "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testContext(t)
			host := tc.start(t)
			c := registry.New(registry.WithInsecure(host))
			repo, index := published(t, c, host)

			res, err := Attest(ctx, c, AttestRequest{Image: repo + ":1.0.0", Build: build, Tool: "timetracker-ci-test"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Digest != index || len(res.SBOMs) != 2 || res.Provenance == nil {
				t.Fatalf("attest: %+v", res)
			}
			var doc struct {
				Packages []struct{ Name, VersionInfo string }
			}
			if err := json.Unmarshal(res.SBOMs[0].Document, &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range doc.Packages[1:] {
				got = append(got, p.Name+"@"+p.VersionInfo)
			}
			if w := "base-files@12.4+deb12u5 libssl3@3.0.11-1~deb12u2 Flask@3.0.0 requests@2.31.0"; strings.Join(got, " ") != w {
				t.Errorf("SBOM lists %v, want %s (urllib3 was deleted by a later layer)", got, w)
			}
			st, err := provenance.Parse(res.Statement)
			if err != nil || len(st.Digests()) != 3 {
				t.Errorf("provenance %v %v", st, err)
			}

			// Again: everything is found attached, nothing written.
			var counter registry.Counter
			again, err := Attest(ctx, registry.New(registry.WithInsecure(host), registry.WithCounter(&counter)), AttestRequest{Image: repo + "@" + index, Build: build})
			if err != nil {
				t.Fatal(err)
			}
			if !again.SBOMs[0].Attached.Existing || !again.SBOMs[1].Attached.Existing || !again.Provenance.Existing {
				t.Errorf("re-run attached again: %+v", again)
			}
			for k, n := range counter.ByKind() {
				if strings.HasPrefix(k, "PUT") || strings.HasPrefix(k, "POST") {
					t.Errorf("re-run wrote: %s x%d", k, n)
				}
			}

			req := VerifyRequest{Image: repo + "@" + index, Platforms: []string{"linux/amd64", "linux/arm64"}, Tags: []string{"1.0.0"},
				Files: map[string][]byte{"docker-compose.production.yml": deployFile(repo, index)}}
			rep, err := Verify(ctx, c, req)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() {
				t.Fatalf("verify of a good image:\n%s", rep)
			}
			t.Logf("\n%s", rep)

			gap := func(name string, req VerifyRequest, want string) {
				t.Helper()
				rep, err := Verify(ctx, c, req)
				if err != nil {
					t.Fatal(err)
				}
				gaps := rep.Gaps()
				if rep.OK() || len(gaps) != 1 || gaps[0].What != want {
					t.Errorf("%s: gaps %+v, want exactly %q\n%s", name, gaps, want, rep)
				}
			}
			r := req
			r.Platforms = append([]string{"linux/s390x"}, req.Platforms...)
			gap("a missing platform", r, "platform linux/s390x")

			other := registrytest.PushIndex(t, repo, "application/vnd.oci.image.index.v1+json")
			otherDigest := other[strings.Index(other, "@")+1:]
			r = req
			r.Files = map[string][]byte{"k8s-deployment.yml": deployFile(repo, otherDigest)}
			gap("a file pinned elsewhere", r, "file k8s-deployment.yml")
			r.Files = map[string][]byte{"k8s-deployment.yml": []byte("image: " + repo + ":1.0.0\n")}
			gap("a file by tag", r, "file k8s-deployment.yml")

			tagRef, _ := name.ParseReference(repo+":1.0.1", name.Insecure)
			otherRef, _ := name.ParseReference(other, name.Insecure)
			idx2, err := remote.Index(otherRef)
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.WriteIndex(tagRef, idx2); err != nil {
				t.Fatal(err)
			}
			r = req
			r.Tags = []string{"1.0.1"}
			gap("a tag elsewhere", r, "tag 1.0.1")

			// Remove the arm64 SBOM from the registry.
			arm := res.SBOMs[1]
			del(t, repo, arm.Attached.Digest)
			gap("a removed SBOM", req, "sbom "+arm.Platform)
			// Remove the provenance.
			del(t, repo, res.Provenance.Digest)
			rep, _ = Verify(ctx, c, req)
			if g := rep.Gaps(); len(g) != 2 || g[1].What != "provenance" {
				t.Errorf("after removing the provenance: %+v", g)
			}
		})
	}
}

// del deletes a manifest by digest, as a registry user would.
func del(t *testing.T, repo, digest string) {
	t.Helper()
	host, path, _ := strings.Cut(repo, "/")
	req, _ := http.NewRequest(http.MethodDelete, "http://"+host+"/v2/"+path+"/manifests/"+digest, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE %s: %s", digest, resp.Status)
	}
}

package manifestaction

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

func TestDistributionRegistryWithAuth(t *testing.T) {
	const user, password = "ci", "s3cret-registry-token"
	host := registrytest.StartDistribution(t, user, password)
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(128, 1)
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	tag, err := name.NewTag(host+"/org/timetracker:2.0.0", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx, remote.WithAuth(&authn.Basic{Username: user, Password: password})); err != nil {
		t.Fatal(err)
	}
	digest, _ := idx.Digest()

	in := map[string]string{"image": host + "/org/timetracker:2.0.0", "insecure-registries": host,
		"username": user, "password": password, "revision": "r", "build-time": "1700000000"}
	dir := t.TempDir()
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: in})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["digest"] != digest.String() || res.Outputs["platforms"] != "linux/amd64,linux/arm64" {
		t.Errorf("outputs %v, want digest %s", res.Outputs, digest)
	}
	if strings.Count(res.Stdout, "::add-mask::"+password) != 1 {
		t.Errorf("the password must be masked once:\n%s", res.Stdout)
	}
	k8s, _ := os.ReadFile(filepath.Join(dir, "dist/deploy/k8s-deployment.yml"))
	if !strings.Contains(string(k8s), host+"/org/timetracker@"+digest.String()+" # "+host+"/org/timetracker:2.0.0") {
		t.Errorf("k8s-deployment.yml does not pin the digest")
	}

	in["password"] = "wrong"
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: t.TempDir(), Inputs: in})
	if res.ExitCode != 1 || strings.Contains(res.Stdout+res.Stderr, password) {
		t.Errorf("wrong password: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

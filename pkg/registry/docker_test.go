package registry

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/pkg/registry/registrytest"
)

// TestDockerPullsPublishedIndex is the end-to-end check: images built and
// pushed by the Docker engine, merged and tagged by Publish in a
// docker-registry, then pulled back by Docker for each platform.
func TestDockerPullsPublishedIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the Docker end-to-end test")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker is not installed: skipping the Docker end-to-end test")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		t.Skipf("no Docker engine: %s", strings.TrimSpace(string(out)))
	}
	host := registrytest.StartDistribution(t, "", "")
	docker := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	dir := t.TempDir()
	var sources, created []string
	t.Cleanup(func() {
		if len(created) > 0 {
			exec.Command("docker", append([]string{"rmi", "-f"}, created...)...).Run()
		}
	})
	for _, arch := range []string{"amd64", "arm64"} {
		ctxDir := filepath.Join(dir, arch)
		if err := os.MkdirAll(ctxDir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(ctxDir, "arch.txt"), []byte(arch+"\n"), 0o644)
		os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM scratch\nCOPY arch.txt /arch.txt\n"), 0o644)
		tag := host + "/build/app:" + arch
		created = append(created, tag)
		docker("build", "-q", "--platform", "linux/"+arch, "-t", tag, ctxDir)
		docker("push", "-q", tag)
		sources = append(sources, tag)
	}
	res, err := New(WithInsecure(host)).Publish(testContext(t), Request{
		Sources: sources, Images: []string{host + "/org/app"}, Tags: []string{"1.0.0", "latest"},
		Platforms: []string{"linux/amd64", "linux/arm64"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.MediaType != "application/vnd.docker.distribution.manifest.list.v2+json" || res.Copy.BlobsMounted == 0 {
		t.Errorf("result %+v: want a Docker manifest list and blobs mounted from build/app", res)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		ref := host + "/org/app:1.0.0"
		created = append(created, ref)
		docker("pull", "-q", "--platform", "linux/"+arch, ref)
		if got := docker("image", "inspect", ref, "--format", "{{.Os}}/{{.Architecture}}"); got != "linux/"+arch {
			t.Errorf("docker pull --platform linux/%s %s gave %s", arch, ref, got)
		}
		docker("rmi", ref)
	}
}

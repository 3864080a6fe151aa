package manifest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// distribution starts Debian's docker-registry with basic auth on a loopback
// port and returns its host.
func distribution(t *testing.T, user, password string) string {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Skip("docker-registry is not installed (Debian package docker-registry)")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\nauth:\n  htpasswd:\n    realm: test\n    path: %s\n",
		filepath.Join(dir, "storage"), host, filepath.Join(dir, "htpasswd"))
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting docker-registry: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	for deadline := time.Now().Add(15 * time.Second); ; {
		if resp, err := http.Get("http://" + host + "/v2/"); err == nil {
			resp.Body.Close()
			return host
		}
		select {
		case <-exited:
			t.Fatalf("docker-registry exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker-registry did not answer on %s: %s", host, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDistributionRegistryWithAuth(t *testing.T) {
	const user, password = "ci", "s3cret-registry-token"
	host := distribution(t, user, password)
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

package manifestaction

import (
	"bytes"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/org/timetracker-ci/pkg/action/actiontest"
)

// testRegistry is go-containerregistry's in-process registry holding
// org/timetracker:1.2.3 (amd64 + arm64 index) and org/timetracker:amd64-only.
type testRegistry struct {
	host        string
	indexDigest string
	amd64Digest string
	created     time.Time // every image's config created time
}

func newRegistry(t *testing.T) testRegistry { return newRegistryTB(t) }

func newRegistryTB(t testing.TB) testRegistry {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(nilLogger())))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	r := testRegistry{host: u.Host, created: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)}
	platImage := func(arch string) v1.Image {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", arch
		cf.Created = v1.Time{Time: r.created}
		img, err = mutate.ConfigFile(img, cf)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	amd, arm := platImage("amd64"), platImage("arm64")
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	tag, err := name.NewTag(r.host + "/org/timetracker:1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	r.indexDigest = d.String()
	one, _ := name.NewTag(r.host + "/org/timetracker:amd64-only")
	if err := remote.Write(one, amd); err != nil {
		t.Fatal(err)
	}
	d, _ = amd.Digest()
	r.amd64Digest = d.String()
	return r
}

func (r testRegistry) inputs(image string, extra ...string) map[string]string {
	in := map[string]string{
		"image":               r.host + "/org/timetracker" + image,
		"insecure-registries": r.host,
		"revision":            "5f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
		"build-time":          "2026-11-28T12:00:00Z",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		in[extra[i]] = extra[i+1]
	}
	return in
}

func TestResolvesTagAndWritesPinnedFiles(t *testing.T) {
	reg := newRegistry(t)
	dir := t.TempDir()
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: reg.inputs(":1.2.3")})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["digest"] != reg.indexDigest {
		t.Errorf("digest = %q, want the index %s", res.Outputs["digest"], reg.indexDigest)
	}
	if res.Outputs["platforms"] != "linux/amd64,linux/arm64/v8" {
		t.Errorf("platforms = %q", res.Outputs["platforms"])
	}
	wantFiles := `["dist/deploy/deployment-dev.yml","dist/deploy/deployment.json","dist/deploy/docker-compose.production.yml","dist/deploy/k8s-deployment.yml","dist/deploy/SHA256SUMS"]`
	if res.Outputs["output-dir"] != "dist/deploy" {
		t.Errorf("output-dir = %q, want it relative to the workspace", res.Outputs["output-dir"])
	}
	if res.Outputs["files"] != wantFiles {
		t.Errorf("files = %s\nwant %s", res.Outputs["files"], wantFiles)
	}
	pinned := reg.host + "/org/timetracker@" + reg.indexDigest + " # " + reg.host + "/org/timetracker:1.2.3"
	for _, f := range []string{"docker-compose.production.yml", "deployment-dev.yml", "k8s-deployment.yml"} {
		data, err := os.ReadFile(filepath.Join(dir, "dist/deploy", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "image: "+pinned+"\n") {
			t.Errorf("%s does not pin the image with its tag beside it:\n%s", f, data)
		}
	}
	if !strings.Contains(res.Outputs["json"], `"digest": "`+reg.indexDigest+`"`) || !strings.Contains(res.Outputs["json"], `"build_time": "2026-11-28T12:00:00Z"`) {
		t.Errorf("json output = %s", res.Outputs["json"])
	}
	if !strings.Contains(res.Summary, "| `k8s-deployment.yml` | kubernetes |") {
		t.Errorf("summary:\n%s", res.Summary)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
		cmd.Dir = filepath.Join(dir, "dist/deploy")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
}

// Same inputs, same bytes: two runs into two workspaces.
func TestDeterministic(t *testing.T) {
	reg := newRegistry(t)
	var runs [2]map[string][]byte
	for i := range runs {
		dir := t.TempDir()
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: reg.inputs(":1.2.3", "values", "replicas=3")})
		if res.ExitCode != 0 {
			t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
		}
		runs[i] = map[string][]byte{}
		entries, _ := os.ReadDir(filepath.Join(dir, "dist/deploy"))
		for _, e := range entries {
			runs[i][e.Name()], _ = os.ReadFile(filepath.Join(dir, "dist/deploy", e.Name()))
		}
	}
	if len(runs[0]) != 5 {
		t.Fatalf("wrote %d files", len(runs[0]))
	}
	for n, b := range runs[0] {
		if !bytes.Equal(b, runs[1][n]) {
			t.Errorf("%s differs between identical runs", n)
		}
	}
}

func TestMissingPlatformFailsBeforeWriting(t *testing.T) {
	reg := newRegistry(t)
	dir := t.TempDir()
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: reg.inputs(":amd64-only")})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "lacks platform(s) linux/arm64 (it has: linux/amd64)") {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist/deploy")); !os.IsNotExist(err) {
		t.Errorf("files were written for an image missing a platform")
	}
	// Asking only for amd64 succeeds.
	res = actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: reg.inputs(":amd64-only", "platforms", "linux/amd64")})
	if res.ExitCode != 0 || res.Outputs["digest"] != reg.amd64Digest {
		t.Fatalf("exit %d, digest %q\n%s", res.ExitCode, res.Outputs["digest"], res.Stdout)
	}
}

func TestTagMustPointAtDigest(t *testing.T) {
	reg := newRegistry(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: reg.inputs("@"+reg.amd64Digest, "tag", "1.2.3", "platforms", "")})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "points to "+reg.indexDigest+", not to "+reg.amd64Digest) {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	// The tag inside the reference is checked too, even with no platforms to check.
	res = actiontest.Run(t, Action(), actiontest.Case{Inputs: reg.inputs(":1.2.3@"+reg.amd64Digest, "platforms", "")})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "points to "+reg.indexDigest+", not to "+reg.amd64Digest) {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = actiontest.Run(t, Action(), actiontest.Case{Inputs: reg.inputs("@"+reg.indexDigest, "tag", "1.2.3")})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
	}
}

func TestUnknownTagFails(t *testing.T) {
	reg := newRegistry(t)
	res := actiontest.Run(t, Action(), actiontest.Case{Inputs: reg.inputs(":v1.2.3")})
	if res.ExitCode != 1 || !strings.Contains(res.Stdout+res.Stderr, "does not exist") {
		t.Fatalf("a tag that was never pushed must fail: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

// An image given by digest with no platform check needs no registry at all.
func TestDigestOffline(t *testing.T) {
	dir := t.TempDir()
	digest := "sha256:" + strings.Repeat("ab", 32)
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
		"image": "ghcr.io/org/timetracker@" + digest, "platforms": "", "files": "k8s-deployment.yml",
		"revision": "abc", "version": "1.2.3"},
		Env: map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if res.Outputs["files"] != `["dist/deploy/k8s-deployment.yml","dist/deploy/SHA256SUMS"]` {
		t.Errorf("files = %s", res.Outputs["files"])
	}
	if !strings.Contains(res.Outputs["json"], `"build_time": "2023-11-14T22:13:20Z"`) {
		t.Errorf("json = %s", res.Outputs["json"])
	}
}

func TestInputErrors(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	cases := []struct {
		in   map[string]string
		name string
		want string
	}{
		{map[string]string{"image": "ghcr.io/Org/TimeTracker:1.2.3"}, "image", "must be lowercase"},
		{map[string]string{"image": "ghcr.io/org/timetracker"}, "image", "neither a tag nor a digest"},
		{map[string]string{"image": "ghcr.io/org/timetracker:1.2.3", "tag": "1.2.4"}, "tag", "differs from the tag in image"},
		{map[string]string{"image": "ghcr.io/org/timetracker" + digest, "values": "replica=3"}, "values", `values line 1: unknown key "replica"`},
		{map[string]string{"image": "ghcr.io/org/timetracker" + digest, "templates": "nope"}, "templates", "templates folder nope does not exist"},
		{map[string]string{"image": "ghcr.io/org/timetracker" + digest, "build-time": "yesterday"}, "build-time", "neither RFC 3339"},
		{map[string]string{"image": "ghcr.io/org/timetracker" + digest, "username": "u"}, "password", "username and password go together"},
		{map[string]string{"image": "ghcr.io/org/timetracker" + digest, "revision": "abc"}, "build-time", "cannot tell when revision"},
	}
	for _, c := range cases {
		res := actiontest.Run(t, Action(), actiontest.Case{Inputs: c.in})
		all := res.Stdout + res.Stderr
		if res.ExitCode != 2 || !strings.Contains(all, c.want) || !strings.Contains(all, c.name) {
			t.Errorf("%v: exit %d, want 2 naming %s with %q\n%s", c.in, res.ExitCode, c.name, c.want, all)
		}
		if len(res.Outputs) != 0 {
			t.Errorf("%v: outputs written on bad input: %v", c.in, res.Outputs)
		}
	}
}

func writeTemplates(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, "deploy", n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBrokenTemplateNamesFileAndLine(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	base := map[string]string{"image": "ghcr.io/org/api" + digest, "platforms": "", "templates": "deploy", "build-time": "0"}
	cases := []struct {
		files map[string]string
		want  []string
	}{
		{map[string]string{"app.yml.tmpl": "services:\n  api:\n    image: {{ .Image.Ref }\n"},
			[]string{"file=deploy/app.yml.tmpl,line=3", "template: app.yml.tmpl:3: unexpected"}},
		{map[string]string{"app.yml.tmpl": "services:\n  api:\n    image: {{ .Image.Reff }}\n"},
			[]string{"col=20,file=deploy/app.yml.tmpl,line=3", "can't evaluate field Reff"}},
		{map[string]string{"k8s.yml.tmpl": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers: [{name: api, image: '{{ .Image.Ref }}'}]\n"},
			[]string{"file=deploy/k8s.yml.tmpl", "k8s.yml (rendered from k8s.yml.tmpl) is not valid", "does not match the pod template labels"}},
		{map[string]string{"compose.yml.tmpl": "services:\n  api:\n    image: {{ .Image.Name }}:latest\n"},
			[]string{"compose.yml (rendered from compose.yml.tmpl) is not valid", "is not pinned to ghcr.io/org/api@sha256:"}},
	}
	for _, c := range cases {
		dir := writeTemplates(t, c.files)
		res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: base})
		all := res.Stdout + res.Stderr
		if res.ExitCode != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", c.files, res.ExitCode, all)
		}
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%v: output lacks %q\n%s", c.files, w, all)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "dist")); !os.IsNotExist(err) {
			t.Errorf("%v: files written although a template failed", c.files)
		}
	}
}

func TestUserTemplates(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	dir := writeTemplates(t, map[string]string{
		"_parts.tmpl":      `{{define "img"}}{{.Image.Ref}} # {{.Image.Name}}:{{.Image.Tag}}{{end}}`,
		"compose.yml.tmpl": "services:\n  api:\n    image: {{template \"img\" .}}\n    ports: [\"{{.Values.Port}}:{{.Values.Port}}\"]\n    environment:\n      TEAM: {{index .Values.All \"team\" | quote}}\n",
		"notes.txt.tmpl":   "deploy {{.Image.Ref}}\n",
	})
	res := actiontest.Run(t, Action(), actiontest.Case{Dir: dir, Inputs: map[string]string{
		"image": "ghcr.io/org/api" + digest, "platforms": "", "templates": "deploy",
		"values": "port=9000\nteam=payments", "build-time": "0", "revision": "r1"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout+res.Stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "dist/deploy/compose.yml"))
	want := "services:\n  api:\n    image: ghcr.io/org/api" + digest + " # ghcr.io/org/api:\n    ports: [\"9000:9000\"]\n    environment:\n      TEAM: \"payments\"\n"
	if string(got) != want {
		t.Errorf("compose.yml:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(res.Summary, "| `notes.txt` | not validated") {
		t.Errorf("summary:\n%s", res.Summary)
	}
}

// The whole action against the in-process registry: resolve, check,
// render, validate, write.
func BenchmarkAction(b *testing.B) {
	reg := newRegistryTB(b)
	dir := b.TempDir()
	in := reg.inputs(":1.2.3")
	for b.Loop() {
		res := actiontest.Run(b, Action(), actiontest.Case{Dir: dir, Inputs: in})
		if res.ExitCode != 0 {
			b.Fatalf("exit %d\n%s", res.ExitCode, res.Stdout)
		}
	}
}

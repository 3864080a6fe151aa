package rollback

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
	"github.com/org/timetracker-ci/pkg/registry"
	"github.com/org/timetracker-ci/pkg/registry/registrytest"
	"github.com/org/timetracker-ci/pkg/release"
	"github.com/org/timetracker-ci/pkg/workspace"
)

// world is two released versions (1.0.0, then 1.1.0) in two repositories
// and on GitHub, as the release workflow leaves them.
type world struct {
	host   string
	images []string
	d1, d2 string
	fake   *githubfake.Server
	gh     *github.Client
	writes atomic.Int64 // registry writes seen (PUT, POST, PATCH, DELETE)
	fail   atomic.Value // func(*http.Request) bool: answer 500 when true
}

func newWorld(t *testing.T) *world { return newWorldTB(t) }

func newWorldTB(t testing.TB) *world {
	t.Helper()
	w := &world{}
	w.fail.Store(func(*http.Request) bool { return false })
	w.host = registrytest.New(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if w.fail.Load().(func(*http.Request) bool)(r) {
				http.Error(rw, "injected", http.StatusInternalServerError)
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.writes.Add(1)
			}
			h.ServeHTTP(rw, r)
		})
	})
	w.images = []string{w.host + "/org/app", w.host + "/org/mirror"}
	ctx := context.Background()
	reg := w.registry()
	w.fake = githubfake.Start(t, githubfake.Options{})
	var err error
	w.gh, _, err = githubapi.New(githubapi.Options{APIURL: w.fake.APIURL(), Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"1.0.0", "1.1.0"} {
		src := registrytest.PushIndex(t, w.images[0], types.OCIImageIndex)
		d := src[strings.Index(src, "@")+1:]
		if i == 0 {
			w.d1 = d
		} else {
			w.d2 = d
		}
		tags := []string{v, strings.Join(strings.Split(v, ".")[:2], "."), "1", "latest", "stable"}
		if _, err := reg.Publish(ctx, registry.Request{Sources: []string{src}, Images: w.images, Tags: tags}); err != nil {
			t.Fatal(err)
		}
		w.release(t, v, d)
	}
	w.writes.Store(0)
	return w
}

func (w *world) registry() *registry.Client {
	return registry.New(registry.WithInsecure(w.host), registry.WithRetry(1, time.Millisecond))
}

// release publishes v's GitHub release with the deployment files the
// manifest action writes.
func (w *world) release(t testing.TB, v, digest string) {
	t.Helper()
	dir := t.TempDir()
	dep, _ := json.Marshal(map[string]any{"image": w.images[0], "digest": digest, "version": v})
	files := map[string]string{
		"deployment.json":               string(dep) + "\n",
		"docker-compose.production.yml": "services:\n  app:\n    image: " + w.images[0] + "@" + digest + "\n",
		"notes.txt":                     "not a deployment file",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	assets, err := release.FindAssets(ws, []string{"*"}, false)
	if err != nil {
		t.Fatal(err)
	}
	sha := w.fake.Commit("main", "release "+v, githubfake.Person{Name: "ci", Email: "ci@example.com"})
	_, err = release.Publish(context.Background(), w.gh, release.Options{Owner: w.fake.Owner(), Repo: w.fake.Repo(),
		Tag: "v" + v, Target: sha, Body: "Release " + v, Assets: assets, Checksums: true, WorkDir: t.TempDir(), MakeLatest: "true"})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) options(t *testing.T) Options { return w.optionsTB(t) }

func (w *world) optionsTB(t testing.TB) Options {
	return Options{Images: w.images, ReleaseTagPrefix: "v", DeployDir: filepath.Join(t.TempDir(), "deploy"),
		Platforms: []string{"linux/amd64", "linux/arm64"},
		GitHub:    GitHub{Client: w.gh, Owner: w.fake.Owner(), Repo: w.fake.Repo()},
		Now:       func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }}
}

func (w *world) tag(t *testing.T, image, tag string) string {
	t.Helper()
	return registrytest.Head(t, image+":"+tag)
}

func (w *world) latestRelease(t *testing.T) githubfake.Release {
	t.Helper()
	for _, r := range w.fake.Releases() {
		if r.Latest {
			return r
		}
	}
	t.Fatal("no latest release")
	return githubfake.Release{}
}

func TestRollbackToThePreviousReleaseAndRerun(t *testing.T) {
	w := newWorld(t)
	o := w.options(t)
	res, err := Run(context.Background(), w.registry(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.0.0" || res.Digest != w.d1 {
		t.Fatalf("rolled back to %s %s, want 1.0.0 %s", res.Version, res.Digest, w.d1)
	}
	for _, img := range w.images {
		for _, tag := range []string{"latest", "stable", "1"} {
			if got := w.tag(t, img, tag); got != w.d1 {
				t.Errorf("%s:%s = %s, want %s", img, tag, got, w.d1)
			}
		}
		// Version tags and the newer minor tag never move.
		for tag, want := range map[string]string{"1.1.0": w.d2, "1.1": w.d2, "1.0.0": w.d1} {
			if got := w.tag(t, img, tag); got != want {
				t.Errorf("%s:%s = %s, want %s (unchanged)", img, tag, got, want)
			}
		}
	}
	if len(res.Moved) != 6 {
		t.Errorf("moved %v, want latest, stable and 1 in both repositories", res.Moved)
	}
	if l := w.latestRelease(t); l.Tag != "v1.0.0" {
		t.Errorf("latest release is %s, want v1.0.0", l.Tag)
	}
	for _, r := range w.fake.Releases() {
		marked := strings.Contains(r.Body, Marker)
		if marked != (r.Tag == "v1.1.0") {
			t.Errorf("release %s marked=%v", r.Tag, marked)
		}
		if r.Tag == "v1.1.0" && !strings.HasPrefix(r.Body, "Release 1.1.0") {
			t.Errorf("the notes of v1.1.0 lost their text: %q", r.Body)
		}
	}
	dep, err := os.ReadFile(filepath.Join(o.DeployDir, "deployment.json"))
	if err != nil || !strings.Contains(string(dep), w.d1) {
		t.Errorf("deployment.json = %q, %v; want the 1.0.0 file pinning %s", dep, err, w.d1)
	}
	if _, err := os.Stat(filepath.Join(o.DeployDir, "notes.txt")); !os.IsNotExist(err) {
		t.Errorf("notes.txt is not a deployment file but was written (%v)", err)
	}
	if want := []string{"SHA256SUMS", "deployment.json", "docker-compose.production.yml"}; strings.Join(res.Files, ",") != strings.Join(want, ",") {
		t.Errorf("files %v, want %v", res.Files, want)
	}

	// A second run changes nothing: no registry write, no release edit.
	w.writes.Store(0)
	w.fake.ResetLog()
	res2, err := Run(context.Background(), w.registry(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !res2.NoChange || len(res2.Moved) != 0 || res2.Version != "1.0.0" {
		t.Errorf("re-run: %+v, want no change", res2)
	}
	if n := w.writes.Load(); n != 0 {
		t.Errorf("re-run wrote %d times to the registry", n)
	}
	if n := w.fake.Count(http.MethodPatch, "/releases/"); n != 0 {
		t.Errorf("re-run edited %d releases", n)
	}
}

func TestRefusedBeforeAnyWrite(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *world, o *Options)
		want  string
		input string
	}{
		{"never released", func(w *world, o *Options) { o.To = "0.9.0" }, "never released", "to"},
		{"not a version", func(w *world, o *Options) { o.To = "latest" }, "not a version", "to"},
		{"version tag in tags", func(w *world, o *Options) { o.Tags = []string{"latest", "1.1.0"} }, "never move", "tags"},
		{"no GitHub release", func(w *world, o *Options) {
			o.ReleaseTagPrefix = "release-"
			// Only the bare and "release-" tags are tried: neither exists.
		}, "no published GitHub release", "to"},
		{"missing platform", func(w *world, o *Options) { o.Platforms = []string{"linux/s390x"} }, "lacks required platform", ""},
		{"index gone", func(w *world, o *Options) {
			w.fail.Store(func(r *http.Request) bool {
				return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/"+w.d1)
			})
		}, "checking", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			o := w.options(t)
			c.setup(w, &o)
			w.fake.ResetLog()
			_, err := Run(context.Background(), w.registry(), o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
			var ie *InputError
			if c.input != "" && (!errors.As(err, &ie) || ie.Input != c.input) {
				t.Errorf("err = %#v, want an input error naming %s", err, c.input)
			}
			if n := w.writes.Load(); n != 0 {
				t.Errorf("%d registry writes before refusing", n)
			}
			if n := w.fake.Count(http.MethodPatch, "/releases/"); n != 0 {
				t.Errorf("%d release edits before refusing", n)
			}
			if _, err := os.Stat(o.DeployDir); !os.IsNotExist(err) {
				t.Errorf("deploy dir written before refusing")
			}
		})
	}
}

func TestFaultPartWayThenRerunFinishes(t *testing.T) {
	w := newWorld(t)
	o := w.options(t)
	// The mirror refuses every manifest write: the first repository moves,
	// the second does not.
	w.fail.Store(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/org/mirror/manifests/")
	})
	_, err := Run(context.Background(), w.registry(), o)
	if err == nil || !strings.Contains(err.Error(), "run the rollback again") {
		t.Fatalf("err = %v, want a failure that says to run again", err)
	}
	for _, img := range w.images {
		for _, tag := range []string{"latest", "stable", "1"} {
			if got := w.tag(t, img, tag); got != w.d1 && got != w.d2 {
				t.Errorf("%s:%s = %s: neither the old nor the new digest", img, tag, got)
			}
		}
	}
	// latest in the first repository is back, so the default target is now
	// "where latest is"; the re-run must still finish the mirror.
	w.fail.Store(func(*http.Request) bool { return false })
	res, err := Run(context.Background(), w.registry(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.0.0" {
		t.Fatalf("re-run went to %s, want 1.0.0", res.Version)
	}
	for _, img := range w.images {
		for _, tag := range []string{"latest", "stable", "1"} {
			if got := w.tag(t, img, tag); got != w.d1 {
				t.Errorf("after re-run %s:%s = %s, want %s", img, tag, got, w.d1)
			}
		}
	}
	if l := w.latestRelease(t); l.Tag != "v1.0.0" {
		t.Errorf("latest release is %s, want v1.0.0", l.Tag)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	o := w.options(t)
	o.DryRun = true
	w.fake.ResetLog()
	res, err := Run(context.Background(), w.registry(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Moved) != 6 || res.Release != "v1.0.0" || len(res.Marked) != 1 {
		t.Errorf("dry run plan %+v", res)
	}
	if n := w.writes.Load(); n != 0 {
		t.Errorf("dry run wrote %d times to the registry", n)
	}
	if n := w.fake.Count(http.MethodPatch, "/releases/"); n != 0 {
		t.Errorf("dry run edited %d releases", n)
	}
	if got := w.tag(t, w.images[0], "latest"); got != w.d2 {
		t.Errorf("dry run moved latest")
	}
}

func TestExplicitTargetAndKeptTags(t *testing.T) {
	w := newWorld(t)
	o := w.options(t)
	o.To = "v1.0.0"
	o.Tags = []string{"latest", "minor", "edge"}
	res, err := Run(context.Background(), w.registry(), o)
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]string{}
	for _, m := range res.Tags {
		if m.Image == w.images[0] {
			changes[m.Tag] = m.Change
		}
	}
	// "minor" is the target's own 1.0, already there; edge does not exist.
	want := map[string]string{"latest": "moved", "1.0": "unchanged", "edge": "absent"}
	for k, v := range want {
		if changes[k] != v {
			t.Errorf("%s: %s, want %s (all: %v)", k, changes[k], v, changes)
		}
	}
	if got := w.tag(t, w.images[0], "stable"); got != w.d2 {
		t.Errorf("stable was not asked for but moved")
	}
}

// BenchmarkRollback times one whole rollback (two repositories, GitHub
// release, deployment files) against the in-process registry and the fake
// GitHub; between iterations the tags are put forward again, untimed.
func BenchmarkRollback(b *testing.B) {
	w := newWorldTB(b)
	o := w.optionsTB(b)
	ctx := context.Background()
	reg := w.registry()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		src := w.images[0] + "@" + w.d2
		if _, err := reg.Publish(ctx, registry.Request{Sources: []string{src}, Images: w.images, Tags: []string{"latest", "stable", "1"}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Run(ctx, reg, o)
		if err != nil || len(res.Moved) != 6 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// TestSurvivesRegistryAndAPIFaults: every third registry request fails
// with a 503 and the release edits meet a 502 and a lost answer; the
// client's retries carry it through, the tags end on the target, and the
// rolled-back release is marked once.
func TestSurvivesRegistryAndAPIFaults(t *testing.T) {
	w := newWorld(t)
	o := w.options(t)
	var n atomic.Int64
	w.fail.Store(func(r *http.Request) bool { return n.Add(1)%3 == 0 })
	w.fake.Inject(
		githubfake.Fault{Kind: githubfake.ServerError, Method: http.MethodPatch, Path: "/releases/"},
		githubfake.Fault{Kind: githubfake.LostResponse, Method: http.MethodPatch, Path: "/releases/", Skip: 1},
	)
	reg := registry.New(registry.WithInsecure(w.host), registry.WithRetry(5, time.Millisecond))
	res, err := Run(context.Background(), reg, o)
	if err != nil {
		t.Fatal(err)
	}
	w.fail.Store(func(*http.Request) bool { return false })
	for _, img := range w.images {
		for _, tag := range []string{"latest", "stable", "1"} {
			if got := w.tag(t, img, tag); got != w.d1 {
				t.Errorf("%s:%s = %s, want %s", img, tag, got, w.d1)
			}
		}
	}
	if l := w.latestRelease(t); l.Tag != "v1.0.0" {
		t.Errorf("latest release is %s", l.Tag)
	}
	for _, r := range w.fake.Releases() {
		if c := strings.Count(r.Body, Marker); (r.Tag == "v1.1.0" && c != 1) || (r.Tag != "v1.1.0" && c != 0) {
			t.Errorf("%s carries the marker %d times", r.Tag, c)
		}
	}
	if w.fake.PendingFaults() != 0 {
		t.Errorf("%d API faults never fired", w.fake.PendingFaults())
	}
	if len(res.Moved) != 6 {
		t.Errorf("moved %v", res.Moved)
	}
}

package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/org/timetracker-ci/pkg/githubapi"
	"github.com/org/timetracker-ci/pkg/githubapi/githubfake"
	"github.com/org/timetracker-ci/pkg/workspace"
)

const tag = "v1.2.3"

type env struct {
	fake   *githubfake.Server
	dir    string
	assets []Asset
}

func newEnv(t testing.TB, fo githubfake.Options) *env {
	t.Helper()
	e := &env{fake: githubfake.Start(t, fo), dir: t.TempDir()}
	files := map[string]string{
		"timetracker-1.2.3.tar.gz": strings.Repeat("tarball ", 5000),
		"docker-compose.yml":       "services:\n  app:\n    image: ghcr.io/org/timetracker:1.2.3\n",
		"k8s-manifests.yaml":       "apiVersion: apps/v1\nkind: Deployment\n",
		"timetracker-1.2.3.sbom":   `{"bomFormat":"CycloneDX"}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if e.assets, err = FindAssets(openWS(t, e.dir), []string{"*.tar.gz", "*.yml", "*.yaml", "*.sbom"}, false); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) client(t testing.TB, extra ...githubapi.TransportOption) *github.Client {
	t.Helper()
	opts := append([]githubapi.TransportOption{
		githubapi.WithClock(time.Now, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }),
		githubapi.WithoutJitter(),
	}, extra...)
	c, _, err := githubapi.New(githubapi.Options{APIURL: e.fake.APIURL(), Token: "t", Retry: opts})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) options(t testing.TB) Options {
	return Options{
		Owner: "org", Repo: "timetracker", Tag: tag, Target: e.fake.Head(), Body: "Release notes",
		Assets: e.assets, Checksums: true, WorkDir: filepath.Join(t.TempDir(), "work"),
	}
}

// check asserts the end state: one published release for the tag, every
// asset (and SHA256SUMS) present once with the local bytes.
func (e *env) check(t *testing.T) {
	t.Helper()
	var mine []githubfake.Release
	for _, r := range e.fake.Releases() {
		if r.Tag == tag {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("%d releases for %s, want exactly 1: %+v", len(mine), tag, mine)
	}
	r := mine[0]
	if r.Draft {
		t.Fatalf("release %d is still a draft", r.ID)
	}
	want := map[string]string{}
	for _, a := range e.assets {
		want[a.Name] = a.SHA256
	}
	sums := sha256.Sum256(Checksums(e.assets))
	want[ChecksumsName] = hex.EncodeToString(sums[:])
	got := map[string]int{}
	for _, a := range r.Assets {
		got[a.Name]++
		if a.State != "uploaded" {
			t.Errorf("asset %s is in state %s", a.Name, a.State)
		}
		data, _ := e.fake.AssetData(a.ID)
		sum := sha256.Sum256(data)
		if w, ok := want[a.Name]; !ok {
			t.Errorf("unexpected asset %s", a.Name)
		} else if hex.EncodeToString(sum[:]) != w {
			t.Errorf("asset %s has the wrong bytes", a.Name)
		}
	}
	for name := range want {
		if got[name] != 1 {
			t.Errorf("asset %s present %d times, want once", name, got[name])
		}
	}
}

func TestFreshPublishAndUnchangedRerun(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, githubfake.Options{})
	res, err := Publish(ctx, e.client(t), e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	e.check(t)
	if !res.Created || res.Counts["upload"] != 5 || len(res.Assets) != 5 {
		t.Errorf("fresh publish: created=%v counts=%v assets=%d", res.Created, res.Counts, len(res.Assets))
	}
	fresh := len(e.fake.Requests())
	t.Logf("fresh publish: %d requests (%d uploads)", fresh, e.fake.Count("POST", "/assets"))

	e.fake.ResetLog()
	res, err = Publish(ctx, e.client(t), e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	e.check(t)
	if res.Created || res.Counts["upload"] != 0 || res.Counts["keep"] != 5 {
		t.Errorf("re-run: created=%v counts=%v", res.Created, res.Counts)
	}
	rerun := e.fake.Requests()
	for _, r := range rerun {
		if r.Method != "GET" {
			t.Errorf("unchanged re-run wrote: %s %s", r.Method, r.Path)
		}
	}
	t.Logf("unchanged re-run: %d requests, all reads", len(rerun))
	if len(rerun) != 3 {
		t.Errorf("unchanged re-run made %d requests, want 3 (tag ref, release by tag, assets)", len(rerun))
	}
}

func TestPublishSurvivesFaults(t *testing.T) {
	faults := map[string][]githubfake.Fault{
		"5xx on every kind of call": {
			{Kind: githubfake.ServerError, Path: "/git/ref"},
			{Kind: githubfake.ServerError, Status: 500, Method: "POST", Path: "/releases"},
			{Kind: githubfake.ServerError, Status: 503, Upload: true, Times: 3},
			{Kind: githubfake.ServerError, Method: "PATCH", Path: "/releases/"},
		},
		"403 secondary limit with retry-after":    {{Kind: githubfake.SecondaryLimit, Status: 403, RetryAfter: 30, Upload: true, Times: 2}},
		"403 secondary limit without retry-after": {{Kind: githubfake.SecondaryLimit, Status: 403, Method: "POST", Path: "/releases"}},
		"429 secondary limit with retry-after":    {{Kind: githubfake.SecondaryLimit, Status: 429, RetryAfter: 5, Upload: true, Times: 2}},
		"429 secondary limit without retry-after": {{Kind: githubfake.SecondaryLimit, Status: 429, Method: "PATCH"}},
		"primary limit":                   {{Kind: githubfake.PrimaryLimit, Path: "/releases", Times: 2}},
		"connection resets":               {{Kind: githubfake.ConnectionReset, Path: "/releases"}, {Kind: githubfake.ConnectionReset, Upload: true, Times: 2}},
		"lost response on create release": {{Kind: githubfake.LostResponse, Method: "POST", Path: "/releases"}},
		"lost response on create tag":     {{Kind: githubfake.LostResponse, Method: "POST", Path: "/git/refs"}},
		"lost response on uploads":        {{Kind: githubfake.LostResponse, Upload: true, Times: 3}},
		"lost response on publish":        {{Kind: githubfake.LostResponse, Method: "PATCH"}},
		"upload left in starter state":    {{Kind: githubfake.StarterAsset, Upload: true, Times: 2}},
	}
	for name, fs := range faults {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, githubfake.Options{})
			e.fake.Inject(fs...)
			if _, err := Publish(context.Background(), e.client(t), e.options(t)); err != nil {
				t.Fatal(err)
			}
			if n := e.fake.PendingFaults(); n != 0 {
				t.Fatalf("%d injected faults never fired: the test did not test them", n)
			}
			e.check(t)
			t.Logf("%d requests", len(e.fake.Requests()))
		})
	}
}

// fakeClock is shared by the fake (its rate-limit window) and the transport
// (its sleeps), so waiting an hour for a reset takes no time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func TestPrimaryLimitSpentMidPublish(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	e := newEnv(t, githubfake.Options{RateLimit: 8, Now: clk.Now})
	c, tr, err := githubapi.New(githubapi.Options{APIURL: e.fake.APIURL(), Token: "t",
		Retry: []githubapi.TransportOption{githubapi.WithClock(clk.Now, clk.Sleep), githubapi.WithTimeout(2 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(context.Background(), c, e.options(t)); err != nil {
		t.Fatal(err)
	}
	e.check(t)
	// Parallel uploads (4) may each meet the limit and each wait for the
	// reset: the sleeps add up to between one and five hours.
	if st := tr.Stats(); st.RateLimited < 1 || st.Waited < 50*time.Minute || st.Waited > 5*time.Hour {
		t.Errorf("transport stats %+v: want the primary limit waited out until the reset", st)
	}
	// The same with a budget too small to wait: a clear error, not a hang.
	clk2 := &fakeClock{now: time.Unix(1_800_000_000, 0)}
	e2 := newEnv(t, githubfake.Options{RateLimit: 8, Now: clk2.Now})
	c2, _, _ := githubapi.New(githubapi.Options{APIURL: e2.fake.APIURL(), Token: "t",
		Retry: []githubapi.TransportOption{githubapi.WithClock(clk2.Now, clk2.Sleep), githubapi.WithTimeout(10 * time.Minute)}})
	_, err = Publish(context.Background(), c2, e2.options(t))
	var g *githubapi.GiveUpError
	if !errors.As(err, &g) || !strings.Contains(err.Error(), "primary rate limit") {
		t.Fatalf("err = %v, want a GiveUpError about the primary limit", err)
	}
}

func TestRacingPublishers(t *testing.T) {
	var drafts, adopted, deleted, settled int
	defer func() {
		t.Logf("20 rounds of 3 racing publishers: %d drafts created, %d duplicate drafts deleted, %d creates refused (already_exists) and the winner adopted, %d asset conflicts settled", drafts, deleted, adopted, settled)
	}()
	for round := 0; round < 20; round++ {
		// Some rounds without digests: conflicts are then settled by
		// downloading and hashing, concurrently with uploads.
		e := newEnv(t, githubfake.Options{OmitDigest: round%4 == 1})
		if round%2 == 0 {
			// Hold the creates until all three publishers have sent one: each
			// looked before any draft existed, the worst interleaving.
			e.fake.Inject(githubfake.Fault{Kind: githubfake.Hold, Delay: time.Minute, Method: "POST", Path: "/releases$", Times: 3})
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = Publish(context.Background(), e.client(t), e.options(t))
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		e.check(t)
		created := 0
		for _, r := range e.fake.Requests() {
			switch {
			case r.Method == "POST" && strings.HasSuffix(r.Path, "/releases"):
				created++ // every run that found nothing and decided to create
				if r.Status == 201 {
					drafts++
				} else {
					adopted++ // 422 already_exists: the winner had published
				}
			case r.Method == "DELETE" && !strings.Contains(r.Path, "/assets/") && r.Status == 204:
				deleted++
			case r.Upload && r.Status == 422:
				settled++
			}
		}
		if round%2 == 0 && created != 3 {
			t.Errorf("round %d: %d publishers tried to create, want all 3 (creates were held until all arrived)", round, created)
		}
	}
}

func TestCreateRefusedBecauseTheWinnerPublished(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	// A's create is held until B has done the whole release.
	gate := make(chan struct{})
	e.fake.Inject(githubfake.Fault{Kind: githubfake.Delay, Delay: time.Minute, Until: gate, Method: "POST", Path: "/releases$"})
	done := make(chan error)
	var resA *Result
	go func() {
		var err error
		resA, err = Publish(context.Background(), e.client(t), e.options(t))
		done <- err
	}()
	for e.fake.PendingFaults() != 0 { // A's create has arrived and waits
		time.Sleep(time.Millisecond)
	}
	resB, err := Publish(context.Background(), e.client(t), e.options(t))
	close(gate)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.check(t)
	refused := 0
	for _, r := range e.fake.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/releases") && r.Status == 422 {
			refused++
		}
	}
	if refused != 1 || resA.Created || !resB.Created || resA.ID != resB.ID {
		t.Errorf("refused creates %d, A created=%v id %d, B created=%v id %d: want A to adopt B's release", refused, resA.Created, resA.ID, resB.Created, resB.ID)
	}
}

func TestRerunAfterCrashMidUpload(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	// The job dies after two uploads: every later upload fails for good.
	e.fake.Inject(githubfake.Fault{Kind: githubfake.ServerError, Upload: true, Skip: 2, Times: 1000})
	_, err := Publish(context.Background(), e.client(t, githubapi.WithMaxRetries(1)), e.options(t))
	if err == nil {
		t.Fatal("the crashed run reported success")
	}
	rels := e.fake.Releases()
	if len(rels) != 1 || !rels[0].Draft || len(rels[0].Assets) != 2 {
		t.Fatalf("after the crash: %+v", rels)
	}
	e.fake = resetFaults(e.fake)
	e.fake.ResetLog()
	res, err := Publish(context.Background(), e.client(t), e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	e.check(t)
	t.Logf("re-run after the crash: %d requests (%d uploads)", len(e.fake.Requests()), e.fake.Count("POST", "/assets"))
	if res.Counts["keep"] != 2 || res.Counts["upload"] != 3 || res.Created {
		t.Errorf("re-run: %v created=%v", res.Counts, res.Created)
	}
}

// resetFaults drains pending faults by injecting nothing new; the fake has no
// public clear, so drain by firing against a path nobody uses.
func resetFaults(f *githubfake.Server) *githubfake.Server {
	f.ClearFaults()
	return f
}

func TestDifferentAssetIsReplacedAndDigestlessComparesBytes(t *testing.T) {
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprintf("omit-digest=%v", omit), func(t *testing.T) {
			e := newEnv(t, githubfake.Options{OmitDigest: omit})
			if _, err := Publish(context.Background(), e.client(t), e.options(t)); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(e.dir, "docker-compose.yml")
			os.WriteFile(p, []byte("services:\n  app:\n    image: ghcr.io/org/timetracker:1.2.4\n"), 0o644)
			var err error
			if e.assets, err = FindAssets(openWS(t, e.dir), []string{"*.tar.gz", "*.yml", "*.yaml", "*.sbom"}, false); err != nil {
				t.Fatal(err)
			}
			res, err := Publish(context.Background(), e.client(t), e.options(t))
			if err != nil {
				t.Fatal(err)
			}
			e.check(t)
			// docker-compose.yml and SHA256SUMS changed.
			if res.Counts["replace"] != 2 || res.Counts["keep"] != 3 {
				t.Errorf("counts %v, want 2 replaced and 3 kept", res.Counts)
			}
		})
	}
}

func TestReplaceOnPublishedReleaseSurvivesACrash(t *testing.T) {
	e := newEnv(t, githubfake.Options{Token: "t"})
	if _, err := Publish(context.Background(), e.client(t), e.options(t)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(e.dir, "k8s-manifests.yaml"), []byte("apiVersion: v1\nkind: List\n"), 0o644)
	var err error
	if e.assets, err = FindAssets(openWS(t, e.dir), []string{"*.tar.gz", "*.yml", "*.yaml", "*.sbom"}, false); err != nil {
		t.Fatal(err)
	}
	// The job dies when renaming: the old assets are gone, the new ones
	// wait under their temporary names.
	e.fake.Inject(githubfake.Fault{Kind: githubfake.ServerError, Method: "PATCH", Path: "/releases/assets/", Times: 1000})
	if _, err := Publish(context.Background(), e.client(t, githubapi.WithMaxRetries(0)), e.options(t)); err == nil {
		t.Fatal("the crashed run reported success")
	}
	var tmp int
	for _, a := range e.fake.Releases()[0].Assets {
		if strings.HasSuffix(a.Name, replacingSuffix) {
			tmp++
		}
	}
	if tmp != 2 {
		t.Fatalf("after the crash: %d temporary assets, want 2 (k8s-manifests.yaml and SHA256SUMS)", tmp)
	}
	e.fake.ClearFaults()
	res, err := Publish(context.Background(), e.client(t), e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	e.check(t) // no temporary asset left, every asset once with the new bytes
	if res.Counts["upload"] != 2 || res.Counts["delete"] != 2 {
		t.Errorf("re-run: %v", res.Counts)
	}
}

func TestReadOnlyTokenSaysWhichPermission(t *testing.T) {
	e := newEnv(t, githubfake.Options{ReadOnly: true})
	_, err := Publish(context.Background(), e.client(t), e.options(t))
	var pe *PermissionError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "contents: write") {
		t.Fatalf("err = %v, want a PermissionError naming contents: write", err)
	}
}

func TestWorkflowScope404IsExplained(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	e.fake.Inject(githubfake.Fault{Kind: githubfake.ServerError, Status: 404, Method: "POST", Path: "/releases$"})
	_, err := Publish(context.Background(), e.client(t), e.options(t))
	var we *WorkflowScopeError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), "workflow scope") {
		t.Fatalf("err = %v, want a WorkflowScopeError", err)
	}
}

func TestDuplicateDraftsConverge(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, githubfake.Options{})
	c := e.client(t)
	// Two empty drafts left by an earlier crashed race.
	for range 2 {
		if _, _, err := c.Repositories.CreateRelease(ctx, "org", "timetracker", &github.RepositoryRelease{TagName: github.String(tag), Draft: github.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	first := e.fake.Releases()[0].ID
	res, err := Publish(ctx, c, e.options(t))
	if err != nil {
		t.Fatal(err)
	}
	e.check(t)
	if res.ID != first || res.Counts["delete"] != 1 {
		t.Errorf("adopted %d (want the lowest, %d), deleted %d", res.ID, first, res.Counts["delete"])
	}
}

func TestMoveTagsAndMakeLatest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, githubfake.Options{})
	c := e.client(t)
	o := e.options(t)
	o.MoveTags = []string{"major", "minor"}
	if _, err := Publish(ctx, c, o); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"v1", "v1.2"} {
		if sha, _ := e.fake.Ref("refs/tags/" + n); sha != e.fake.Head() {
			t.Errorf("%s at %q, want %s", n, sha, e.fake.Head())
		}
	}
	// A lower patch release published later must not become latest.
	old := e.fake.Head()
	e.fake.Commit("main", "fix: backport", githubfake.Person{Name: "B", Email: "b@example.com"})
	o2 := e.options(t)
	o2.Tag, o2.Target, o2.Assets, o2.Checksums = "v1.1.9", e.fake.Head(), nil, false
	if _, err := Publish(ctx, c, o2); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.fake.Releases() {
		if r.Latest != (r.Tag == tag) {
			t.Errorf("release %s latest=%v", r.Tag, r.Latest)
		}
	}
	if sha, _ := e.fake.Ref("refs/tags/v1"); sha != old {
		t.Errorf("v1 moved without move-tags")
	}
}

func TestRollingDevelopmentReleases(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, githubfake.Options{})
	c := e.client(t)
	for i := 1; i <= 5; i++ {
		o := e.options(t)
		o.Tag, o.Prerelease, o.Rolling, o.Assets, o.Checksums = fmt.Sprintf("v1.3.0-dev.%d", i), true, 3, nil, false
		if _, err := Publish(ctx, c, o); err != nil {
			t.Fatal(err)
		}
	}
	var tags []string
	for _, r := range e.fake.Releases() {
		tags = append(tags, r.Tag)
		if r.Latest {
			t.Errorf("prerelease %s was made latest", r.Tag)
		}
	}
	if strings.Join(tags, ",") != "v1.3.0-dev.3,v1.3.0-dev.4,v1.3.0-dev.5" {
		t.Errorf("kept %v, want the newest 3", tags)
	}
	if _, ok := e.fake.Ref("refs/tags/v1.3.0-dev.1"); ok {
		t.Error("the tag of a deleted development release remains")
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	o := e.options(t)
	o.DryRun = true
	res, err := Publish(context.Background(), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"release.md", "assets.txt", "SHA256SUMS", "plan.txt"} {
		if _, err := os.Stat(filepath.Join(o.WorkDir, f)); err != nil {
			t.Errorf("dry-run did not write %s", f)
		}
	}
	if res.Counts["upload"] != 5 || res.Counts["publish"] != 1 {
		t.Errorf("plan %v", res.Steps)
	}
	// With a token the plan reads the real state and writes nothing.
	if _, err := Publish(context.Background(), e.client(t), e.options(t)); err != nil {
		t.Fatal(err)
	}
	e.fake.ResetLog()
	o.Body = "changed"
	res, err = Publish(context.Background(), e.client(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts["update"] != 1 || res.Counts["keep"] != 5 {
		t.Errorf("plan %v", res.Steps)
	}
	for _, r := range e.fake.Requests() {
		if r.Method != "GET" {
			t.Errorf("dry-run wrote: %s %s", r.Method, r.Path)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "My App.exe"), []byte("x"), 0o644)
	if _, err := FindAssets(openWS(t, dir), []string{"dist/*.zip"}, false); err == nil || !strings.Contains(err.Error(), `"dist/*.zip" matched no files`) {
		t.Errorf("missing glob: %v", err)
	}
	if a, err := FindAssets(openWS(t, dir), []string{"dist/*.zip"}, true); err != nil || len(a) != 0 {
		t.Errorf("missing glob allowed: %v %v", a, err)
	}
	a, _ := FindAssets(openWS(t, dir), []string{"*.exe"}, false)
	if err := CheckAssets(a); err == nil || !strings.Contains(err.Error(), `as "My.App.exe"`) {
		t.Errorf("rewritten name: %v", err)
	}
	if _, err := Publish(context.Background(), nil, Options{Owner: "o", Repo: "r", Tag: "latest", DryRun: true, WorkDir: dir}); err == nil || !strings.Contains(err.Error(), "not a semantic version") {
		t.Errorf("non-semver tag: %v", err)
	}
	many := make([]Asset, MaxAssets+1)
	if err := CheckAssets(many); err == nil || !strings.Contains(err.Error(), "at most 1000") {
		t.Errorf("too many assets: %v", err)
	}
	if err := CheckAssets([]Asset{{Name: "big.bin", Path: "big.bin", Size: MaxAssetSize + 1}}); err == nil || !strings.Contains(err.Error(), "under 2 GiB") {
		t.Errorf("too big: %v", err)
	}
}

func openWS(t testing.TB, dir string) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

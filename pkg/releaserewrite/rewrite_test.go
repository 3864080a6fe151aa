package releaserewrite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const (
	testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	testImage  = DefaultImage + "@" + testDigest
	testRef    = "v9.8.7"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

// copyTree copies the files a release commit pins from the repository into dir.
func copyTree(t *testing.T, from, to string) []string {
	t.Helper()
	files, err := Files(from)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no action.yml, workflow or template found in the repository")
	}
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(from, rel))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestRewriteFile(t *testing.T) {
	opts := Options{Image: testImage, Ref: testRef}
	tests := []struct{ name, in, want string }{
		{"action image quoted", "  image: 'docker://ghcr.io/org/timetracker-ci:main'\n", "  image: 'docker://" + testImage + "'\n"},
		{"action image bare", "  image: docker://ghcr.io/org/timetracker-ci:main\n", "  image: docker://" + testImage + "\n"},
		{"action image by old digest", "image: docker://ghcr.io/org/timetracker-ci@sha256:" + strings.Repeat("f", 64) + "\n", "image: docker://" + testImage + "\n"},
		{"step uses", "      uses: org/timetracker-ci/actions/version@main # dev\n", "      uses: org/timetracker-ci/actions/version@" + testRef + " # dev\n"},
		{"workflow uses, other case", "    uses: Org/TimeTracker-CI/.github/workflows/ci-comprehensive.yml@v1\n", "    uses: Org/TimeTracker-CI/.github/workflows/ci-comprehensive.yml@" + testRef + "\n"},
		{"quoted uses", "uses: \"org/timetracker-ci/actions/image@main\"\n", "uses: \"org/timetracker-ci/actions/image@" + testRef + "\"\n"},
		{"third party untouched", "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n", ""},
		{"other org untouched", "uses: other/timetracker-ci/actions/x@main\n", ""},
		{"longer image name untouched", "image: docker://ghcr.io/org/timetracker-ci-dev:main\n", ""},
		{"image at end of line without newline", "image: docker://ghcr.io/org/timetracker-ci", "image: docker://" + testImage},
		{"image name in a registry path untouched by the uses rule", "ref: ghcr.io/org/timetracker-ci@" + testDigest + "\n", ""},
		{"crlf kept", "image: docker://ghcr.io/org/timetracker-ci:main\r\n", "image: docker://" + testImage + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changes := RewriteFile("f.yml", []byte(tt.in), opts)
			want := tt.want
			if want == "" {
				want = tt.in
				if len(changes) != 0 {
					t.Errorf("changes = %+v, want none", changes)
				}
			} else if len(changes) != 1 || changes[0].Line != 1 {
				t.Errorf("changes = %+v, want one on line 1", changes)
			}
			if string(out) != want {
				t.Errorf("got %q, want %q", out, want)
			}
			again, more := RewriteFile("f.yml", out, opts)
			if string(again) != string(out) || len(more) != 0 {
				t.Errorf("not idempotent: %q, %+v", again, more)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		opts Options
		ok   bool
	}{
		{Options{Image: testImage, Ref: "v1.2.3"}, true},
		{Options{Image: testImage, Ref: "1.2.3-rc.1"}, true},
		{Options{Image: testImage, Ref: "11bd71901bbe5b1630ceea73d27597364c9af683"}, true},
		{Options{Image: testImage, Ref: "main"}, false},
		{Options{Image: testImage, Ref: "v1"}, false},
		{Options{Image: testImage, Ref: ""}, false},
		{Options{Image: DefaultImage + ":main", Ref: "v1.2.3"}, false},
		{Options{Image: DefaultImage + "@sha256:abc", Ref: "v1.2.3"}, false},
		{Options{Image: "ghcr.io/other/image@" + testDigest, Ref: "v1.2.3"}, false},
	}
	for _, tt := range tests {
		if err := tt.opts.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tt.opts, err, tt.ok)
		}
	}
}

// TestRewriteRepository rewrites a copy of this repository's action.yml
// files, workflows and templates and checks the result is a release tree,
// after checking that the unrewritten copy is not (so Verify has teeth).
func TestRewriteRepository(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	files := copyTree(t, repoRoot(t), dir)
	opts := Options{Image: testImage, Ref: testRef}

	before, err := Verify(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 {
		t.Fatal("the development tree already passes Verify: it should reference @main and :main")
	}
	changes, err := Rewrite(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	metas := 0
	for _, f := range files {
		if strings.HasPrefix(f, "actions/") {
			metas++
		}
	}
	if len(changes) < metas {
		t.Errorf("%d changes for %d action.yml files", len(changes), metas)
	}
	after, err := Verify(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range after {
		t.Error(p)
	}
	again, err := Rewrite(ctx, dir, opts)
	if err != nil || len(again) != 0 {
		t.Errorf("second rewrite: %d changes, %v", len(again), err)
	}
	// Every reference to this repository now names the release.
	any := regexp.MustCompile(`(?i)org/timetracker-ci/[^\s'"]*@([^\s'"#]+)`)
	for _, rel := range files {
		data, _ := os.ReadFile(filepath.Join(dir, rel))
		for _, m := range any.FindAllStringSubmatch(string(data), -1) {
			if m[1] != testRef {
				t.Errorf("%s: %s still not at %s", rel, m[0], testRef)
			}
		}
		// ci.yml pushes :main on main; what a release runs is docker://… .
		if strings.Contains(string(data), "docker://"+DefaultImage+":") {
			t.Errorf("%s still runs an image by tag", rel)
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestReleaseCommit proves that inside a release commit every reference
// points at that release: no @main, no floating image tag.
//
// In the release workflow RELEASE_REF (and RELEASE_IMAGE) are set and the
// repository's own working tree, just rewritten, is checked. Otherwise the
// test makes a release commit the way the workflow does (commit, rewrite,
// commit, tag) in a scratch repository and checks a fresh checkout of the tag.
func TestReleaseCommit(t *testing.T) {
	ctx := context.Background()
	if ref := os.Getenv("RELEASE_REF"); ref != "" {
		opts := Options{Ref: ref, Image: os.Getenv("RELEASE_IMAGE")}
		probs, err := Verify(ctx, repoRoot(t), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range probs {
			t.Error(p)
		}
		return
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (apt-get install -y git): cannot build a release commit")
	}
	src := t.TempDir()
	copyTree(t, repoRoot(t), src)
	git(t, src, "init", "-q", "-b", "main")
	git(t, src, "add", "-A")
	git(t, src, "commit", "-qm", "development")
	opts := Options{Image: testImage, Ref: testRef}
	if _, err := Rewrite(ctx, src, opts); err != nil {
		t.Fatal(err)
	}
	git(t, src, "checkout", "-q", "--detach")
	git(t, src, "commit", "-qam", "Release "+testRef)
	git(t, src, "tag", "-a", testRef, "-m", "Release "+testRef)

	clone := filepath.Join(t.TempDir(), "clone")
	git(t, src, "clone", "-q", "--branch", testRef, src, clone)
	if got, want := git(t, clone, "rev-parse", "HEAD"), git(t, src, "rev-parse", testRef+"^{commit}"); got != want {
		t.Fatalf("clone at %s, tag at %s", got, want)
	}
	probs, err := Verify(ctx, clone, Options{Ref: testRef, Image: testImage})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p)
	}
	// main itself stays a development tree.
	git(t, clone, "checkout", "-q", "main")
	if probs, _ := Verify(ctx, clone, Options{Ref: testRef}); len(probs) == 0 {
		t.Error("main passes as a release tree: the rewrite leaked onto main")
	}
}

func FuzzRewriteFile(f *testing.F) {
	for _, s := range []string{
		"image: 'docker://ghcr.io/org/timetracker-ci:main'\n",
		"uses: org/timetracker-ci/actions/version@main\n",
		"uses: ORG/timetracker-ci@x@y\n",
		"docker://ghcr.io/org/timetracker-ci",
	} {
		f.Add(s)
	}
	opts := Options{Image: testImage, Ref: testRef}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := RewriteFile("f", []byte(s), opts)
		again, more := RewriteFile("f", out, opts)
		if string(again) != string(out) || len(more) != 0 {
			t.Fatalf("not idempotent on %q: %q then %q", s, out, again)
		}
		if strings.Count(string(out), "\n") != strings.Count(s, "\n") {
			t.Fatalf("line count changed on %q", s)
		}
	})
}

func BenchmarkRewriteFile(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "ci-comprehensive.yml"))
	if err != nil {
		b.Skip(err)
	}
	rw := NewRewriter(Options{Image: testImage, Ref: testRef})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rw.File("ci-comprehensive.yml", data)
	}
}

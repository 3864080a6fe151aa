package doctor

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every mistake of the fixture repository is reported exactly once, at its
// file and line.
func TestFixtureReportsEachMistakeOnce(t *testing.T) {
	fs, err := Run(context.Background(), filepath.Join("testdata", "mistakes"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // rule → file:line
		"marker-unregistered":    "tests/test_app.py:10",
		"marker-unused":          "pytest.ini:5",
		"cov-fail-under":         "pytest.ini:6",
		"no-tier":                "tests/test_app.py:15",
		"symlink-not-searched":   "tests/generated:0", // a committed link to a folder that does not exist
		"shallow-checkout":       ".github/workflows/ci.yml:11",
		"permissions-missing":    ".github/workflows/ci.yml:24",
		"permissions-broad":      ".github/workflows/ci.yml:21",
		"unpinned-action":        ".github/workflows/ci.yml:11",
		"dockerfile-root":        "Dockerfile:3",
		"dockerfile-healthcheck": "Dockerfile:3",
		"migration-heads":        "migrations/versions/0003_projects.py:1",
		"image-uppercase":        ".github/workflows/ci.yml:15",
		"secret-outputs":         ".github/workflows/ci.yml:17",
	}
	got := map[string][]string{}
	for _, f := range fs {
		got[f.Rule] = append(got[f.Rule], f.File+":"+itoa(f.Line))
		if f.Message == "" || f.Why == "" || f.Fix == "" {
			t.Errorf("%s lacks message, why or fix: %+v", f.Rule, f)
		}
	}
	for rule, loc := range want {
		if len(got[rule]) != 1 || got[rule][0] != loc {
			t.Errorf("%s: reported at %v, want once at %s", rule, got[rule], loc)
		}
	}
	for rule := range got {
		if _, ok := want[rule]; !ok {
			t.Errorf("unexpected %s at %v", rule, got[rule])
		}
	}
	if len(want) != len(allRules) {
		t.Errorf("the fixture covers %d rules of %d", len(want), len(allRules))
	}
	if e, w := Count(fs); e == 0 || w == 0 {
		t.Errorf("errors %d, warnings %d: want both", e, w)
	}
}

// The example application is set up the way the guides say: nothing to
// report.
func TestExampleAppIsClean(t *testing.T) {
	fs, err := Run(context.Background(), filepath.Join("..", "..", "examples", "timetracker"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("%s", f)
	}
}

// Every rule's text is in the troubleshooting guide, so a user who sees a
// finding can look it up.
func TestTroubleshootingListsEveryRule(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, r := range Rules() {
		for _, s := range []string{"`" + r.ID + "`", r.Why, r.Fix} {
			if !strings.Contains(string(guide), s) {
				missing = append(missing, r.ID+": "+s)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("docs/troubleshooting.md lacks %s", m)
	}
}

func TestNotAFolder(t *testing.T) {
	if _, err := Run(context.Background(), filepath.Join("testdata", "nope"), Options{}); err == nil {
		t.Error("a missing folder gave no error")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Cases found on a real repository: a merge revision whose down_revision
// tuple spans lines joins its parents into one head; a fixture named
// test_* is not a test.
func TestMergeRevisionAndFixtures(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"migrations/versions/1_a.py":     "revision = \"1\"\ndown_revision = None\n",
		"migrations/versions/2_b.py":     "revision = \"2\"\ndown_revision = \"1\"\n",
		"migrations/versions/3_c.py":     "revision = \"3\"\ndown_revision = \"1\"\n",
		"migrations/versions/4_merge.py": "revision = \"4\"\ndown_revision = (\n    \"2\",\n    \"3\",\n)\n",
		"pytest.ini":                     "[pytest]\nmarkers =\n    unit: u\n",
		"tests/test_x.py":                "import pytest\n\n\n@pytest.fixture\ndef test_user():\n    return 1\n\n\n@pytest.mark.unit\ndef test_a(test_user):\n    assert test_user\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := Run(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("%s", f)
	}
}

// untiered reads what pytest reads: a tier marker before a decorator that
// spans lines still marks the test, and text at column 0 inside a
// triple-quoted string does not end the class around it.
func TestUntieredShapes(t *testing.T) {
	tierMarkers := map[string]bool{"smoke": true, "unit": true, "integration": true, "security": true, "database": true}
	for _, tc := range []struct {
		file      string
		n         int
		first     string
		firstLine int
	}{
		{"multiline_decorator.py", 0, "", 0},
		{"docstring_column0.py", 3, "test_with_column0_text", 5},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "untiered", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		n, first, line := untiered(data, tierMarkers)
		if n != tc.n || first != tc.first || line != tc.firstLine {
			t.Errorf("%s: %d untiered (first %q at line %d), want %d (first %q at line %d)", tc.file, n, first, line, tc.n, tc.first, tc.firstLine)
		}
	}
}

// A symlinked test folder is audited like a real one when it leads inside
// the repository (pytest collects through it); one leading outside, to
// nothing or back to a folder above it is a finding naming it.
func TestSymlinkedTestFolders(t *testing.T) {
	const untieredTest = "def test_plain():\n    pass\n"
	for _, tc := range []struct {
		name string
		link string   // target of tests/linked; "OUT" is a folder outside the repository
		want []string // rule file:line, and for the symlink finding | a fragment of its message
	}{
		{"inside", "../shared", []string{"no-tier tests/linked/test_shared.py:1", "no-tier tests/test_real.py:1"}},
		{"outside", "OUT", []string{"symlink-not-searched tests/linked:0 | leads outside the workspace", "no-tier tests/test_real.py:1"}},
		{"dangling", "../build/tests", []string{"symlink-not-searched tests/linked:0 | leads to nothing", "no-tier tests/test_real.py:1"}},
		{"loop", "..", []string{"symlink-not-searched tests/linked:0 | a loop", "no-tier tests/test_real.py:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			for _, p := range []string{filepath.Join(dir, "tests", "test_real.py"), filepath.Join(dir, "shared", "test_shared.py"), filepath.Join(outside, "test_out.py")} {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(untieredTest), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			target := tc.link
			if target == "OUT" {
				target = outside
			}
			if err := os.Symlink(target, filepath.Join(dir, "tests", "linked")); err != nil {
				t.Fatal(err)
			}
			fs, err := Run(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				if f.Rule == ruleSymlinkNotSearched.ID {
					if f.Severity != Warning || f.Why == "" || f.Fix == "" {
						t.Errorf("finding %+v: want a warning with why and fix", f)
					}
					got = append(got, f.Rule+" "+f.File+":"+itoa(f.Line)+" | "+f.Message)
					continue
				}
				got = append(got, f.Rule+" "+f.File+":"+itoa(f.Line))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for i := range got {
				gotLoc, gotMsg, _ := strings.Cut(got[i], " | ")
				wantLoc, wantMsg, _ := strings.Cut(tc.want[i], " | ")
				if gotLoc != wantLoc || !strings.Contains(gotMsg, wantMsg) {
					t.Errorf("finding %q, want %q", got[i], tc.want[i])
				}
			}
		})
	}
}

// A health check on the compose service that builds the image is the
// repository's health check: no warning then. Without one in the image
// or on that service the warning stays and says which service lacks it.
func TestDockerfileHealthcheckInCompose(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		want    string // fragment of the warning's message; "" for none
	}{
		{"dockerfile-has-it", ""},
		{"app-service", ""},   // build: . with a healthcheck, as TimeTracker's docker-compose.yml
		{"long-build", ""},    // build: {context: ., dockerfile: Dockerfile} in compose.yaml
		{"several-files", ""}, // one of the compose files defines it
		{"image-only", ""},    // no service builds the Dockerfile: any service's healthcheck counts
		{"no-compose", "no compose file defines a healthcheck: for a service running it"},
		{"other-service-only", "the compose service that builds it (docker-compose.yml: app) defines no healthcheck:"},
		{"disabled", "(docker-compose.yml: app) defines no healthcheck:"},
		{"test-none", "(docker-compose.yml: app) defines no healthcheck:"},
		{"no-test", "(docker-compose.yml: app) defines no healthcheck:"},
		{"builds-other", "no compose file defines a healthcheck: for a service running it"}, // the checked service builds another Dockerfile
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			fs, err := Run(context.Background(), filepath.Join("testdata", "healthcheck", tc.fixture), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []Finding
			for _, f := range fs {
				if f.Rule == ruleDockerHealth.ID {
					got = append(got, f)
				}
			}
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("warned: %s", got[0])
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0].Message, tc.want) || got[0].Severity != Warning || got[0].File != "Dockerfile" || got[0].Line != 4):
				t.Errorf("findings %v, want one warning at Dockerfile:4 saying %q", got, tc.want)
			}
		})
	}
}

// A compose file that is a symlink out of the repository is refused, as
// every file doctor reads: nothing of it reaches a finding or the error.
func TestComposeSymlinkOutIsRefused(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	const canary = "CANARY-compose-51d0"
	secret := filepath.Join(outside, "secret.yml")
	if err := os.WriteFile(secret, []byte("services:\n  app:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \""+canary+"\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nUSER 10001\nCMD [\"/app\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "docker-compose.yml")); err != nil {
		t.Fatal(err)
	}
	fs, err := Run(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "docker-compose.yml") || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("findings %v, error %v: want the compose file refused, naming it", fs, err)
	}
	if strings.Contains(err.Error(), canary) {
		t.Errorf("the refusal leaks the file outside: %v", err)
	}
}

// FuzzComposeHealth: any compose file (valid YAML or not) gives an answer
// without a panic, and a healthchecked service is only ever one the file
// names.
func FuzzComposeHealth(f *testing.F) {
	for _, c := range []string{"app-service", "long-build", "other-service-only", "image-only", "disabled", "test-none", "builds-other", "no-test"} {
		names, _ := filepath.Glob(filepath.Join("testdata", "healthcheck", c, "*compose*.y*ml"))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("services:\n  a:\n    build: [1]\n    healthcheck: {test: {x: 1}}\n"))
	f.Add([]byte("services: 3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := openRepo(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.close()
		h, err := composeHealthOf(r, "Dockerfile")
		if err != nil {
			return // over the size cap
		}
		if h.checked != "" && !strings.HasPrefix(h.checked, "docker-compose.yml: ") {
			t.Fatalf("healthcheck found on %q", h.checked)
		}
	})
}

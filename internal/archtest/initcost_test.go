package archtest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// heavyInit lists packages whose package initialisation (curve tables,
// gob type registries, cipher suites...) every action of the shipped
// binary would pay at start-up, though none needs them: go-git's
// high-level packages and what they drag in. pkg/gitrepo reads
// repositories with go-git's low-level packages only (plumbing, the
// pack/index/commit-graph formats), which cost nothing at init. A prefix
// ending in "/" matches the packages under it.
var heavyInit = []struct{ pkg, why string }{
	{"github.com/go-git/go-git/v5", "go-git's repository API: it links config, object, storage and transport"},
	{"github.com/go-git/go-git/v5/config", "go-git's config: it links gcfg and encoding/gob"},
	{"github.com/go-git/go-git/v5/plumbing/object", "go-git's objects: they link ProtonMail/go-crypto's OpenPGP curves to verify signatures"},
	{"github.com/go-git/go-git/v5/storage/", "go-git's storage: it links plumbing/object"},
	{"github.com/go-git/go-git/v5/plumbing/transport/", "go-git's transports: they link golang.org/x/crypto/ssh"},
	{"github.com/go-git/gcfg", "git config parsing: it links encoding/gob"},
	{"github.com/go-git/gcfg/", "git config parsing: it links encoding/gob"},
	{"encoding/gob", "gob registers its types at init"},
	{"github.com/ProtonMail/go-crypto/", "OpenPGP: curve tables are built at init"},
	{"github.com/cloudflare/circl/", "circl: curve tables are built at init"},
	{"golang.org/x/crypto/ssh", "SSH: cipher and key tables are built at init"},
	{"golang.org/x/crypto/ssh/", "SSH: cipher and key tables are built at init"},
	{"github.com/emirpasic/gods/", "gods: linked only by go-git's high-level packages"},
	{"github.com/sergi/go-diff/", "go-diff: linked only by go-git's diff"},
}

// heavyDeps returns a problem for each listed package in deps.
func heavyDeps(deps []string) []string {
	var probs []string
	for _, d := range deps {
		for _, h := range heavyInit {
			if d == h.pkg || strings.HasSuffix(h.pkg, "/") && strings.HasPrefix(d, h.pkg) {
				probs = append(probs, "cmd/timetracker-ci links "+d+" ("+h.why+"): its package init is paid by every action; "+
					"keep go-git's high-level packages out of the shipped binary (pkg/gitrepo uses plumbing and the format packages only)")
				break
			}
		}
	}
	return probs
}

// TestShippedBinaryAvoidsHeavyInit: the shipped binary links none of the
// packages in heavyInit (timetracker-ci-local, which serves a fake GitHub
// with go-git, may).
func TestShippedBinaryAvoidsHeavyInit(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: needed to list the binary's dependencies")
	}
	cmd := exec.Command(goBin, "list", "-deps", "./cmd/timetracker-ci")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd/timetracker-ci: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list listed only %d packages", len(deps))
	}
	for _, p := range heavyDeps(deps) {
		t.Error(p)
	}
}

// TestHeavyDepsCatchesViolations: the rule finds each kind of package, and
// passes the cheap go-git packages pkg/gitrepo uses.
func TestHeavyDepsCatchesViolations(t *testing.T) {
	for _, c := range []struct {
		dep  string
		want int
	}{
		{"github.com/go-git/go-git/v5", 1},
		{"github.com/go-git/go-git/v5/config", 1},
		{"github.com/go-git/go-git/v5/plumbing/object", 1},
		{"github.com/go-git/go-git/v5/storage/filesystem/dotgit", 1},
		{"github.com/go-git/go-git/v5/plumbing/transport/ssh", 1},
		{"github.com/go-git/gcfg", 1},
		{"encoding/gob", 1},
		{"github.com/ProtonMail/go-crypto/openpgp", 1},
		{"github.com/cloudflare/circl/ecc/goldilocks", 1},
		{"golang.org/x/crypto/ssh", 1},
		{"golang.org/x/crypto/ssh/knownhosts", 1},
		{"github.com/emirpasic/gods/trees/binaryheap", 1},
		{"github.com/sergi/go-diff/diffmatchpatch", 1},
		{"github.com/go-git/go-git/v5/plumbing", 0},
		{"github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2", 0},
		{"github.com/go-git/go-git/v5/plumbing/format/packfile", 0},
		{"github.com/go-git/go-billy/v5", 0},
		{"golang.org/x/crypto/sha3", 0},
		{"encoding/json", 0},
	} {
		if got := len(heavyDeps([]string{c.dep})); got != c.want {
			t.Errorf("%s: %d problems, want %d", c.dep, got, c.want)
		}
	}
}

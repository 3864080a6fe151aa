package gitrepo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packedRefs.lookup finds exactly the named ref's line: not a longer name
// it is the start of, not a peeled line, and with CR line ends too.
func TestPackedRefsLookup(t *testing.T) {
	a, b, c := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	content := "# pack-refs with: peeled fully-peeled sorted \n" +
		a + " refs/heads/main-old\n" +
		b + " refs/heads/main\r\n" +
		"^" + c + "\n" +
		c + " refs/tags/v1\n" +
		"not-a-hash refs/heads/broken\n" +
		a + " refs/heads/last"
	dir := t.TempDir()
	path := filepath.Join(dir, "packed-refs")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &packedRefs{path: path}
	defer p.close()
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"refs/heads/main", b, true},
		{"refs/heads/main-old", a, true},
		{"refs/heads/mai", "", false},
		{"refs/tags/v1", c, true},
		{"refs/heads/broken", "", false},
		{"refs/heads/last", a, true},
		{"refs/heads/nothing", "", false},
	} {
		got, ok, err := p.lookup(c.name)
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("lookup(%q) = %q, %v, %v; want %q, %v", c.name, got, ok, err, c.want, c.ok)
		}
	}
	missing := &packedRefs{path: filepath.Join(dir, "none")}
	if _, ok, err := missing.lookup("refs/heads/main"); ok || err != nil {
		t.Errorf("no packed-refs: ok %v, err %v", ok, err)
	}
}

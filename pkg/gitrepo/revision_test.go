package gitrepo

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseRevision(t *testing.T) {
	for rev, want := range map[string]string{
		"HEAD~1": "HEAD ~1", "main^": "main ^1", "v1.0.0~2^2": "v1.0.0 ~2 ^2", "abc123^0": "abc123 ^0",
		"refs/heads/x~": "refs/heads/x ~1", "HEAD": "HEAD",
	} {
		name, steps, ok := parseRevision(rev)
		if !ok {
			t.Errorf("%q not parsed", rev)
			continue
		}
		got := name
		for _, s := range steps {
			op := "^"
			if s.tilde {
				op = "~"
			}
			got += " " + op + strconv.Itoa(s.n)
		}
		if got != want {
			t.Errorf("%q: %q, want %q", rev, got, want)
		}
	}
	for _, rev := range []string{"HEAD^{commit}", "main@{1}", ":/fix", "", "~1", "HEAD~x", "HEAD~99999999999"} {
		if _, _, ok := parseRevision(rev); ok {
			t.Errorf("%q parsed; it is left to go-git", rev)
		}
	}
}

// FuzzParseRevision: any text either parses into a name without step
// characters and bounded steps, or is left to go-git; it never panics.
func FuzzParseRevision(f *testing.F) {
	for _, s := range []string{"HEAD~1", "v1^2~3", "a^{}", "x@{u}", "~", "^^^^", "main~0", "HEAD~1048577"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rev string) {
		name, steps, ok := parseRevision(rev)
		if !ok {
			return
		}
		if name == "" || strings.ContainsAny(name, "~^:@{} \t\n\\") {
			t.Fatalf("%q: name %q", rev, name)
		}
		for _, s := range steps {
			if s.n < 0 || s.n > 1<<20 {
				t.Fatalf("%q: step %+v", rev, s)
			}
		}
	})
}

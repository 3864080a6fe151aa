package messages

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestMessages(t *testing.T) {
	msgs, err := Messages(context.Background(), filepath.Join("testdata", "msgroot"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.File+": "+m.Format)
	}
	want := []string{
		"actions/b/b.go: bump must be conventional, patch, minor, major or none, not %q",
		"actions/b/b.go: catalog takes no arguments",
		"cmd/c/main.go: no such command: run timetracker-ci --help",
		"pkg/a/a.go: the cache is corrupt: delete .cache and run again",
		"pkg/a/a.go: input %q is empty: set it in with:",
		"pkg/a/a.go: 100%% of %d shards failed: see the summary",
		"pkg/a/a.go: unexpected end of file: the report was cut short",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ code, docs string }{
		{"input %q is empty", "input `<name>` is empty"},
		{"input %q is empty", "Input %s is empty"[0:0] + "input %s is empty"},
		{"100%% of %d shards failed", "100% of <n> shards failed"},
		{"tag %[1]s and %-5.2f", "tag … and …"},
		{"use `fetch-depth: 0`", "use fetch-depth: 0"},
		{"a   b\n c", "a b c"},
		{"%s: %v", "<file>: <error>"},
		{"write pytest --cov-report=xml:<file>", "write pytest --cov-report=xml:<file>"},
		{"name tags %s<semver>", "name tags …<semver>"},
	}
	for _, tt := range tests {
		if a, b := NormalizeMessage(tt.code), NormalizeDocs(tt.docs); a != b {
			t.Errorf("NormalizeMessage(%q) = %q, NormalizeDocs(%q) = %q", tt.code, a, tt.docs, b)
		}
	}
}

func TestUndocumented(t *testing.T) {
	msgs := []Message{
		{Format: "input %q is empty: set it in with:"},
		{Format: "tag %s is not semver"},
		{Format: "tag %s is not semver"}, // reported once
		{Format: "the registry refused %s"},
	}
	guide := "## Errors\n\n| message | fix |\n|---|---|\n| `input <name> is empty: set it in with:` | set it |\n| `tag %q is not semver` | fix it |\n"
	und := Undocumented(msgs, guide)
	if len(und) != 1 || und[0].Format != "the registry refused %s" {
		t.Errorf("Undocumented = %+v", und)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"input %q", "100%%", "%[2]*.*d", "<a> … `x`", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeMessage(s)
		if strings.Contains(n, "  ") || n != strings.TrimSpace(n) {
			t.Fatalf("NormalizeMessage(%q) = %q", s, n)
		}
		// A message always matches a guide that quotes it verbatim.
		if len(Undocumented([]Message{{Format: s}}, "x "+s+" y")) != 0 && !strings.ContainsAny(s, "<>…`\\|\x00\x01") {
			t.Fatalf("%q not found in a guide quoting it", s)
		}
	})
}

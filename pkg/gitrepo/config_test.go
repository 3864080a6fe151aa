package gitrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var configSamples = []struct {
	name, config, remote, want string
}{
	{"plain", "[remote \"origin\"]\n\turl = https://github.com/o/r.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n", "origin", "https://github.com/o/r.git"},
	{"other remote", "[remote \"up\"]\nurl = a\n[remote \"origin\"]\nurl = b\n", "origin", "b"},
	{"first url wins", "[remote \"origin\"]\nurl = first\nurl = second\n", "origin", "first"},
	{"case-insensitive section and key", "[Remote \"origin\"]\n  URL=x\n", "origin", "x"},
	{"subsection is case-sensitive", "[remote \"Origin\"]\nurl = x\n", "origin", ""},
	{"comments", "# c\n; c\n[remote \"origin\"] ; c\nurl = git@h:o/r.git # trailing\n", "origin", "git@h:o/r.git"},
	{"quoted", "[remote \"origin\"]\nurl = \"a ; b # c\"\n", "origin", "a ; b # c"},
	{"escapes", "[remote \"origin\"]\nurl = \"a\\\"b\\\\c\"\n", "origin", "a\"b\\c"},
	{"inner spaces kept, outer trimmed", "[remote \"origin\"]\nurl =   a  b   \n", "origin", "a  b"},
	{"continuation", "[remote \"origin\"]\nurl = ab\\\ncd\n", "origin", "abcd"},
	{"quoted subsection escapes", "[remote \"o\\\"x\"]\nurl = q\n", "o\"x", "q"},
	{"no remote", "[core]\nbare = false\n", "origin", ""},
	{"key without value", "[remote \"origin\"]\nurl\n", "origin", "true"},
	{"CRLF", "[remote \"origin\"]\r\nurl = x\r\n", "origin", "x"},
	{"dotted subsection", "[remote.origin]\nurl = old\n", "origin", "old"},
	{"section on one line with key", "[remote \"origin\"] url = same-line\n", "origin", "same-line"},
	{"empty value", "[remote \"origin\"]\nurl =\nurl = y\n", "origin", ""},
}

func TestRemoteURLFromConfig(t *testing.T) {
	for _, c := range configSamples {
		if got := remoteURL(c.config, c.remote); got != c.want {
			t.Errorf("%s: remoteURL = %q, want %q", c.name, got, c.want)
		}
	}
}

// The samples read as git itself reads them.
func TestRemoteURLMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	for _, c := range configSamples {
		if c.want == "true" {
			continue // git config --get prints a valueless key as empty
		}
		path := filepath.Join(dir, "config")
		if err := os.WriteFile(path, []byte(c.config), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("git", "config", "--file", path, "--get-all", "remote."+c.remote+".url")
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		out, _ := cmd.Output() // exit status 1: no such key
		first, _, _ := strings.Cut(string(out), "\n")
		if first != c.want {
			t.Errorf("%s: git reads %q, the sample wants %q", c.name, first, c.want)
		}
	}
}

// quoteConfig writes a value as git does: quoted, with \" \\ \n \t escaped.
func quoteConfig(v string) string {
	r := strings.NewReplacer("\\", "\\\\", "\"", "\\\"", "\n", "\\n", "\t", "\\t", "\b", "\\b")
	return "\"" + r.Replace(v) + "\""
}

// FuzzParseConfig: any text parses without panicking, and a URL written
// as git writes it is read back, whatever surrounds it.
func FuzzParseConfig(f *testing.F) {
	for _, c := range configSamples {
		f.Add(c.config, "https://example.com/o/r.git")
	}
	f.Add("[a \"b\\", "x;y#z \"w\"")
	f.Fuzz(func(t *testing.T, config, url string) {
		_ = parseConfig(config)
		if strings.ContainsAny(url, "\x00\r") {
			return
		}
		text := config + "\n[remote \"fz\"]\n\turl = " + quoteConfig(url) + "\n"
		if strings.Contains(config, "remote \"fz\"") || strings.Contains(config, "remote.fz") || strings.Count(config, "\"")%2 == 1 || strings.Contains(config, "\\") {
			return // the config itself may define the remote or leave a quote or escape open
		}
		if got := remoteURL(text, "fz"); got != url {
			t.Fatalf("url %q read back as %q", url, got)
		}
	})
}

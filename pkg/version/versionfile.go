package version

import (
	"encoding/json"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"os"
	"path/filepath"
	"strings"
)

// ReadVersionFile reads the version a project declares: `version` in
// pyproject.toml ([project] or [tool.poetry]), the version= argument in
// setup.py, "version" in package.json, or the first line of any other file.
// The value must be a semantic version (a leading v is allowed).
func ReadVersionFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read version file %s: %w", path, err)
	}
	return ParseVersionFile(path, data)
}

// ParseVersionFile is ReadVersionFile for content already read (through
// the workspace jail, by the action). The file's text reaches an error
// only cut to a short line: it may be anything a symlink pointed at.
func ParseVersionFile(path string, data []byte) (string, error) {
	raw, err := versionFromFile(filepath.Base(path), data)
	if err != nil {
		return "", fmt.Errorf("version file %s: %w", path, err)
	}
	v, ok := ParseVersion(raw, "")
	if !ok {
		return "", fmt.Errorf("version file %s: %q is not a semantic version (e.g. 1.2.3): fix the file or drop the version-file input", path, shortText(raw))
	}
	return v.String(), nil
}

// shortText keeps the first 64 bytes of one line of text for a message.
func shortText(s string) string {
	if i := strings.IndexAny(s, "\r\n\x00"); i >= 0 {
		s = s[:i] + "…"
	}
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

var (
	tomlSection = lazyre.New(`^\s*\[([^\]]+)\]\s*$`)
	tomlVersion = lazyre.New(`^\s*version\s*=\s*["']([^"']*)["']`)
	setupPy     = lazyre.New(`(?m)\bversion\s*=\s*["']([^"']+)["']`)
)

func versionFromFile(name string, data []byte) (string, error) {
	switch strings.ToLower(name) {
	case "pyproject.toml":
		section := ""
		for _, line := range strings.Split(string(data), "\n") {
			if m := tomlSection.FindStringSubmatch(line); m != nil {
				section = strings.TrimSpace(m[1])
				continue
			}
			if section != "project" && section != "tool.poetry" {
				continue
			}
			if m := tomlVersion.FindStringSubmatch(line); m != nil {
				return m[1], nil
			}
		}
		return "", fmt.Errorf("no version in [project] or [tool.poetry] (a dynamic version cannot be read: point version-file at the file holding it)")
	case "setup.py":
		m := setupPy.FindSubmatch(data)
		if m == nil {
			return "", fmt.Errorf(`no literal version="..." argument found`)
		}
		return string(m[1]), nil
	case "package.json":
		var pkg struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(data, &pkg); err != nil {
			return "", fmt.Errorf("not valid JSON: %w", err)
		}
		if pkg.Version == "" {
			return "", fmt.Errorf(`no "version" field`)
		}
		return pkg.Version, nil
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("the file is empty")
	}
	return line, nil
}

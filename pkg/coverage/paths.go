package coverage

import (
	"path"
	"strings"
)

// Paths describes how a repository is laid out, to turn the file names
// coverage tools write into repository-relative, slash-separated paths
// (the paths git diff prints).
type Paths struct {
	// Root is the repository's absolute directory on the machine that
	// produced the reports (GITHUB_WORKSPACE), slash-separated.
	Root string
	// Module is the Go module path (from go.mod), and ModuleDir the
	// module's directory relative to Root ("" when go.mod is at the root).
	Module, ModuleDir string
	// Exists, when set, tells whether a repository-relative path is a file
	// of the repository; it picks among several Cobertura sources.
	Exists func(rel string) bool
}

// GoFile turns a Go cover profile file name (an import path plus file
// name, e.g. github.com/org/app/pkg/x/x.go) into a repository path. ok is
// false for files outside the module (such as dependencies under
// -coverpkg=all).
func (p Paths) GoFile(name string) (rel string, ok bool) {
	name = strings.ReplaceAll(name, "\\", "/")
	if p.Module == "" {
		return p.absolute(name)
	}
	rest, found := strings.CutPrefix(name, p.Module+"/")
	if !found {
		if path.IsAbs(name) || isWindowsAbs(name) {
			// Packages built outside module mode name absolute files.
			return p.absolute(name)
		}
		return name, false // another module: a dependency
	}
	return clean(path.Join(p.ModuleDir, rest)), true
}

// CoberturaFile turns a Cobertura class filename into a repository path,
// using the report's <source> directories: coverage.py writes names
// relative to a source, which is usually absolute. A source outside Root
// (the report was written on the runner, and is read in a container that
// mounts the workspace elsewhere) is matched by its trailing directories,
// longest first, when Exists is set.
func (p Paths) CoberturaFile(sources []string, filename string) (rel string, ok bool) {
	filename = strings.ReplaceAll(filename, "\\", "/")
	if path.IsAbs(filename) || isWindowsAbs(filename) {
		return p.absolute(filename)
	}
	var candidates, guesses []string
	for _, s := range sources {
		s = strings.ReplaceAll(s, "\\", "/")
		if !path.IsAbs(s) && !isWindowsAbs(s) {
			candidates = append(candidates, clean(path.Join(s, filename)))
			continue
		}
		if d, in := p.absolute(s); in {
			candidates = append(candidates, clean(path.Join(d, filename)))
			continue
		}
		parts := strings.Split(strings.Trim(path.Clean(s), "/"), "/")
		for i := range parts {
			guesses = append(guesses, clean(path.Join(path.Join(parts[i:]...), filename)))
		}
	}
	if p.Exists != nil {
		for _, c := range append(append(candidates, guesses...), clean(filename)) {
			if p.Exists(c) {
				return c, true
			}
		}
	}
	if len(candidates) > 0 {
		return candidates[0], true
	}
	return clean(filename), true
}

// absolute makes an absolute path relative to Root; ok is false outside.
func (p Paths) absolute(name string) (string, bool) {
	if !path.IsAbs(name) && !isWindowsAbs(name) {
		return clean(name), true
	}
	root := strings.TrimSuffix(strings.ReplaceAll(p.Root, "\\", "/"), "/")
	if root == "" {
		return name, false
	}
	if name == root {
		return ".", true
	}
	rest, found := strings.CutPrefix(name, root+"/")
	if !found {
		return name, false
	}
	return clean(rest), true
}

func isWindowsAbs(s string) bool {
	return len(s) >= 3 && s[1] == ':' && (s[2] == '/' || s[2] == '\\')
}

func clean(p string) string {
	p = path.Clean(p)
	return strings.TrimPrefix(p, "./")
}

// Normalize returns a copy of the report with every file renamed to its
// repository path: Go profile names through Paths.GoFile, Cobertura names
// through Paths.CoberturaFile with the report's sources. Files outside the
// repository are dropped (they are not the project's code). Files that
// end up with the same name are merged.
func (r *Report) Normalize(p Paths) *Report {
	out := &Report{Mode: r.Mode, files: make(map[string]*File)}
	for name, f := range r.files {
		var rel string
		var ok bool
		if len(f.blocks) > 0 || r.Mode != "" {
			rel, ok = p.GoFile(name)
		} else {
			rel, ok = p.CoberturaFile(r.Sources, name)
		}
		if !ok {
			continue
		}
		single := &Report{Mode: r.Mode, files: map[string]*File{rel: renamed(f, rel)}}
		if existing := out.files[rel]; existing != nil {
			merged := Merge(&Report{Mode: r.Mode, files: map[string]*File{rel: existing}}, single)
			out.files[rel] = merged.files[rel]
			continue
		}
		out.files[rel] = single.files[rel]
	}
	return out
}

func renamed(f *File, name string) *File {
	c := *f
	c.Name = name
	return &c
}

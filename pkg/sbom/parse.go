package sbom

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"io"
	"strings"
)

// Package types, also the purl types they are written with.
const (
	TypeDeb    = "deb"
	TypeApk    = "apk"
	TypePython = "pypi"
	TypeGo     = "golang"
)

// Package is one thing found in the image.
type Package struct {
	Type     string `json:"type"` // TypeDeb, TypeApk, TypePython, TypeGo
	Name     string `json:"name"`
	Version  string `json:"version"`
	License  string `json:"license,omitempty"` // as declared; empty when unknown
	Arch     string `json:"arch,omitempty"`
	Source   string `json:"source,omitempty"` // Debian source package, when it differs
	Location string `json:"location"`         // absolute path of the file it was read from
	Layer    string `json:"layer,omitempty"`  // diff ID of the layer holding that file
}

// maxLine bounds one line of a metadata file; longer lines are an error,
// not an allocation.
const maxLine = 1 << 20

// ErrTooLong says a metadata file had a line longer than the parser reads.
var ErrTooLong = errors.New("line longer than 1 MiB")

// stanzas reads RFC 822-style paragraphs ("Key: value", continuation lines
// start with a space or tab, paragraphs separated by blank lines) and calls
// fn with each one's fields. Keys are compared as written; the last
// occurrence of a key wins. A paragraph ends the read when stop is true.
func stanzas(r io.Reader, fn func(map[string]string) (stop bool)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	fields := map[string]string{}
	last := ""
	flush := func() bool {
		if len(fields) == 0 {
			return false
		}
		stop := fn(fields)
		fields, last = map[string]string{}, ""
		return stop
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if flush() {
				return nil
			}
		case line[0] == ' ' || line[0] == '\t':
			if last != "" {
				fields[last] += "\n" + strings.TrimSpace(line)
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				last = ""
				continue // not a field: tolerated, as dpkg's own readers skip junk
			}
			last = strings.TrimSpace(k)
			fields[last] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return ErrTooLong
		}
		return err
	}
	flush()
	return nil
}

// ParseDpkgStatus reads a dpkg status file (or one file of status.d) and
// returns the packages dpkg considers installed, in file order.
func ParseDpkgStatus(r io.Reader) ([]Package, error) {
	var out []Package
	err := stanzas(r, func(f map[string]string) bool {
		name, version := f["Package"], f["Version"]
		if name == "" || version == "" {
			return false
		}
		// status.d files (distroless) carry no Status field: present means installed.
		if st, ok := f["Status"]; ok && !strings.HasSuffix(strings.TrimSpace(st), " installed") {
			return false
		}
		p := Package{Type: TypeDeb, Name: name, Version: version, Arch: f["Architecture"]}
		if src := f["Source"]; src != "" {
			// "Source: name (version)" when the binary version differs.
			src, _, _ = strings.Cut(src, " ")
			if src != name {
				p.Source = src
			}
		}
		out = append(out, p)
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	return out, nil
}

// ParseApkInstalled reads Alpine's lib/apk/db/installed: one paragraph per
// package, one-letter keys (P name, V version, A arch, L licence).
func ParseApkInstalled(r io.Reader) ([]Package, error) {
	var out []Package
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var cur Package
	flush := func() {
		if cur.Name != "" && cur.Version != "" {
			cur.Type = TypeApk
			out = append(out, cur)
		}
		cur = Package{}
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			flush()
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			continue
		}
		v := line[2:]
		switch line[0] {
		case 'P':
			cur.Name = v
		case 'V':
			cur.Version = v
		case 'A':
			cur.Arch = v
		case 'L':
			cur.License = v
		case 'o':
			if v != cur.Name {
				cur.Source = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = ErrTooLong
		}
		return nil, fmt.Errorf("reading apk installed database: %w", err)
	}
	flush()
	return out, nil
}

var licenseClassifier = lazyre.New(`^License :: (?:OSI Approved :: )?(.+)$`)

// ParsePythonMetadata reads the core metadata of a Python distribution
// (METADATA of a wheel install, PKG-INFO of an egg): the headers up to the
// first blank line. The licence is License-Expression (metadata 2.4), else
// a one-line License field, else the licence classifiers.
func ParsePythonMetadata(r io.Reader) (Package, error) {
	var p Package
	var classifiers []string
	var license, expr string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	last := ""
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			break // the body (long description) follows
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last == "License" {
				license += "\n" + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		last = k
		switch strings.ToLower(k) {
		case "name":
			p.Name = v
		case "version":
			p.Version = v
		case "license":
			license = v
		case "license-expression":
			expr = v
		case "classifier":
			if m := licenseClassifier.FindStringSubmatch(v); m != nil {
				classifiers = append(classifiers, m[1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = ErrTooLong
		}
		return p, fmt.Errorf("reading Python metadata: %w", err)
	}
	if p.Name == "" || p.Version == "" {
		return p, errors.New("reading Python metadata: no Name or Version header")
	}
	p.Type = TypePython
	switch {
	case expr != "":
		p.License = expr
	case license != "" && !strings.Contains(license, "\n") && len(license) <= 100 && !strings.EqualFold(license, "UNKNOWN"):
		p.License = license
	case len(classifiers) > 0:
		p.License = strings.Join(classifiers, " AND ")
	}
	return p, nil
}

var pyNameSep = lazyre.New(`[-_.]+`)

// NormalizePythonName is PEP 503's normalised project name.
func NormalizePythonName(name string) string {
	return strings.ToLower(pyNameSep.ReplaceAllString(name, "-"))
}

var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

func isELF(head []byte) bool { return bytes.HasPrefix(head, elfMagic) }

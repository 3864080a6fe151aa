package vulnscan

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Record is the part of an OSV record the matcher reads.
type Record struct {
	ID       string     `json:"id"`
	Summary  string     `json:"summary"`
	Details  string     `json:"details"`
	Aliases  []string   `json:"aliases"`
	Severity []Severity `json:"severity"`
	Affected []Affected `json:"affected"`
	// DatabaseSpecific carries GHSA's severity word.
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
}

// Severity is one scored severity of a record.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one package a record is about.
type Affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges   []Range  `json:"ranges"`
	Versions []string `json:"versions"`
	// DatabaseSpecific severity per package (some databases put it here).
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
}

// Range is an OSV version range: events in order.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one bound of a range.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// maxRecord bounds one OSV record (the largest in OSV are a few hundred KiB).
const maxRecord = 16 << 20

// ParseRecord reads one OSV JSON record.
func ParseRecord(data []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not an OSV record: %w", err)
	}
	if r.ID == "" {
		return nil, errors.New("OSV record without an id")
	}
	return &r, nil
}

// Database is the records that can match, by ecosystem base and name.
type Database struct {
	byKey map[string][]*Record // "PyPI\x00requests"
	count int
}

func key(ecosystem, name string) string { return ecosystemBase(ecosystem) + "\x00" + name }

// Add indexes a record under each package it affects.
func (db *Database) Add(r *Record) {
	if db.byKey == nil {
		db.byKey = map[string][]*Record{}
	}
	seen := map[string]bool{}
	for _, a := range r.Affected {
		k := key(a.Package.Ecosystem, normalizeName(a.Package.Ecosystem, a.Package.Name))
		if compareFor(a.Package.Ecosystem) == nil || seen[k] {
			continue
		}
		seen[k] = true
		db.byKey[k] = append(db.byKey[k], r)
	}
	db.count++
}

// Len is the number of records read.
func (db *Database) Len() int { return db.count }

func normalizeName(ecosystem, name string) string {
	if ecosystemBase(ecosystem) == "PyPI" {
		return pyNormalize(name)
	}
	return name
}

func pyNormalize(name string) string {
	var b strings.Builder
	sep := false
	for _, c := range strings.ToLower(name) {
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(c)
	}
	return b.String()
}

// Load reads every OSV record under path: a directory of .json files
// (walked recursively) and .zip files of them (OSV's all.zip downloads),
// or one such file.
func Load(ctx context.Context, path string) (*Database, error) {
	db := &Database{}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return db, db.loadFile(ctx, path)
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".zip")) {
			return nil
		}
		return db.loadFile(ctx, p)
	})
	return db, err
}

func (db *Database) loadFile(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.HasSuffix(p, ".zip") {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return fmt.Errorf("reading OSV archive %s: %w", p, err)
		}
		defer zr.Close()
		return db.loadZip(ctx, &zr.Reader, p)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecord+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if len(data) > maxRecord {
		return fmt.Errorf("%s is larger than 16 MiB: not an OSV record", p)
	}
	r, err := ParseRecord(data)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	db.Add(r)
	return nil
}

// affects reports whether version is affected by a (exact versions, or
// ECOSYSTEM / SEMVER ranges).
func affects(a Affected, version string) bool {
	for _, v := range a.Versions {
		if v == version {
			return true
		}
	}
	cmp := compareFor(a.Package.Ecosystem)
	if cmp == nil {
		return false
	}
	for _, r := range a.Ranges {
		if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
			continue
		}
		if inRange(r, version, cmp) {
			return true
		}
	}
	return false
}

// inRange applies OSV's evaluation: sort the events by version, walk them,
// affected between an introduced and the next fixed (exclusive), or up to
// and including a last_affected; limit caps the whole range.
func inRange(r Range, version string, cmp comparator) bool {
	lt := func(a, b string) (bool, bool) {
		if a == "0" {
			return b != "0", true
		}
		if b == "0" {
			return false, true
		}
		c, ok := cmp(a, b)
		return c < 0, ok
	}
	type ev struct {
		v    string
		kind int // 0 introduced, 1 fixed, 2 last_affected, 3 limit
	}
	var evs []ev
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			evs = append(evs, ev{e.Introduced, 0})
		case e.Fixed != "":
			evs = append(evs, ev{e.Fixed, 1})
		case e.LastAffected != "":
			evs = append(evs, ev{e.LastAffected, 2})
		case e.Limit != "":
			evs = append(evs, ev{e.Limit, 3})
		}
	}
	bad := false
	sort.SliceStable(evs, func(i, j int) bool {
		l, ok := lt(evs[i].v, evs[j].v)
		if !ok {
			bad = true
		}
		return l
	})
	if bad {
		return false
	}
	affected := false
	for _, e := range evs {
		below, ok := lt(version, e.v)
		if !ok {
			return false
		}
		equal := false
		if c, ok := cmp(version, e.v); ok && c == 0 {
			equal = true
		}
		switch e.kind {
		case 0:
			if !below {
				affected = true
			}
		case 1:
			if !below {
				affected = false
			}
		case 2:
			if !below && !equal {
				affected = false
			}
		case 3:
			if !below {
				return false
			}
		}
	}
	return affected
}

// LoadFS reads OSV records as Load does, from name inside fsys (a folder
// of .json records and .zip archives, or one such file). The scan action
// passes the workspace jail's ReadFS, so a record symlinked out of the
// workspace, a FIFO or a /proc file is refused instead of read.
func LoadFS(ctx context.Context, fsys fs.FS, name string) (*Database, error) {
	db := &Database{}
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return db, db.loadFSFile(ctx, fsys, name)
	}
	err = fs.WalkDir(fsys, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".zip")) {
			return nil
		}
		return db.loadFSFile(ctx, fsys, p)
	})
	return db, err
}

func (db *Database) loadFSFile(ctx context.Context, fsys fs.FS, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(p, ".zip") {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		ra, ok := f.(io.ReaderAt)
		if !ok {
			return fmt.Errorf("reading OSV archive %s: not a seekable file", p)
		}
		zr, err := zip.NewReader(ra, st.Size())
		if err != nil {
			return fmt.Errorf("reading OSV archive %s: %w", p, err)
		}
		return db.loadZip(ctx, zr, p)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRecord+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if len(data) > maxRecord {
		return fmt.Errorf("%s is larger than 16 MiB: not an OSV record", p)
	}
	r, err := ParseRecord(data)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	db.Add(r)
	return nil
}

func (db *Database) loadZip(ctx context.Context, zr *zip.Reader, p string) error {
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") || f.UncompressedSize64 > maxRecord {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s in %s: %w", f.Name, p, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxRecord))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s in %s: %w", f.Name, p, err)
		}
		r, err := ParseRecord(data)
		if err != nil {
			return fmt.Errorf("%s in %s: %w", f.Name, p, err)
		}
		db.Add(r)
	}
	return nil
}

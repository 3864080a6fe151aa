package prreport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/org/timetracker-ci/pkg/testreport"
)

// Baseline is what one run leaves for later runs to compare with: the
// tests that failed (or errored) in it.
type Baseline struct {
	Ref     string `json:"ref,omitempty"` // the branch the run was on
	SHA     string `json:"sha,omitempty"`
	Failing []Key  `json:"failing"`
}

// Key identifies a test across runs: its tier and its id within the tier.
type Key struct {
	Tier string `json:"tier"`
	ID   string `json:"id"`
}

// maxBaselineBytes bounds a baseline file read back from a cache.
const maxBaselineBytes = 16 << 20

// NewBaseline records the failing tests of r: those it lists (up to its
// MaxFailures, 10,000 by default), which is every failure of any real run.
func NewBaseline(ref, sha string, r *testreport.Report) *Baseline {
	b := &Baseline{Ref: ref, SHA: sha, Failing: []Key{}}
	for _, t := range r.Failures {
		b.Failing = append(b.Failing, Key{Tier: t.Tier, ID: t.ID})
	}
	return b
}

// Marshal is the baseline as the JSON a failures file holds.
func (b *Baseline) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return append(data, '\n'), nil
}

// ParseBaseline reads the JSON of a failures file; name says which file in errors.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	if len(data) > maxBaselineBytes {
		return nil, fmt.Errorf("base failures %s: larger than %d MiB: give the file test-report wrote (failures-file)", name, maxBaselineBytes>>20)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("base failures %s: not a failures file written by test-report: %w", name, err)
	}
	if b.Failing == nil {
		return nil, errors.New("base failures " + name + ": no \"failing\" list: give the file test-report wrote (failures-file)")
	}
	return &b, nil
}

// WriteFile writes the baseline as JSON, creating its folder.
func (b *Baseline) WriteFile(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write failures file: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write failures file: %w", err)
	}
	return nil
}

// ReadBaseline reads a baseline file. A missing file is an error that
// matches os.ErrNotExist: the caller decides whether that is fine (no
// earlier results in the cache).
func ReadBaseline(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("base failures %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBaselineBytes+1))
	if err != nil {
		return nil, fmt.Errorf("base failures %s: %w", path, err)
	}
	return ParseBaseline(path, data)
}

// Classify splits failures into new ones and those that already failed in
// base. With no base every failure is new.
func Classify(failures []testreport.Test, base *Baseline) (fresh, known []testreport.Test) {
	if base == nil {
		return failures, nil
	}
	failing := make(map[Key]bool, len(base.Failing))
	for _, k := range base.Failing {
		failing[k] = true
	}
	for _, t := range failures {
		if failing[Key{Tier: t.Tier, ID: t.ID}] {
			known = append(known, t)
		} else {
			fresh = append(fresh, t)
		}
	}
	return fresh, known
}

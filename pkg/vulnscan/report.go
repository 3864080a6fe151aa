package vulnscan

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Request is one scan.
type Request struct {
	SBOMs     map[string][]byte // by file name
	DB        *Database
	Threshold int         // findings at or above fail; LevelNone never fails
	Ignore    *IgnoreFile // may be nil
	Now       time.Time   // for the ignore file's expiry dates
	SARIF     SARIFOptions
}

// Report is what a scan found.
type Report struct {
	Packages  int       `json:"packages"`
	Records   int       `json:"records"`
	Findings  []Finding `json:"findings"`
	Failing   []Finding `json:"failing"`
	Expired   []Ignore  `json:"expiredIgnores"`
	Threshold string    `json:"threshold"`
	SARIF     []byte    `json:"-"`
}

// Scan matches every SBOM against the database and applies the ignore
// file and the threshold.
func Scan(req Request) (*Report, error) {
	if req.DB == nil {
		return nil, fmt.Errorf("no OSV database given")
	}
	names := make([]string, 0, len(req.SBOMs))
	for n := range req.SBOMs {
		names = append(names, n)
	}
	sort.Strings(names)
	var pkgs []Package
	seen := map[string]bool{}
	for _, n := range names {
		ps, err := PackagesFromSBOM(req.SBOMs[n])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for _, p := range ps {
			// The same package at the same place in two platform SBOMs is one finding.
			k := p.PURL + "\x00" + p.Location
			if !seen[k] {
				seen[k] = true
				pkgs = append(pkgs, p)
			}
		}
	}
	rep := &Report{Packages: len(pkgs), Records: req.DB.Len(), Threshold: LevelName(req.Threshold)}
	rep.Findings = Match(req.DB, pkgs)
	rep.Expired = req.Ignore.Apply(rep.Findings, req.Now)
	rep.Failing = Failing(rep.Findings, req.Threshold)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Failing == nil {
		rep.Failing = []Finding{}
	}
	var err error
	rep.SARIF, err = SARIF(rep.Findings, req.SARIF)
	return rep, err
}

// String is the report for a log: one line per finding.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d packages checked against %d OSV records: %d finding(s), %d at or above %s and not ignored\n",
		r.Packages, r.Records, len(r.Findings), len(r.Failing), r.Threshold)
	for _, f := range r.Findings {
		state := ""
		if f.Ignored != nil {
			state = " (ignored until " + f.Ignored.Expires + ": " + f.Ignored.Reason + ")"
		}
		fixed := ""
		if f.Fixed != "" {
			fixed = ", fixed in " + f.Fixed
		}
		fmt.Fprintf(&b, "  %-8s %-22s %s %s %s%s%s\n", f.Severity, f.ID, f.Package.Ecosystem, f.Package.Name, f.Package.Version, fixed, state)
	}
	for _, e := range r.Expired {
		fmt.Fprintf(&b, "  ignore entry %s expired on %s: it ignores nothing now; fix the package or renew the entry\n", e.ID, e.Expires)
	}
	return b.String()
}

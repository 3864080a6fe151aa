package metrics

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Run is one workflow run attempt.
type Run struct {
	ID         int64     `json:"id"`
	Workflow   string    `json:"workflow"`
	Event      string    `json:"event"`
	Branch     string    `json:"branch"`
	Status     string    `json:"status"`
	Conclusion string    `json:"conclusion"`
	Attempt    int       `json:"attempt,omitempty"`
	Created    time.Time `json:"created"`
	Started    time.Time `json:"started"`
	Updated    time.Time `json:"updated"`
}

// State is one deployment status.
type State struct {
	State string    `json:"state"`
	At    time.Time `json:"at"`
}

// Deployment is one deployment with its statuses, oldest first.
type Deployment struct {
	ID          int64     `json:"id"`
	SHA         string    `json:"sha"`
	Environment string    `json:"environment"`
	Rollback    bool      `json:"rollback"`
	Created     time.Time `json:"created"`
	States      []State   `json:"states"`
	// Commits are the commit times this deployment shipped first (those
	// since the previous successful deployment); filled by the source.
	Commits []time.Time `json:"commits,omitempty"`
}

// final is the deployment's outcome: the last of success, failure or
// error, and when it was reached ("" while it runs).
func (d Deployment) final() (string, time.Time) {
	for i := len(d.States) - 1; i >= 0; i-- {
		switch d.States[i].State {
		case "success", "failure", "error":
			return d.States[i].State, d.States[i].At
		}
	}
	return "", time.Time{}
}

// History is what the figures are computed from.
type History struct {
	Runs        []Run        `json:"runs"`
	Deployments []Deployment `json:"deployments"` // of the production environment
	// Reports are the runs' test reports, by run id (runs without one are
	// not in it).
	Reports   map[int64]TestReport `json:"reports,omitempty"`
	Artifacts ArtifactStats        `json:"artifacts"`
}

// Options select what counts.
type Options struct {
	// Workflows are the names of the CI workflows whose runs give the
	// success rate and build time; empty: every workflow.
	Workflows []string
	// Since and Until bound the weeks reported (Until exclusive).
	Since, Until time.Time
	// DefaultBranch is the branch whose test reports count (default
	// "main"): a pull request's tests say nothing about the product's.
	DefaultBranch string
}

// MaxTopFlaky bounds the flaky tests listed per week and in the totals.
const MaxTopFlaky = 10

// FlakyTest is a test that was flaky in some runs.
type FlakyTest struct {
	Name string `json:"name"`
	Runs int    `json:"runs"` // runs in which it was flaky
}

// Week is one week's figures. Durations are in seconds; a figure with
// nothing to measure is null in JSON (NaN is not JSON).
type Week struct {
	Start time.Time `json:"start"`
	// CI
	Runs        int      `json:"runs"`        // completed CI runs that passed or failed
	Passed      int      `json:"passed"`      // of those, successful
	SuccessRate *float64 `json:"successRate"` // passed / runs
	BuildP50    *float64 `json:"buildP50"`    // run duration, seconds
	BuildP90    *float64 `json:"buildP90"`
	// DORA
	Deployments       int      `json:"deployments"`       // successful production deployments (rollbacks not counted)
	LeadTimeP50       *float64 `json:"leadTimeP50"`       // seconds from commit to production
	Changes           int      `json:"changes"`           // production deployments that finished (rollbacks not counted)
	FailedChanges     int      `json:"failedChanges"`     // of those, failed or rolled back
	ChangeFailureRate *float64 `json:"changeFailureRate"` // failedChanges / changes
	Restores          int      `json:"restores"`          // failures restored this week
	RestoreP50        *float64 `json:"restoreP50"`        // seconds from failure to restoration
	// Tests (from the default branch's test reports)
	Reports    int         `json:"reports"`    // CI runs whose test report was read
	Tests      *int        `json:"tests"`      // total tests in the week's last report
	Coverage   *float64    `json:"coverage"`   // coverage percent in the week's last report that has one
	FlakyTests int         `json:"flakyTests"` // distinct tests flaky in the week's reports
	TopFlaky   []FlakyTest `json:"topFlaky,omitempty"`
}

// Report is every week from Since to Until, oldest first, and totals.
type Report struct {
	Weeks  []Week `json:"weeks"`
	Totals Week   `json:"totals"`
}

// WeekStart is the Monday 00:00 UTC of t's week.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// Percentile is the nearest-rank percentile of xs (p in (0,100]); NaN
// for none.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	return s[rank-1]
}

func opt(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

type bucket struct {
	runs, passed             int
	build, lead, restore     []float64
	deploys, changes, failed int
	reports                  int
	lastTests, lastCover     *Run // the latest runs with a report, and with coverage
	tests                    int
	cover                    float64
	flaky                    map[string]int
}

// addReport counts run r's report.
func (b *bucket) addReport(r *Run, rep TestReport) {
	b.reports++
	if b.lastTests == nil || later(r, b.lastTests) {
		b.lastTests, b.tests = r, rep.Total
	}
	if rep.Coverage != nil && (b.lastCover == nil || later(r, b.lastCover)) {
		b.lastCover, b.cover = r, *rep.Coverage
	}
	if b.flaky == nil {
		b.flaky = map[string]int{}
	}
	seen := map[string]bool{}
	for _, n := range rep.FlakyNames {
		if !seen[n] {
			seen[n] = true
			b.flaky[n]++
		}
	}
}

func later(a, b *Run) bool {
	return a.Created.After(b.Created) || (a.Created.Equal(b.Created) && a.ID > b.ID)
}

// Compute works the figures out.
func Compute(h History, o Options) Report {
	ci := map[string]bool{}
	for _, w := range o.Workflows {
		ci[strings.ToLower(w)] = true
	}
	since, until := WeekStart(o.Since), o.Until
	weeks := map[time.Time]*bucket{}
	total := &bucket{}
	at := func(t time.Time) *bucket {
		if t.Before(since) || !t.Before(until) {
			return nil
		}
		k := WeekStart(t)
		if weeks[k] == nil {
			weeks[k] = &bucket{}
		}
		return weeks[k]
	}
	each := func(t time.Time, f func(b *bucket)) {
		if b := at(t); b != nil {
			f(b)
			f(total)
		}
	}

	branch := o.DefaultBranch
	if branch == "" {
		branch = "main"
	}
	for i := range h.Runs {
		r := &h.Runs[i]
		if len(ci) > 0 && !ci[strings.ToLower(r.Workflow)] {
			continue
		}
		if r.Status != "completed" {
			continue
		}
		// Cancelled, skipped and neutral runs say nothing about the code.
		switch r.Conclusion {
		case "success", "failure", "timed_out", "startup_failure":
		default:
			continue
		}
		each(r.Created, func(b *bucket) {
			b.runs++
			if r.Conclusion == "success" {
				b.passed++
			}
			if !r.Started.IsZero() && r.Updated.After(r.Started) {
				b.build = append(b.build, r.Updated.Sub(r.Started).Seconds())
			}
		})
		if rep, ok := h.Reports[r.ID]; ok && r.Branch == branch {
			each(r.Created, func(b *bucket) { b.addReport(r, rep) })
		}
	}

	ds := append([]Deployment(nil), h.Deployments...)
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Created.Before(ds[j].Created) })
	for i, d := range ds {
		state, when := d.final()
		if state == "" {
			continue
		}
		if state == "success" && !d.Rollback {
			each(when, func(b *bucket) {
				b.deploys++
				for _, c := range d.Commits {
					if when.After(c) {
						b.lead = append(b.lead, when.Sub(c).Seconds())
					}
				}
			})
		}
		if d.Rollback {
			continue
		}
		// A failed change: the deployment failed, or the next successful
		// production deployment was a rollback of it.
		failed, from := state != "success", when
		var restored time.Time
		for _, n := range ds[i+1:] {
			ns, nt := n.final()
			if ns != "success" {
				continue
			}
			if state == "success" && n.Rollback {
				failed = true
			}
			if failed {
				restored = nt
			}
			break
		}
		each(d.Created, func(b *bucket) {
			b.changes++
			if failed {
				b.failed++
			}
		})
		if failed && !restored.IsZero() {
			each(restored, func(b *bucket) { b.restore = append(b.restore, restored.Sub(from).Seconds()) })
		}
	}

	var rep Report
	for w := since; w.Before(until); w = w.AddDate(0, 0, 7) {
		b := weeks[w]
		if b == nil {
			b = &bucket{}
		}
		rep.Weeks = append(rep.Weeks, b.week(w))
	}
	rep.Totals = total.week(since)
	return rep
}

func (b *bucket) week(start time.Time) Week {
	w := Week{Start: start, Runs: b.runs, Passed: b.passed, Deployments: b.deploys, Changes: b.changes,
		FailedChanges: b.failed, Restores: len(b.restore)}
	if b.runs > 0 {
		w.SuccessRate = opt(float64(b.passed) / float64(b.runs))
	}
	w.BuildP50, w.BuildP90 = opt(Percentile(b.build, 50)), opt(Percentile(b.build, 90))
	w.LeadTimeP50 = opt(Percentile(b.lead, 50))
	if b.changes > 0 {
		w.ChangeFailureRate = opt(float64(b.failed) / float64(b.changes))
	}
	w.RestoreP50 = opt(Percentile(b.restore, 50))
	w.Reports, w.FlakyTests = b.reports, len(b.flaky)
	if b.lastTests != nil {
		n := b.tests
		w.Tests = &n
	}
	if b.lastCover != nil {
		w.Coverage = opt(b.cover)
	}
	for n, c := range b.flaky {
		w.TopFlaky = append(w.TopFlaky, FlakyTest{Name: n, Runs: c})
	}
	sort.Slice(w.TopFlaky, func(i, j int) bool {
		a, c := w.TopFlaky[i], w.TopFlaky[j]
		return a.Runs > c.Runs || (a.Runs == c.Runs && a.Name < c.Name)
	})
	if len(w.TopFlaky) > MaxTopFlaky {
		w.TopFlaky = w.TopFlaky[:MaxTopFlaky]
	}
	return w
}

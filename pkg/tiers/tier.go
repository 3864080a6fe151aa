package tiers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// Tier is one slice of the test suite and how its jobs run.
type Tier struct {
	Name          string   `json:"name"`
	Marker        string   `json:"marker"`          // pytest -m expression; empty runs every test
	Timeout       int      `json:"timeout"`         // job timeout in minutes
	NeedsDatabase bool     `json:"needs-database"`  // the job needs a PostgreSQL service
	Coverage      bool     `json:"coverage"`        // collect coverage (pytest-cov)
	Shards        int      `json:"shards"`          // requested shard count (at least 1)
	Paths         []string `json:"paths,omitempty"` // test file globs; empty: the plan's default paths
	Args          []string `json:"args,omitempty"`  // extra pytest arguments
	Workers       string   `json:"workers,omitempty"`
}

// MaxShards bounds one tier's shard count; the whole matrix is bounded by MaxMatrixJobs.
const MaxShards = 256

// Defaults are TimeTracker's five tiers, from its CI guide: smoke (fast,
// no database), unit (SQLite in memory, coverage), integration and
// database (PostgreSQL), security.
func Defaults() []Tier {
	return []Tier{
		{Name: "smoke", Marker: "smoke", Timeout: 5, Shards: 1},
		{Name: "unit", Marker: "unit", Timeout: 10, Coverage: true, Shards: 1},
		{Name: "integration", Marker: "integration", Timeout: 15, NeedsDatabase: true, Coverage: true, Shards: 1},
		{Name: "security", Marker: "security", Timeout: 10, Shards: 1},
		{Name: "database", Marker: "database", Timeout: 15, NeedsDatabase: true, Shards: 1},
	}
}

var tierName = lazyre.New(`^[a-z][a-z0-9_]*$`)

// Validate checks one tier and its marker expression.
func (t Tier) Validate() error {
	if !tierName.MatchString(t.Name) {
		return fmt.Errorf("tier name %q: use lower-case letters, digits and _ starting with a letter (it names jobs and result files)", t.Name)
	}
	if _, err := ParseMarker(t.Marker); err != nil {
		return fmt.Errorf("tier %s: %w", t.Name, err)
	}
	if t.Timeout < 1 || t.Timeout > 360 {
		return fmt.Errorf("tier %s: timeout %d minutes is outside 1..360 (GitHub's job limit is 6 hours)", t.Name, t.Timeout)
	}
	if t.Shards < 1 || t.Shards > MaxShards {
		return fmt.Errorf("tier %s: shards %d is outside 1..%d", t.Name, t.Shards, MaxShards)
	}
	for _, p := range t.Paths {
		if err := checkPattern(p); err != nil {
			return fmt.Errorf("tier %s: %w", t.Name, err)
		}
	}
	return nil
}

// yamlTier is the YAML form; timeout is minutes or a duration ("90s", "10m").
type yamlTier struct {
	Name          string    `yaml:"name"`
	Marker        *string   `yaml:"marker"`
	Timeout       yaml.Node `yaml:"timeout"`
	TimeoutMin    yaml.Node `yaml:"timeout-minutes"`
	NeedsDatabase *bool     `yaml:"needs-database"`
	Coverage      *bool     `yaml:"coverage"`
	Shards        *int      `yaml:"shards"`
	Paths         []string  `yaml:"paths"`
	Args          []string  `yaml:"args"`
	Workers       yaml.Node `yaml:"workers"`
}

// MaxDefinitionSize bounds a tiers document.
const MaxDefinitionSize = 1 << 20

// Parse reads tier definitions. Two shapes are accepted:
//
//	unit: {marker: "unit and not slow", timeout: 10, shards: 4, coverage: true}
//
// or a list with names:
//
//   - {name: unit, marker: unit, shards: 4}
//
// Unset fields take the built-in tier's value when the name is a built-in
// one, else: marker = the name, timeout 10 minutes, 1 shard. Unknown keys
// are errors (a typo must not silently change a pipeline).
func Parse(data []byte) ([]Tier, error) {
	if len(data) > MaxDefinitionSize {
		return nil, fmt.Errorf("tiers definition is over %d KiB", MaxDefinitionSize>>10)
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("tiers definition is empty: give a mapping of tier name to settings")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("tiers definition is not valid YAML: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("tiers definition is empty: give a mapping of tier name to settings")
	}
	root := doc.Content[0]
	var raw []yamlTier
	var lines []int
	switch root.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			var yt yamlTier
			if v.Kind != yaml.ScalarNode || v.Tag != "!!null" {
				if err := decodeStrict(v, &yt); err != nil {
					return nil, fmt.Errorf("tier %s (line %d): %w", k.Value, k.Line, err)
				}
			}
			if yt.Name != "" && yt.Name != k.Value {
				return nil, fmt.Errorf("tier %s (line %d): name %q differs from its key; drop the name field", k.Value, k.Line, yt.Name)
			}
			yt.Name = k.Value
			raw = append(raw, yt)
			lines = append(lines, k.Line)
		}
	case yaml.SequenceNode:
		for _, v := range root.Content {
			var yt yamlTier
			if err := decodeStrict(v, &yt); err != nil {
				return nil, fmt.Errorf("tier at line %d: %w", v.Line, err)
			}
			raw = append(raw, yt)
			lines = append(lines, v.Line)
		}
	default:
		return nil, fmt.Errorf("tiers definition (line %d): expected a mapping of tier name to settings or a list of tiers", root.Line)
	}
	if len(raw) == 0 {
		return nil, errors.New("tiers definition has no tiers")
	}
	builtin := map[string]Tier{}
	for _, t := range Defaults() {
		builtin[t.Name] = t
	}
	seen := map[string]bool{}
	out := make([]Tier, 0, len(raw))
	for i, yt := range raw {
		t, ok := builtin[yt.Name]
		if !ok {
			t = Tier{Name: yt.Name, Marker: yt.Name, Timeout: 10, Shards: 1}
		}
		if yt.Marker != nil {
			t.Marker = *yt.Marker
		}
		for _, n := range []*yaml.Node{&yt.Timeout, &yt.TimeoutMin} {
			if n.Kind == 0 {
				continue
			}
			m, err := minutes(n.Value)
			if err != nil {
				return nil, fmt.Errorf("tier %s (line %d): %w", yt.Name, n.Line, err)
			}
			t.Timeout = m
		}
		if yt.NeedsDatabase != nil {
			t.NeedsDatabase = *yt.NeedsDatabase
		}
		if yt.Coverage != nil {
			t.Coverage = *yt.Coverage
		}
		if yt.Shards != nil {
			t.Shards = *yt.Shards
		}
		if yt.Paths != nil {
			t.Paths = yt.Paths
		}
		if yt.Args != nil {
			t.Args = yt.Args
		}
		if yt.Workers.Kind != 0 {
			t.Workers = yt.Workers.Value
			if t.Workers != "auto" && t.Workers != "logical" {
				if n, err := strconv.Atoi(t.Workers); err != nil || n < 0 {
					return nil, fmt.Errorf("tier %s (line %d): workers %q: use auto, logical or a number of pytest-xdist workers", yt.Name, yt.Workers.Line, t.Workers)
				}
			}
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("tier %s (line %d) is defined twice", t.Name, lines[i])
		}
		seen[t.Name] = true
		if err := t.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", lines[i], err)
		}
		out = append(out, t)
	}
	return out, nil
}

func decodeStrict(n *yaml.Node, v *yamlTier) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("expected a mapping of settings (marker, timeout, needs-database, coverage, shards, paths, args, workers)")
	}
	allowed := map[string]bool{"name": true, "marker": true, "timeout": true, "timeout-minutes": true, "needs-database": true,
		"coverage": true, "shards": true, "paths": true, "args": true, "workers": true}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !allowed[k] {
			return fmt.Errorf("unknown setting %q at line %d; the settings are marker, timeout, needs-database, coverage, shards, paths, args, workers", k, n.Content[i].Line)
		}
	}
	return n.Decode(v)
}

// minutes reads a timeout: a whole number of minutes or a Go duration, rounded up.
func minutes(v string) (int, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q: use a number of minutes or a duration such as 90s or 15m", v)
	}
	return int((d + time.Minute - 1) / time.Minute), nil
}

// Load reads tier definitions from the tiers input: empty gives the
// defaults; a value that names an existing file (relative to root) is read
// from it; anything else is YAML inline.
func Load(ctx context.Context, root, value string) ([]Tier, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return Defaults(), nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !strings.ContainsAny(value, "\n:{[") {
		// Through a jail at root: inside after symlinks, a regular file, capped.
		w, done, err := jailAt(nil, root)
		if err != nil {
			return nil, fmt.Errorf("tiers file %s: %w", value, err)
		}
		defer done()
		data, err := w.ReadFile("tiers", value, workspace.KindConfig)
		if err != nil {
			return nil, fmt.Errorf("tiers file %s: %w (give a path to a YAML file, relative to the workspace, or the YAML itself)", value, err)
		}
		ts, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", value, err)
		}
		return ts, nil
	}
	return Parse([]byte(value))
}

// Select returns the tiers named (all when names is empty), in definition order.
func Select(all []Tier, names []string) ([]Tier, error) {
	if len(names) == 0 {
		return all, nil
	}
	byName := map[string]Tier{}
	var known []string
	for _, t := range all {
		byName[t.Name] = t
		known = append(known, t.Name)
	}
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			return nil, fmt.Errorf("tier %q is not defined; the tiers are %s", n, strings.Join(known, ", "))
		}
		want[n] = true
	}
	var out []Tier
	for _, t := range all {
		if want[t.Name] {
			out = append(out, t)
		}
	}
	return out, nil
}

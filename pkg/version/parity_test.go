package version

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The parity suite: docker/metadata-action's own meta test cases, restated
// as facts (event, inputs, expected tags, labels, annotations, JSON and bake
// definitions) in testdata/metadata-action/cases.json. Every case runs
// through Resolve; a case where ours differs on purpose is listed in
// differences.json with the reason (a row of the compatibility table in
// docs/versions-and-tags.md) and exactly what ours gives, so the difference
// is tested too. Any other difference fails.

var updateParity = flag.Bool("update-parity", false, "rewrite what ours gives for the documented differences in testdata/metadata-action/differences.json")

type parityFacts struct {
	Clock      time.Time `json:"clock"`
	Repository struct {
		Name, Description, License string
		HTMLURL                    string `json:"html_url"`
		DefaultBranch              string `json:"default_branch"`
	} `json:"repository"`
	RawStatement []struct {
		Pattern string `json:"pattern"`
		Raw     bool   `json:"raw"`
	} `json:"raw_statement"`
	Cases []parityCase `json:"cases"`
}

type parityCase struct {
	Name  string `json:"name"`
	Event struct {
		Name, Ref, SHA       string
		PayloadDefaultBranch string `json:"payload_default_branch"`
		PullRequest          int    `json:"pull_request"`
		PRHeadSHA            string `json:"pr_head_sha"`
		PRBaseRef            string `json:"pr_base_ref"`
		PushBaseRef          string `json:"push_base_ref"`
		ReleasePrerelease    bool   `json:"release_prerelease"`
	} `json:"event"`
	Env    map[string]string          `json:"env"`
	Inputs map[string]json.RawMessage `json:"inputs"`
	Want   map[string]json.RawMessage `json:"want"`
}

// parityDifference is one documented difference: why (a key of the
// compatibility table) and what ours gives instead.
type parityDifference struct {
	Why  string                     `json:"why"`
	Ours map[string]json.RawMessage `json:"ours"`
}

// differenceReasons are the rows of the compatibility table in
// docs/versions-and-tags.md that a case may be listed under.
var differenceReasons = map[string]bool{
	// latest, X.Y and X never move back to a release lower than the
	// highest one (under latest=auto).
	"highest-release": true,
}

// parityFloor is the share of metadata-action's cases that must give
// exactly what metadata-action gives (issue 13: at least 97%).
const parityFloor = 0.97

func loadParity(t *testing.T) (*parityFacts, map[string]parityDifference) {
	t.Helper()
	var facts parityFacts
	data, err := os.ReadFile(filepath.Join("testdata", "metadata-action", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &facts); err != nil {
		t.Fatal(err)
	}
	diffs := map[string]parityDifference{}
	data, err = os.ReadFile(filepath.Join("testdata", "metadata-action", "differences.json"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err == nil {
		if err := json.Unmarshal(data, &diffs); err != nil {
			t.Fatal(err)
		}
	}
	return &facts, diffs
}

func (pc parityCase) strings(key string) []string {
	var out []string
	if raw, ok := pc.Inputs[key]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return []string{s}
		}
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// runParity resolves one case and renders what metadata-action's test
// compares, in the same shapes.
func runParity(facts *parityFacts, pc parityCase) map[string]any {
	ev := Event{
		Name: pc.Event.Name, Ref: pc.Event.Ref, SHA: pc.Event.SHA, DefaultBranch: facts.Repository.DefaultBranch,
		PullRequest: pc.Event.PullRequest, PRHeadSHA: pc.Event.PRHeadSHA, MarkedPrerelease: pc.Event.ReleasePrerelease,
		Title: facts.Repository.Name, Description: facts.Repository.Description, URL: facts.Repository.HTMLURL,
		License: facts.Repository.License,
	}
	ev.BaseRef = pc.Event.PRBaseRef
	if pc.Event.PushBaseRef != "" {
		ev.BaseRef = strings.TrimPrefix(pc.Event.PushBaseRef, "refs/heads/")
	}
	fail := func(err error) map[string]any { return map[string]any{"error": err.Error()} }
	o := Options{Now: facts.Clock, TagPrefix: "v"}
	var err error
	if tags := pc.strings("tags"); len(tags) > 0 {
		if o.Rules, err = ParseRules(tags); err != nil {
			return fail(err)
		}
	}
	if o.Flavor, err = ParseFlavor(pc.strings("flavor")); err != nil {
		return fail(err)
	}
	if o.Images, o.ImagesGiven, err = ParseImages(pc.strings("images")); err != nil {
		return fail(err)
	}
	o.ImagesGiven = true // metadata-action never adds an image of its own
	o.Labels, o.Annotations = pc.strings("labels"), pc.strings("annotations")
	if err := o.ApplyMetadataEnv(func(k string) string { return pc.Env[k] }); err != nil {
		return fail(err)
	}
	// The commit built is the whole history, with the pushed tag on it.
	h := newFake(0)
	h.at = facts.Clock
	if t, ok := strings.CutPrefix(ev.Ref, "refs/tags/"); ok && ev.SHA != "" {
		h.tags = []Tag{{Name: t, Commit: ev.SHA}}
	}
	res, err := Resolve(context.Background(), ev, h, o)
	if err != nil {
		return fail(err)
	}
	out := map[string]any{}
	var main any
	partial := []string{}
	names := res.TagNames
	if res.Latest && len(names) > 0 {
		names = names[:len(names)-1]
	}
	if len(names) > 0 {
		main = names[0]
		partial = append(partial, names[1:]...)
	}
	labels := labelLines(res.Labels)
	annotations := labelLines(res.AnnotationValues)
	out["main"], out["partial"], out["latest"] = main, partial, res.Latest
	out["tags"], out["labels"], out["annotations"] = nonNilStrings(res.Refs), labels, annotations
	target := "docker-metadata-action"
	if t := pc.strings("bake-target"); len(t) > 0 {
		target = t[0]
	}
	for key := range pc.Want {
		switch key {
		case "json":
			out[key] = res.MetadataJSON()
		case "bake_tags":
			out[key] = res.Bake(target, "tags")
		case "bake_labels":
			out[key] = res.Bake(target, "labels")
		case "bake_annotations":
			out[key] = res.Bake(target, "annotations:index,manifest-descriptor")
		case "bake":
			out[key] = res.Bake(target, "")
		case "tags_output":
			out[key] = strings.Join(res.Refs, pc.strings("sep-tags")[0])
		}
	}
	return out
}

func labelLines(ls []Label) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Key+"="+l.Value)
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// same compares a want (JSON) with a value of ours, through JSON.
func same(want json.RawMessage, got any) bool {
	var w, g any
	gj, err := json.Marshal(got)
	if err != nil || json.Unmarshal(want, &w) != nil || json.Unmarshal(gj, &g) != nil {
		return false
	}
	return reflect.DeepEqual(w, g)
}

func TestMetadataActionParity(t *testing.T) {
	facts, diffs := loadParity(t)
	identical, documented := 0, 0
	seen := map[string]bool{}
	for _, pc := range facts.Cases {
		if seen[pc.Name] {
			t.Fatalf("case %s twice", pc.Name)
		}
		seen[pc.Name] = true
		got := runParity(facts, pc)
		var differs []string
		for key, want := range pc.Want {
			if !same(want, got[key]) {
				differs = append(differs, key)
			}
		}
		sort.Strings(differs)
		d, isDoc := diffs[pc.Name]
		switch {
		case len(differs) == 0 && !isDoc:
			identical++
		case len(differs) == 0 && isDoc:
			t.Errorf("%s: listed as a difference (%s) but ours now gives what metadata-action gives: remove it from differences.json", pc.Name, d.Why)
		case !isDoc:
			var b strings.Builder
			for _, key := range differs {
				gj, _ := json.Marshal(got[key])
				var w bytes.Buffer
				_ = json.Compact(&w, pc.Want[key])
				fmt.Fprintf(&b, "\n  %s: metadata-action %s\n  %s  ours            %s", key, w.String(), strings.Repeat(" ", len(key)), gj)
			}
			if e, ok := got["error"]; ok {
				fmt.Fprintf(&b, "\n  error: %v", e)
			}
			t.Errorf("%s differs from metadata-action (inputs %s):%s", pc.Name, mustJSON(pc.Inputs), b.String())
		default:
			if !differenceReasons[d.Why] {
				t.Errorf("%s: difference %q is not a row of the compatibility table", pc.Name, d.Why)
			}
			if *updateParity {
				d.Ours = map[string]json.RawMessage{}
				for _, key := range differs {
					d.Ours[key] = json.RawMessage(mustJSON(got[key]))
				}
				diffs[pc.Name] = d
			}
			var keys []string
			for key := range d.Ours {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			if !reflect.DeepEqual(keys, differs) {
				t.Errorf("%s: differs in %v, the documented difference covers %v", pc.Name, differs, keys)
			}
			for _, key := range keys {
				if !same(d.Ours[key], got[key]) {
					t.Errorf("%s (%s): %s is %s, the documented difference says %s", pc.Name, d.Why, key, mustJSON(got[key]), d.Ours[key])
				}
			}
			documented++
		}
	}
	for name := range diffs {
		if !seen[name] {
			t.Errorf("differences.json lists %s, which is no case", name)
		}
	}
	if *updateParity {
		data, _ := json.MarshalIndent(diffs, "", " ")
		if err := os.WriteFile(filepath.Join("testdata", "metadata-action", "differences.json"), append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	total := len(facts.Cases)
	t.Logf("metadata-action parity: %d identical, %d documented differences, %d cases (%.1f%% identical)",
		identical, documented, total, 100*float64(identical)/float64(total))
	if total == 0 || float64(identical) < parityFloor*float64(total) {
		t.Errorf("metadata-action parity %d/%d (%.1f%%) is below the %.0f%% floor: at most %d of %d cases may differ",
			identical, total, 100*float64(identical)/float64(max(total, 1)), 100*parityFloor, total-int(math.Ceil(parityFloor*float64(total))), total)
	}
}

func mustJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func TestMetadataActionRawStatement(t *testing.T) {
	facts, _ := loadParity(t)
	for _, c := range facts.RawStatement {
		if got := isRawStatement(c.Pattern); got != c.Raw {
			t.Errorf("isRawStatement(%q) = %v, metadata-action says %v", c.Pattern, got, c.Raw)
		}
	}
}

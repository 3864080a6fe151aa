package versionaction

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/action"
	"github.com/org/timetracker-ci/pkg/version"
)

// jsonOutput is the json output: every other output, typed.
type jsonOutput struct {
	Version     string            `json:"version"`
	Tag         string            `json:"tag"`
	TagExists   bool              `json:"tag-exists"`
	PreviousTag string            `json:"previous-tag"`
	Major       uint64            `json:"major"`
	Minor       uint64            `json:"minor"`
	Patch       uint64            `json:"patch"`
	Prerelease  bool              `json:"prerelease"`
	Kind        string            `json:"kind"`
	Latest      bool              `json:"latest"`
	Stable      bool              `json:"stable"`
	Tags        []string          `json:"tags"`
	TagNames    []string          `json:"tag-names"`
	Labels      map[string]string `json:"labels"`
	Annotations []string          `json:"annotations"`
	CommitDate  string            `json:"commit-date"`
}

func setOutputs(rt *action.Runtime, res *version.Result) error {
	labels := make([]string, len(res.Labels))
	labelMap := map[string]string{}
	for i, l := range res.Labels {
		labels[i] = l.Key + "=" + l.Value
		labelMap[l.Key] = l.Value
	}
	sep := func(s string) string {
		if s == "" {
			return "\n"
		}
		return s
	}
	sepTags, sepLabels, sepAnnotations := sep(rt.RawInput("sep-tags")), sep(rt.RawInput("sep-labels")), sep(rt.RawInput("sep-annotations"))
	toEnv, err := version.SetOutputEnv(rt.Getenv)
	if err != nil {
		var ie *version.InputError
		if errors.As(err, &ie) {
			return action.InputErrorf(ie.Input, "%v", ie.Err)
		}
		return err
	}
	date := res.CommitDate.UTC().Format("2006-01-02T15:04:05Z")
	out := []struct{ name, value string }{
		{"version", res.Version},
		{"tag", res.Tag},
		{"tag-exists", strconv.FormatBool(res.TagExists)},
		{"previous-tag", res.PreviousTag},
		{"major", strconv.FormatUint(res.Major, 10)},
		{"minor", strconv.FormatUint(res.Minor, 10)},
		{"patch", strconv.FormatUint(res.Patch, 10)},
		{"prerelease", strconv.FormatBool(res.Prerelease)},
		{"kind", string(res.Kind)},
		{"latest", strconv.FormatBool(res.Latest)},
		{"stable", strconv.FormatBool(res.Stable)},
		{"tags", strings.Join(res.Refs, sepTags)},
		{"tag-names", strings.Join(res.TagNames, sepTags)},
		{"labels", strings.Join(labels, sepLabels)},
		{"annotations", strings.Join(res.Annotations, sepAnnotations)},
		{"commit-date", date},
	}
	// The bake definitions docker/metadata-action writes, for docker
	// buildx bake's --file, in RUNNER_TEMP. Without it (a local run) they
	// are not written, so a run leaves no files behind. They are a
	// convenience: when they cannot be written (a container without that
	// directory's parent, a read-only mount) the outputs stay empty and a
	// warning says why, rather than failing the build.
	target := rt.Input("bake-target")
	dir := rt.Getenv("RUNNER_TEMP")
	if dir == "" {
		rt.Debugf("RUNNER_TEMP is not set: no bake definition files")
	}
	paths, err := writeBakeFiles(res, dir, target)
	if err != nil {
		rt.Annotate(action.Annotation{Level: action.LevelWarning, Title: "Version",
			Message: fmt.Sprintf("%v: the bake-file outputs are empty; use the json output instead", err)})
		paths = map[string]string{}
	}
	for _, b := range version.BakeKinds {
		out = append(out, struct{ name, value string }{b.Output, paths[b.Output]})
	}
	data, err := json.Marshal(jsonOutput{
		Version: res.Version, Tag: res.Tag, TagExists: res.TagExists, PreviousTag: res.PreviousTag,
		Major: res.Major, Minor: res.Minor, Patch: res.Patch, Prerelease: res.Prerelease, Kind: string(res.Kind),
		Latest: res.Latest, Stable: res.Stable, Tags: nonNil(res.Refs), TagNames: nonNil(res.TagNames),
		Labels: labelMap, Annotations: nonNil(res.Annotations), CommitDate: date,
	})
	if err != nil {
		return fmt.Errorf("encode output json: %w", err)
	}
	out = append(out, struct{ name, value string }{"json", string(data)})
	for _, o := range out {
		if err := rt.SetOutput(o.name, o.value); err != nil {
			return err
		}
		if toEnv {
			// DOCKER_METADATA_OUTPUT_<NAME>, as metadata-action exports them
			// unless DOCKER_METADATA_SET_OUTPUT_ENV is false.
			rt.SetEnv("DOCKER_METADATA_OUTPUT_"+outputEnvName.ReplaceAllString(strings.ToUpper(o.name), "_"), o.value)
		}
	}
	return nil
}

// writeBakeFiles writes the bake definitions into dir (none when dir is
// empty) and returns their paths by output name.
func writeBakeFiles(res *version.Result, dir, target string) (map[string]string, error) {
	paths := map[string]string{}
	if dir == "" {
		return paths, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make RUNNER_TEMP for the bake definitions: %w", err)
	}
	for _, b := range version.BakeKinds {
		data, err := json.MarshalIndent(res.Bake(target, b.Kind), "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode the %s definition: %w", b.Output, err)
		}
		path := filepath.Join(dir, "docker-metadata-action-"+b.Output+".json")
		// A fresh file rather than the last run's truncated: ext4 flushes a
		// file truncated and rewritten when it is closed (about 1 ms for
		// the four), and a symbolic link left in RUNNER_TEMP is replaced,
		// not followed. Should removing fail, writing reports it.
		_ = os.Remove(path)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, fmt.Errorf("write the %s definition: %w", b.Output, err)
		}
		paths[b.Output] = path
	}
	return paths, nil
}

var outputEnvName = lazyre.New(`\W`)

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// summary renders the decision; the reduced and minimal forms drop the
// labels and then the image references.
func summary(res *version.Result, d action.Detail) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Version %s (%s)\n\n%s.\n\n", res.Version, res.Kind, res.Reason)
	b.WriteString("| | |\n|---|---|\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, v)
		}
	}
	switch {
	case res.Tag != "" && res.TagExists:
		row("Git tag", code(res.Tag)+" (exists)")
	case res.Tag != "":
		row("Git tag", code(res.Tag)+" (to create)")
	}
	row("Previous tag", code(res.PreviousTag))
	row("Commit", code(shortSHA(res.SHA))+" at "+res.CommitDate.UTC().Format("2006-01-02 15:04:05Z"))
	row("Image tags", code(strings.Join(res.TagNames, "`, `")))
	row("latest / stable", fmt.Sprintf("%t / %t", res.Latest, res.Stable))
	if d == action.DetailMinimal {
		return b.String()
	}
	if len(res.Refs) > 0 {
		b.WriteString("\n**Image references**\n\n```\n" + strings.Join(res.Refs, "\n") + "\n```\n")
	}
	if d == action.DetailReduced {
		return b.String()
	}
	if len(res.Labels) > 0 {
		b.WriteString("\n**Labels**\n\n```\n")
		for _, l := range res.Labels {
			b.WriteString(l.Key + "=" + l.Value + "\n")
		}
		b.WriteString("```\n")
	}
	for _, n := range res.Notices {
		b.WriteString("\n> " + n + "\n")
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

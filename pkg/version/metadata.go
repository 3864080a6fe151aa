package version

import (
	"fmt"
	"github.com/org/timetracker-ci/internal/lazyre"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What docker/metadata-action adds beyond tag rules: user labels and
// annotations, annotation levels, the DOCKER_METADATA_* settings, its JSON
// and bake definitions. Kept here so the glue only translates.

// Environment settings docker/metadata-action reads, which change results.
const (
	EnvShortSHALength   = "DOCKER_METADATA_SHORT_SHA_LENGTH"
	EnvPRHeadSHA        = "DOCKER_METADATA_PR_HEAD_SHA"
	EnvAnnotationLevels = "DOCKER_METADATA_ANNOTATIONS_LEVELS"
	EnvSetOutputEnv     = "DOCKER_METADATA_SET_OUTPUT_ENV"
)

var annotationLevel = lazyre.New(`^(manifest|index|manifest-descriptor|index-descriptor)(\[[a-z0-9/._-]+\])?$`)

// ApplyMetadataEnv reads the DOCKER_METADATA_* settings through getenv (the
// short SHA length, the pull request head SHA, the annotation levels); a
// bad value is an InputError naming the variable.
func (o *Options) ApplyMetadataEnv(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv(EnvShortSHALength)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return &InputError{Input: EnvShortSHALength, Err: fmt.Errorf("%q is not a length between 1 and 64", v)}
		}
		o.ShortSHALength = n
	}
	if v := strings.TrimSpace(getenv(EnvPRHeadSHA)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return &InputError{Input: EnvPRHeadSHA, Err: fmt.Errorf("%q is neither true nor false", v)}
		}
		o.PRHeadSHA = b
	}
	if v := strings.TrimSpace(getenv(EnvAnnotationLevels)); v != "" {
		o.AnnotationLevels = nil
		for _, l := range strings.Split(v, ",") {
			l = strings.TrimSpace(l)
			if !annotationLevel.MatchString(l) {
				return &InputError{Input: EnvAnnotationLevels, Err: fmt.Errorf("%q is not an annotation level: use manifest, index, manifest-descriptor or index-descriptor (optionally with [platform])", l)}
			}
			o.AnnotationLevels = append(o.AnnotationLevels, l)
		}
	}
	return nil
}

// SetOutputEnv reads DOCKER_METADATA_SET_OUTPUT_ENV: whether every output is
// also exported as DOCKER_METADATA_OUTPUT_<NAME> (true unless set false,
// as in metadata-action).
func SetOutputEnv(getenv func(string) string) (bool, error) {
	v := strings.TrimSpace(getenv(EnvSetOutputEnv))
	if v == "" {
		return true, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &InputError{Input: EnvSetOutputEnv, Err: fmt.Errorf("%q is neither true nor false", v)}
	}
	return b, nil
}

// ociLabels merges ours (empty values kept, as metadata-action keeps them)
// with the user's lines (key=value, expressions expanded; a line without =
// is dropped, a later key wins), sorted by key.
func (r *resolver) ociLabels(base map[string]string, user []string, input string) ([]Label, error) {
	merged := make(map[string]string, len(base)+len(user))
	for k, v := range base {
		merged[k] = v
	}
	ctx := r.exprContext()
	for _, line := range user {
		out, err := render(line, ctx)
		if err != nil {
			return nil, &InputError{Input: input, Err: fmt.Errorf("line %q: %w", line, err)}
		}
		k, v, ok := strings.Cut(out, "=")
		if !ok {
			continue
		}
		merged[k] = v
	}
	labels := make([]Label, 0, len(merged))
	for k, v := range merged {
		labels = append(labels, Label{Key: k, Value: v})
	}
	sort.Slice(labels, func(i, j int) bool {
		a, b := strings.ToLower(labels[i].Key), strings.ToLower(labels[j].Key)
		if a != b {
			return a < b
		}
		return labels[i].Key < labels[j].Key
	})
	return labels, nil
}

// createdFormat is RFC 3339 with milliseconds, as metadata-action writes it.
const createdFormat = "2006-01-02T15:04:05.000Z07:00"

func formatCreated(t time.Time) string { return t.UTC().Format(createdFormat) }

// MetadataJSON is docker/metadata-action's json output: tags, tag names,
// labels as an object, annotations with their levels.
func (res *Result) MetadataJSON() map[string]any {
	return map[string]any{
		"tags":        nonNil(res.Refs),
		"tag-names":   nonNil(res.TagNames),
		"labels":      labelMap(res.Labels),
		"annotations": nonNil(res.Annotations),
	}
}

// BakeKinds are the bake definitions metadata-action writes, by output:
// bake-file-tags, bake-file-labels, bake-file-annotations and bake-file.
var BakeKinds = []struct{ Output, Kind string }{
	{"bake-file-tags", "tags"}, {"bake-file-labels", "labels"},
	{"bake-file-annotations", "annotations"}, {"bake-file", ""},
}

// Bake is a docker buildx bake definition for target: kind tags (the image
// references and the DOCKER_META_IMAGES and DOCKER_META_VERSION arguments),
// labels, annotations (annotations:<level>,<level> for other levels than
// the result's), or "" for tags, labels and arguments together.
func (res *Result) Bake(target, kind string) map[string]any {
	args := map[string]string{"DOCKER_META_IMAGES": strings.Join(res.Images, ",")}
	if res.ImageVersion != "" {
		args["DOCKER_META_VERSION"] = res.ImageVersion
	}
	def := map[string]any{}
	switch {
	case kind == "tags":
		def["tags"], def["args"] = nonNil(res.Refs), args
	case kind == "labels":
		def["labels"] = labelMap(res.Labels)
	case kind == "annotations":
		def["annotations"] = nonNil(res.Annotations)
	case strings.HasPrefix(kind, "annotations:"):
		var out []string
		for _, level := range strings.Split(strings.TrimPrefix(kind, "annotations:"), ",") {
			for _, a := range res.AnnotationValues {
				out = append(out, level+":"+a.Key+"="+a.Value)
			}
		}
		def["annotations"] = nonNil(out)
	default:
		def["tags"], def["labels"], def["args"] = nonNil(res.Refs), labelMap(res.Labels), args
	}
	return map[string]any{"target": map[string]any{target: def}}
}

func labelMap(ls []Label) map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Key] = l.Value
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isRawStatement: the pattern is {{raw}} alone (spaces allowed), which
// keeps a pre-release's tag as written.
func isRawStatement(pattern string) bool {
	p, err := parseTemplate(pattern)
	if err != nil || len(p) != 1 {
		return false
	}
	e, ok := p[0].(expr)
	return ok && e.name == "raw"
}

// metadataDefaultBranch is {{is_default_branch}} as metadata-action decides
// it: the ref names the repository's default branch, or the event is one
// GitHub only runs on the default branch's last commit (create, discussion,
// issues, schedule), whatever the ref.
func metadataDefaultBranch(event, ref, defaultBranch string) bool {
	if ref == "" {
		return false
	}
	if b := strings.TrimPrefix(ref, "refs/heads/"); b == defaultBranch && defaultBranch != "" {
		return true
	}
	for _, name := range []string{"create", "discussion", "issues", "schedule"} {
		if strings.Contains(event, name) {
			return true
		}
	}
	return false
}

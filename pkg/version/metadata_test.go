package version

import (
	"errors"
	"testing"
)

func TestMetadataDefaultBranch(t *testing.T) {
	for _, tc := range []struct {
		event, ref string
		want       bool
	}{
		{"push", "refs/heads/master", true},
		{"push", "refs/heads/dev", false},
		{"push", "refs/tags/v1.0.0", false},
		{"pull_request", "refs/pull/15/merge", false},
		{"schedule", "refs/heads/dev", true}, // GitHub runs these on the default branch
		{"create", "refs/tags/v1.0.0", true},
		{"issues", "refs/heads/master", true},
		{"discussion", "refs/heads/x", true},
		{"push", "", false},
	} {
		if got := metadataDefaultBranch(tc.event, tc.ref, "master"); got != tc.want {
			t.Errorf("metadataDefaultBranch(%s, %s) = %v, want %v", tc.event, tc.ref, got, tc.want)
		}
	}
}

func TestApplyMetadataEnv(t *testing.T) {
	env := map[string]string{EnvShortSHALength: "12", EnvPRHeadSHA: "true", EnvAnnotationLevels: "manifest, index-descriptor,manifest[linux/amd64]"}
	var o Options
	if err := o.ApplyMetadataEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if o.ShortSHALength != 12 || !o.PRHeadSHA || len(o.AnnotationLevels) != 3 || o.AnnotationLevels[2] != "manifest[linux/amd64]" {
		t.Errorf("options %+v", o)
	}
	for k, v := range map[string]string{EnvShortSHALength: "0", EnvPRHeadSHA: "yes", EnvAnnotationLevels: "layer"} {
		var o Options
		err := o.ApplyMetadataEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Input != k {
			t.Errorf("%s=%s: %v, want an input error naming it", k, v, err)
		}
	}
	for v, want := range map[string]bool{"": true, "false": false, "true": true} {
		got, err := SetOutputEnv(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("SetOutputEnv(%q) = %v, %v", v, got, err)
		}
	}
}

// A short SHA length and the pull request head SHA reach every place a SHA
// shows.
func TestShortSHALengthAndPRHeadSHA(t *testing.T) {
	f := newFake(3)
	rules, err := ParseRules([]string{"type=sha", "type=raw,value=x-{{sha}}"})
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{Name: "pull_request", Ref: "refs/pull/4/merge", PRHeadSHA: "head" + c(0)[4:]}
	f.parents[ev.PRHeadSHA] = []string{c(1)}
	res, err := resolveFake(t, f, ev, Options{Rules: rules, ShortSHALength: 9, PRHeadSHA: true})
	if err != nil {
		t.Fatal(err)
	}
	want := ev.PRHeadSHA[:9]
	if len(res.TagNames) != 2 || res.TagNames[0] != "x-"+want || res.TagNames[1] != "sha-"+want || res.SHA != ev.PRHeadSHA {
		t.Errorf("tags %v, SHA %s; want x-%s, sha-%s from the head commit", res.TagNames, res.SHA, want, want)
	}
}

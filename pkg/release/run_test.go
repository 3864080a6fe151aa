package release

import "testing"

func TestPreviousTagIsTheResolvers(t *testing.T) {
	tags := []string{"v1.0.0", "v1.2.0", "v1.3.0-rc.1", "v1.3.0-rc.2", "nightly"}
	for tag, want := range map[string]string{"v1.3.0": "v1.2.0", "v1.3.0-rc.2": "v1.3.0-rc.1", "v1.0.0": ""} {
		if got := previousTag(tag, tags); got != want {
			t.Errorf("previousTag(%s) = %q, want %q", tag, got, want)
		}
	}
}

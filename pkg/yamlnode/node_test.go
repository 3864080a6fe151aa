package yamlnode

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestLookupAndEachPair(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("on: push\njobs:\n  b: {}\n  a: {}\nlist: [1, 2]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	if v := Lookup(root, "on"); v == nil || v.Value != "push" {
		t.Errorf("Lookup(on) = %v", v)
	}
	for _, key := range []string{"missing", "push"} {
		if v := Lookup(root, key); v != nil {
			t.Errorf("Lookup(%q) = %v, want nil", key, v)
		}
	}
	if Lookup(nil, "on") != nil || Lookup(Lookup(root, "list"), "1") != nil {
		t.Error("Lookup on nil or a sequence found something")
	}
	var keys []string
	EachPair(Lookup(root, "jobs"), func(k, _ *yaml.Node) { keys = append(keys, k.Value) })
	if got := strings.Join(keys, ","); got != "b,a" {
		t.Errorf("EachPair keys = %q, want b,a (document order)", got)
	}
	EachPair(Lookup(root, "list"), func(k, _ *yaml.Node) { t.Errorf("EachPair on a sequence called fn with %q", k.Value) })
	EachPair(nil, func(k, _ *yaml.Node) { t.Error("EachPair(nil) called fn") })
}

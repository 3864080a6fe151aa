package action

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestActionsFindAndInvoke(t *testing.T) {
	meta := []byte("name: echo\ndescription: d\ninputs:\n  text:\n    description: d\n    default: hi\noutputs:\n  text:\n    description: d\nruns:\n  using: docker\n  image: x\n")
	echo := &Action{Name: "echo", Metadata: meta, Run: func(_ context.Context, rt *Runtime) error {
		return rt.SetOutput("text", rt.Input("text"))
	}}
	acts := Actions{echo, {Name: "other"}}
	if a, err := acts.Find("echo"); err != nil || a != echo {
		t.Fatalf("Find(echo) = %v, %v", a, err)
	}
	if _, err := acts.Find("nope"); err == nil || !strings.Contains(err.Error(), `no action "nope" in this binary (it has echo, other)`) {
		t.Errorf("Find(nope) = %v", err)
	}
	env := Env{Getenv: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	out, err := acts.Invoke(context.Background(), "echo", env, map[string]string{"text": "hello"})
	if err != nil || out["text"] != "hello" {
		t.Errorf("Invoke(echo) = %v, %v", out, err)
	}
	if _, err := acts.Invoke(context.Background(), "nope", env, nil); err == nil {
		t.Error("Invoke(nope) ran")
	}
}

package pipeline

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// The progress goroutine and the step after it write to one writer: under
// -race this fails if progress returns before its goroutine has stopped.
func TestProgressStopsBeforeReturning(t *testing.T) {
	for i := 0; i < 50; i++ {
		var buf bytes.Buffer
		err := progressEvery(&buf, time.Microsecond, "step", func() error {
			time.Sleep(200 * time.Microsecond)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("next step\n") // what the caller does right after
		if out := buf.String(); !strings.HasSuffix(out, "next step\n") {
			t.Fatalf("a progress line came after progress returned: ...%q", out[max(0, len(out)-60):])
		}
	}
	want := errors.New("boom")
	if err := progressEvery(io.Discard, time.Hour, "step", func() error { return want }); err != want {
		t.Errorf("err = %v, want fn's error", err)
	}
}

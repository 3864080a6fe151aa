package inputerror

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestError(t *testing.T) {
	err := Errorf("files", "cannot read %s: %w", "a.xml", fs.ErrNotExist)
	if err.Error() != `input "files": cannot read a.xml: file does not exist` {
		t.Errorf("Error() = %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the cause is not wrapped")
	}
	var e *Error
	if !errors.As(fmt.Errorf("report: %w", err), &e) || e.Input != "files" {
		t.Errorf("errors.As through a wrapper = %+v", e)
	}
	if got := (&Error{Err: errors.New("bad flag")}).Error(); got != "bad flag" {
		t.Errorf("without an input: %q", got)
	}
}

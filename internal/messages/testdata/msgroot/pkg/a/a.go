package a

import (
	"errors"
	"fmt"
)

var errSentinel = errors.New("the cache is corrupt: delete .cache and run again")

func f(name string, err error) error {
	if name == "" {
		return fmt.Errorf("input %q is empty: set it in with:", name)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	format := "dynamic %s"
	_ = fmt.Errorf(format, name)
	return fmt.Errorf("100%% of "+"%d shards failed: see the summary", 3)
}

type scanner struct{ pos int }

func (s *scanner) errorf(pos int, format string, args ...any) error {
	return fmt.Errorf("line %d: "+format, append([]any{pos}, args...)...)
}

func (s *scanner) next() error {
	if s.pos < 0 {
		return s.errorf(s.pos, "unexpected end of file: the report was cut short")
	}
	return s.errorf(s.pos, "wrapping: %w", errSentinel)
}

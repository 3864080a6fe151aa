package coverage

import (
	"context"
	"io"
	"strings"
	"testing"
)

// nested streams <coverage><x><x>... n deep without holding it in memory.
func nested(n int) io.Reader {
	return io.MultiReader(strings.NewReader("<coverage>"), strings.NewReader(strings.Repeat("<x>", n)))
}

// Finding 8: Cobertura had no nesting limit (5x10^6 nested elements took
// 974 MB); a report deeper than any coverage tool writes is refused early.
func TestCoberturaNestingLimit(t *testing.T) {
	_, err := ParseCobertura(context.Background(), nested(100_000))
	if err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("100000-deep report: %v, want a nesting refusal", err)
	}
	doc := "<coverage>" + strings.Repeat("<x>", maxNesting-1) + strings.Repeat("</x>", maxNesting-1) + "</coverage>"
	if _, err := ParseCobertura(context.Background(), strings.NewReader(doc)); err != nil {
		t.Fatalf("%d-deep report refused: %v", maxNesting, err)
	}
}

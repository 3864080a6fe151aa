package tiers

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"tests/**/test_*.py", "tests/test_a.py", true},
		{"tests/**/test_*.py", "tests/api/v1/test_a.py", true},
		{"tests/**/test_*.py", "tests/api/helpers.py", false},
		{"tests/*.py", "tests/api/test_a.py", false},
		{"**/*.xml", "a/b/c.xml", true},
		{"**", "anything/at/all", true},
		{"./tests/test_?.py", "tests/test_a.py", true},
		{"test-results/junit-[a-z]*.xml", "test-results/junit-unit-1.xml", true},
	}
	for _, tt := range tests {
		if got := MatchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestGlob(t *testing.T) {
	ctx := context.Background()
	got, err := Glob(ctx, "testdata/tree", DefaultPaths())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tests/api/test_timer.py", "tests/test_models.py", "tests/test_routes.py"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Glob = %q, want %q", got, want)
	}
	got, err = Glob(ctx, "testdata/tree", []string{"tests/**/*.py", "!tests/api/**", "# a comment"})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"tests/conftest.py", "tests/test_models.py", "tests/test_routes.py"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Glob with exclusion = %q, want %q", got, want)
	}
	if _, err := Glob(ctx, "testdata/tree", []string{"tests/[.py"}); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("bad pattern: %v", err)
	}
}

func TestScanTestFunctions(t *testing.T) {
	src := []byte(`import pytest

def test_a():
    def test_nested():
        pass

async def test_async():
    pass

class TestUser:
    def test_b(self):
        pass

    class TestInner:
        def test_c(self):
            pass

    def helper(self):
        """
        def test_in_docstring():
        """

class Helper:
    def test_not_collected(self):
        pass

def helper():
    pass
`)
	got := ScanTestFunctions(src)
	want := []string{"test_a", "test_async", "TestUser::test_b", "TestUser::TestInner::test_c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scan = %q, want %q", got, want)
	}
}

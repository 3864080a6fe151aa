package lazyre

import (
	"sync"
	"testing"
)

func TestCompilesOnFirstUseOnce(t *testing.T) {
	r := New(`^v(\d+)\.(\d+)$`)
	if r.re != nil {
		t.Fatal("compiled before first use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !r.MatchString("v1.2") {
				t.Error("v1.2 does not match")
			}
		}()
	}
	wg.Wait()
	first := r.Re()
	if r.Re() != first {
		t.Fatal("compiled twice")
	}
	if got := r.FindStringSubmatch("v10.20"); len(got) != 3 || got[1] != "10" || got[2] != "20" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	if r.String() != `^v(\d+)\.(\d+)$` {
		t.Fatalf("String = %q", r.String())
	}
}

func TestBadPatternPanicsOnUse(t *testing.T) {
	r := New(`(`)
	defer func() {
		if recover() == nil {
			t.Fatal("a bad pattern did not panic on first use")
		}
	}()
	r.MatchString("x")
}

package tlsroots

import (
	"crypto/x509"

	"golang.org/x/crypto/x509roots/fallback/bundle"
	"testing"
)

func TestPoolHoldsTheBundle(t *testing.T) {
	n := 0
	for range bundle.Roots() {
		n++
	}
	if Pool() == nil || n < 100 {
		t.Fatalf("fallback pool has %d roots, want the whole bundle (over 100)", n)
	}
}

func TestInstallTwice(t *testing.T) {
	// x509.SetFallbackRoots panics when called twice; Install must not.
	Install()
	Install()
	if _, err := x509.SystemCertPool(); err != nil {
		t.Fatal(err)
	}
}

// Package tlsroots gives the binary CA roots to fall back on when the system
// has none (the image is FROM scratch), installed on first use rather than
// at start.
//
// golang.org/x/crypto/x509roots/fallback does the same from its package
// init, which parses every certificate of the bundle at every start of the
// binary, about a millisecond paid by every action and every --help,
// whether or not it ever dials. Every package that builds an HTTPS client
// (githubapi, registry, release) calls Install first instead.
package tlsroots

import (
	"crypto/x509"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Install sets the bundled roots as crypto/x509's fallback roots, once per
// process. As with the fallback package, they are used only when the system
// provides no roots of its own.
var Install = sync.OnceFunc(func() { x509.SetFallbackRoots(Pool()) })

// Pool parses the bundled roots, with the constraints the bundle attaches
// to some of them.
func Pool() *x509.CertPool {
	p := x509.NewCertPool()
	for c := range bundle.Roots() {
		cert, err := x509.ParseCertificate(c.Certificate)
		if err != nil {
			// The bundle is fixed at build time and tested below.
			panic("tlsroots: bundled root does not parse: " + err.Error())
		}
		if c.Constraint == nil {
			p.AddCert(cert)
		} else {
			p.AddCertWithConstraint(cert, c.Constraint)
		}
	}
	return p
}

package vulnscan

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"math/big"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// compareDebian orders Debian versions as dpkg does:
// [epoch:]upstream[-revision], ~ before everything, letters before other
// characters, digit runs compared as numbers.
func compareDebian(a, b string) int {
	ea, ua, ra := splitDebian(a)
	eb, ub, rb := splitDebian(b)
	if c := compareNum(ea, eb); c != 0 {
		return c
	}
	if c := compareDebianPart(ua, ub); c != 0 {
		return c
	}
	return compareDebianPart(ra, rb)
}

func splitDebian(v string) (epoch, upstream, revision string) {
	epoch = "0"
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i], v[i+1:]
	}
	upstream = v
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		upstream, revision = v[:i], v[i+1:]
	}
	return epoch, upstream, revision
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func order(c byte) int {
	switch {
	case c == '~':
		return -1
	case isDigit(c):
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	default:
		return int(c) + 256
	}
}

func compareDebianPart(a, b string) int {
	for a != "" || b != "" {
		// Non-digit prefix, character by character (end of string sorts
		// after ~ and before anything else).
		for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
			var ca, cb int
			if a != "" && !isDigit(a[0]) {
				ca = order(a[0])
			}
			if b != "" && !isDigit(b[0]) {
				cb = order(b[0])
			}
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
			if a != "" && !isDigit(a[0]) {
				a = a[1:]
			}
			if b != "" && !isDigit(b[0]) {
				b = b[1:]
			}
		}
		var na, nb string
		na, a = digits(a)
		nb, b = digits(b)
		if c := compareNum(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func digits(s string) (string, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// compareNum compares decimal digit strings of any length.
func compareNum(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// pep440 is a parsed PEP 440 version (the subset documented in doc.go).
type pep440 struct {
	epoch   *big.Int
	release []string
	pre     int // -1 none, 0 a, 1 b, 2 rc
	preN    string
	post    string // "" none
	dev     string // "" none
	ok      bool
}

var pep440Re = lazyre.New(`^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$`)

func parsePEP440(s string) pep440 {
	m := pep440Re.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return pep440{}
	}
	v := pep440{epoch: big.NewInt(0), pre: -1, ok: true}
	if m[1] != "" {
		v.epoch.SetString(m[1], 10)
	}
	v.release = strings.Split(m[2], ".")
	for len(v.release) > 1 && strings.TrimLeft(v.release[len(v.release)-1], "0") == "" {
		v.release = v.release[:len(v.release)-1] // 1.0 == 1.0.0
	}
	switch m[3] {
	case "a", "alpha":
		v.pre = 0
	case "b", "beta":
		v.pre = 1
	case "c", "rc", "pre", "preview":
		v.pre = 2
	}
	if v.pre >= 0 {
		v.preN = orZero(m[4])
	}
	switch {
	case m[5] != "":
		v.post = m[5]
	case m[6] != "":
		v.post = orZero(m[7])
	}
	if m[8] != "" {
		v.dev = orZero(m[9])
	}
	return v
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// comparePEP440 orders two valid versions: dev releases before pre
// releases before the release before post releases.
func comparePEP440(a, b pep440) int {
	if c := a.epoch.Cmp(b.epoch); c != 0 {
		return c
	}
	for i := 0; i < len(a.release) || i < len(b.release); i++ {
		x, y := "0", "0"
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := compareNum(x, y); c != 0 {
			return c
		}
	}
	// Phase: a dev release with no pre/post sorts before any pre release.
	phase := func(v pep440) int {
		switch {
		case v.pre >= 0:
			return v.pre // 0..2
		case v.post == "" && v.dev != "":
			return -1
		default:
			return 3 // the release itself, or a post release
		}
	}
	if c := cmpInt(phase(a), phase(b)); c != 0 {
		return c
	}
	if a.pre >= 0 {
		if c := compareNum(a.preN, b.preN); c != 0 {
			return c
		}
	}
	// Post: none < any post.
	if c := compareOptional(a.post, b.post, -1); c != 0 {
		return c
	}
	// Dev: any dev < none.
	return compareOptional(a.dev, b.dev, 1)
}

// compareOptional compares optional numbers; absent sorts as absentOrder
// (-1: before any number, 1: after).
func compareOptional(a, b string, absentOrder int) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return absentOrder
	case b == "":
		return -absentOrder
	}
	return compareNum(a, b)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// comparator orders the versions of one ecosystem; ok is false when either
// version cannot be read, and such a comparison matches nothing.
type comparator func(a, b string) (c int, ok bool)

func compareFor(ecosystem string) comparator {
	switch ecosystemBase(ecosystem) {
	case "PyPI":
		return func(a, b string) (int, bool) {
			va, vb := parsePEP440(a), parsePEP440(b)
			if !va.ok || !vb.ok {
				return 0, false
			}
			return comparePEP440(va, vb), true
		}
	case "Debian":
		return func(a, b string) (int, bool) {
			if a == "" || b == "" {
				return 0, false
			}
			return compareDebian(a, b), true
		}
	case "Go":
		return compareSemver
	}
	return nil
}

func compareSemver(a, b string) (int, bool) {
	va, err := semver.NewVersion(a)
	if err != nil {
		return 0, false
	}
	vb, err := semver.NewVersion(b)
	if err != nil {
		return 0, false
	}
	return va.Compare(vb), true
}

// ecosystemBase is "Debian" for "Debian:12".
func ecosystemBase(e string) string {
	base, _, _ := strings.Cut(e, ":")
	return base
}

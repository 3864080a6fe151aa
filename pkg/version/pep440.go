package version

import (
	"github.com/org/timetracker-ci/internal/lazyre"
	"strconv"
	"strings"
)

// pep440Version is a parsed PEP 440 public version.
type pep440Version struct {
	epoch   int
	release []int
	preL    string // a, b or rc
	preN    int
	post    int // -1 when absent
	dev     int // -1 when absent
	local   string
}

var pep440re = lazyre.New(`^v?(?:(\d+)!)?(\d+(?:\.\d+)*)` +
	`(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?` +
	`(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?` +
	`(?:[-_.]?(dev)[-_.]?(\d*))?` +
	`(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$`)

// parsePEP440 parses and normalises a version as PEP 440 describes.
func parsePEP440(s string) (pep440Version, bool) {
	m := pep440re.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return pep440Version{}, false
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	v := pep440Version{epoch: atoi(m[1]), post: -1, dev: -1, local: strings.NewReplacer("-", ".", "_", ".").Replace(m[10])}
	for _, p := range strings.Split(m[2], ".") {
		v.release = append(v.release, atoi(p))
	}
	switch m[3] {
	case "":
	case "a", "alpha":
		v.preL = "a"
	case "b", "beta":
		v.preL = "b"
	default:
		v.preL = "rc"
	}
	v.preN = atoi(m[4])
	switch {
	case m[5] != "":
		v.post = atoi(m[5])
	case m[6] != "":
		v.post = atoi(m[7])
	}
	if m[8] != "" {
		v.dev = atoi(m[9])
	}
	return v, true
}

func (v pep440Version) part(i int) int {
	if i < len(v.release) {
		return v.release[i]
	}
	return 0
}

func (v pep440Version) unstable() bool { return v.preL != "" || v.post >= 0 || v.dev >= 0 }

func (v pep440Version) String() string {
	var b strings.Builder
	if v.epoch > 0 {
		b.WriteString(strconv.Itoa(v.epoch) + "!")
	}
	for i, p := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
	if v.preL != "" {
		b.WriteString(v.preL + strconv.Itoa(v.preN))
	}
	if v.post >= 0 {
		b.WriteString(".post" + strconv.Itoa(v.post))
	}
	if v.dev >= 0 {
		b.WriteString(".dev" + strconv.Itoa(v.dev))
	}
	if v.local != "" {
		b.WriteString("+" + v.local)
	}
	return b.String()
}

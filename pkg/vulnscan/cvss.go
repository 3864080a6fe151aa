package vulnscan

import (
	"math"
	"strings"
)

// Severity levels, lowest first.
const (
	LevelNone = iota
	LevelLow
	LevelMedium
	LevelHigh
	LevelCritical
)

var levelNames = []string{"none", "low", "medium", "high", "critical"}

// LevelName is the word for a level.
func LevelName(l int) string {
	if l < 0 || l >= len(levelNames) {
		return "unknown"
	}
	return levelNames[l]
}

// ParseLevel reads a threshold word.
func ParseLevel(s string) (int, bool) {
	for i, n := range levelNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return i, true
		}
	}
	return 0, false
}

func levelOfScore(s float64) int {
	switch {
	case s >= 9:
		return LevelCritical
	case s >= 7:
		return LevelHigh
	case s >= 4:
		return LevelMedium
	case s > 0:
		return LevelLow
	}
	return LevelNone
}

// cvss3Base computes the CVSS v3.0/3.1 base score of a vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"); ok is false when a
// base metric is missing or unknown.
func cvss3Base(vector string) (score float64, ok bool) {
	if !strings.HasPrefix(vector, "CVSS:3.") {
		return 0, false
	}
	m := map[string]string{}
	for _, part := range strings.Split(vector, "/")[1:] {
		k, v, found := strings.Cut(part, ":")
		if !found {
			return 0, false
		}
		m[k] = v
	}
	weights := map[string]map[string]float64{
		"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
		"AC": {"L": 0.77, "H": 0.44},
		"UI": {"N": 0.85, "R": 0.62},
		"C":  {"H": 0.56, "L": 0.22, "N": 0},
		"I":  {"H": 0.56, "L": 0.22, "N": 0},
		"A":  {"H": 0.56, "L": 0.22, "N": 0},
	}
	w := map[string]float64{}
	for k, table := range weights {
		v, found := table[m[k]]
		if !found {
			return 0, false
		}
		w[k] = v
	}
	changed := m["S"] == "C"
	if m["S"] != "U" && m["S"] != "C" {
		return 0, false
	}
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	prW, found := pr[m["PR"]]
	if !found {
		return 0, false
	}
	iss := 1 - (1-w["C"])*(1-w["I"])*(1-w["A"])
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	exploit := 8.22 * w["AV"] * w["AC"] * prW * w["UI"]
	if impact <= 0 {
		return 0, true
	}
	if changed {
		return roundup(math.Min(1.08*(impact+exploit), 10)), true
	}
	return roundup(math.Min(impact+exploit, 10)), true
}

// roundup is CVSS 3.1's: the smallest one-decimal number >= x.
func roundup(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return (math.Floor(float64(i)/10000) + 1) / 10
}

// severityOf is a record's level and CVSS score (0 when none); a record
// without any severity counts as medium (see the package documentation).
func severityOf(r *Record, a Affected) (int, float64) {
	best := -1.0
	for _, s := range r.Severity {
		if s.Type != "CVSS_V3" {
			continue
		}
		if score, ok := cvss3Base(s.Score); ok && score > best {
			best = score
		}
	}
	if best >= 0 {
		return levelOfScore(best), best
	}
	for _, word := range []string{a.DatabaseSpecific.Severity, r.DatabaseSpecific.Severity} {
		switch strings.ToUpper(word) {
		case "CRITICAL":
			return LevelCritical, 0
		case "HIGH":
			return LevelHigh, 0
		case "MODERATE", "MEDIUM":
			return LevelMedium, 0
		case "LOW":
			return LevelLow, 0
		}
	}
	return LevelMedium, 0
}

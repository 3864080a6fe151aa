package version

import (
	"fmt"
	"strings"
)

// ParseImages reads the images input as docker/metadata-action does: one
// image per line, either a bare name or CSV attributes (name=org/app,
// enable=false); a line of comma-separated bare names lists several images. Names are lower-cased. given reports that
// the input had lines at all: when every one is disabled the result is no
// image, and the tags are then bare (no default image is added).
func ParseImages(lines []string) (names []string, given bool, err error) {
	if len(lines) == 0 {
		return nil, false, nil
	}
	for _, line := range lines {
		fields, err := splitCSV(line)
		if err != nil {
			return nil, true, fmt.Errorf("image line %q: %w", line, err)
		}
		if bareNames(fields) {
			// A line of bare names lists images (metadata-action reads this
			// form on a single line only; one name per line is the same).
			for _, f := range fields {
				names = append(names, strings.ToLower(strings.TrimSpace(f)))
			}
			continue
		}
		name, enable := "", true
		for _, f := range fields {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				name = strings.TrimSpace(f)
				continue
			}
			switch k = strings.ToLower(strings.TrimSpace(k)); k {
			case "name":
				name = strings.TrimSpace(v)
			case "enable":
				switch strings.TrimSpace(v) {
				case "true":
				case "false":
					enable = false
				default:
					return nil, true, fmt.Errorf("image line %q: enable=%s is neither true nor false", line, strings.TrimSpace(v))
				}
			default:
				return nil, true, fmt.Errorf("image line %q: unknown attribute %q (use name= and enable=)", line, k)
			}
		}
		if name == "" {
			return nil, true, fmt.Errorf("image line %q: no image name (write name=ghcr.io/org/app)", line)
		}
		if enable {
			names = append(names, strings.ToLower(name))
		}
	}
	return names, true, nil
}

func bareNames(fields []string) bool {
	for _, f := range fields {
		if strings.Contains(f, "=") {
			return false
		}
	}
	return true
}

package workflowcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// BuildKit passes TARGETPLATFORM, TARGETOS, TARGETARCH and TARGETVARIANT
// per platform, but a default given to one of them in the global scope
// (before the first FROM) wins over the platform's value in FROM lines: a
// multi-platform build then selects the default's stage for every platform
// (an amd64 binary in the arm64 image, "exec format error" on arm64).
const platformArgMsg = "global ARG %s=%s: under BuildKit the default wins over the platform's own value, so every platform builds the %s stage; leave ARG %s undeclared in the global scope (BuildKit predefines it there) or declare it without a default"

var platformArgs = map[string]bool{"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true}

// CheckDockerfile returns the platform-arg findings of one Dockerfile.
func CheckDockerfile(file string, data []byte) []Finding {
	var out []Finding
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		fields := strings.Fields(text)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			return out // the global scope ends here
		case "ARG":
			for _, f := range fields[1:] {
				name, def, ok := strings.Cut(f, "=")
				if ok && platformArgs[name] {
					col := strings.Index(sc.Text(), f) + 1
					out = append(out, Finding{File: file, Line: line, Col: col, Rule: RulePlatformArg,
						Message: fmt.Sprintf(platformArgMsg, name, def, def, name)})
				}
			}
		}
	}
	return out
}

package registry

import (
	"fmt"
	"strings"
)

// HostAuth is the credential for one registry host.
type HostAuth struct {
	Host string
	Auth
}

// ParseAuthLines parses credential lines "host=username:password" (the
// password may contain ':' and '='; blank lines and # comments are skipped).
// Errors name the line number, never its content, which holds a secret.
func ParseAuthLines(text string) ([]HostAuth, error) {
	var out []HostAuth
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		host, cred, ok := strings.Cut(line, "=")
		user, pass, ok2 := strings.Cut(cred, ":")
		host, user = strings.TrimSpace(host), strings.TrimSpace(user)
		if !ok || !ok2 || host == "" || user == "" || pass == "" || strings.ContainsAny(host, "/@ ") {
			return nil, fmt.Errorf("line %d is not host=username:password (e.g. ghcr.io=${{ github.actor }}:${{ secrets.GITHUB_TOKEN }})", i+1)
		}
		out = append(out, HostAuth{Host: normalizeHost(host), Auth: Auth{Username: user, Password: pass}})
	}
	return out, nil
}

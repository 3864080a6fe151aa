package registry

import (
	"errors"
	"strings"
)

// Credentials are registry credentials as the actions take them: a
// username and password for the first repository's registry, and
// host=username:password lines for the others.
type Credentials struct {
	Username, Password string
	// Lines are host=username:password, one per line.
	Lines string
}

// CredentialError names the input a credential problem comes from.
type CredentialError struct {
	Input string
	Err   error
}

func (e *CredentialError) Error() string { return e.Err.Error() }
func (e *CredentialError) Unwrap() error { return e.Err }

// Secrets lists every username and password the credentials hold, read
// leniently: a malformed line still yields what it has, so a caller masks
// them all before anything is logged, even when Options then refuses a line.
func (c Credentials) Secrets() []Auth {
	out := []Auth{{Username: c.Username, Password: c.Password}}
	for _, line := range strings.Split(c.Lines, "\n") {
		if _, cred, ok := strings.Cut(line, "="); ok {
			user, pass, _ := strings.Cut(strings.TrimSpace(cred), ":")
			out = append(out, Auth{Username: strings.TrimSpace(user), Password: strings.TrimSpace(pass)})
		}
	}
	return out
}

// Options turns the credentials into client options for a publication
// whose first repository is first.
func (c Credentials) Options(first string) ([]Option, error) {
	var opts []Option
	if (c.Username == "") != (c.Password == "") {
		return nil, &CredentialError{Input: "password", Err: errors.New("username and password go together: set both (or neither, for anonymous access)")}
	}
	if c.Username != "" {
		r, err := ParseRepository(first)
		if err != nil {
			return nil, &CredentialError{Input: "images", Err: err}
		}
		opts = append(opts, WithAuth(r.Registry, Auth{Username: c.Username, Password: c.Password}))
	}
	auths, err := ParseAuthLines(c.Lines)
	if err != nil {
		return nil, &CredentialError{Input: "registry-auth", Err: err}
	}
	for _, a := range auths {
		opts = append(opts, WithAuth(a.Host, a.Auth))
	}
	return opts, nil
}

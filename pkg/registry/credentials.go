package registry

import (
	"errors"
	"fmt"
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

// Options turns the credentials into client options for a publication
// whose first repository is first; secrets lists every password, for the
// caller to mask before anything is logged.
func (c Credentials) Options(first string) (opts []Option, secrets []string, err error) {
	if (c.Username == "") != (c.Password == "") {
		return nil, nil, &CredentialError{Input: "password", Err: errors.New("username and password go together: set both (or neither, for anonymous access)")}
	}
	if c.Username != "" {
		r, err := ParseRepository(first)
		if err != nil {
			return nil, nil, &CredentialError{Input: "images", Err: err}
		}
		opts = append(opts, WithAuth(r.Registry, Auth{Username: c.Username, Password: c.Password}))
		secrets = append(secrets, c.Password)
	}
	auths, err := ParseAuthLines(c.Lines)
	if err != nil {
		return nil, nil, &CredentialError{Input: "registry-auth", Err: fmt.Errorf("%w", err)}
	}
	for _, a := range auths {
		secrets = append(secrets, a.Password)
		opts = append(opts, WithAuth(a.Host, a.Auth))
	}
	return opts, secrets, nil
}

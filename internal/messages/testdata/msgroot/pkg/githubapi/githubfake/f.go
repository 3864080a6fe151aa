package githubfake

import "errors"

var errFake = errors.New("fake server error")

package internal

import "errors"

var errInternal = errors.New("internal helper error")

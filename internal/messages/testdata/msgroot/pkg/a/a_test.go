package a

import "errors"

var errTestOnly = errors.New("only in a test")

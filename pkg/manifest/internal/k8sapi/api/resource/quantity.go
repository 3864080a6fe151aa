// Package resource mirrors k8s.io/apimachinery/pkg/api/resource for
// decoding: Quantity accepts and rejects what upstream's UnmarshalJSON does,
// with upstream's errors. The parsing below is upstream's ParseQuantity
// (Apache-2.0) without the arithmetic: only whether it fails, and how,
// matters to the validator.
package resource

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
)

// Quantity is a Kubernetes quantity, kept as written.
type Quantity struct {
	s string
}

// String is the quantity as written.
func (q Quantity) String() string { return q.s }

const splitREString = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"

// Errors that could happen while parsing a string.
var (
	ErrFormatWrong = errors.New("quantities must match the regular expression '" + splitREString + "'")
	ErrNumeric     = errors.New("unable to parse numeric part of quantity")
	ErrSuffix      = errors.New("unable to parse quantity's suffix")
)

// UnmarshalJSON implements json.Unmarshaler as upstream does.
func (q *Quantity) UnmarshalJSON(value []byte) error {
	l := len(value)
	if l == 4 && bytes.Equal(value, []byte("null")) {
		q.s = ""
		return nil
	}
	if l >= 2 && value[0] == '"' && value[l-1] == '"' {
		value = value[1 : l-1]
	}
	s := strings.TrimSpace(string(value))
	if err := ParseQuantity(s); err != nil {
		return err
	}
	q.s = s
	return nil
}

// ParseQuantity reports whether upstream's ParseQuantity accepts str.
func ParseQuantity(str string) error {
	if len(str) == 0 {
		return ErrFormatWrong
	}
	if str == "0" {
		return nil
	}
	_, value, num, denom, suf, err := parseQuantityString(str)
	if err != nil {
		return err
	}
	_, exponent, format, ok := interpret(suf)
	if !ok {
		return ErrSuffix
	}
	precision := int32(0)
	scale := int32(0)
	mantissa := int64(1)
	switch format {
	case decimalExponent, decimalSI:
		scale = exponent
		precision = 18 - int32(len(num)+len(denom))
	case binarySI:
		scale = 0
		switch {
		case exponent >= 0 && len(denom) == 0:
			mantissa = int64(mantissa) << uint64(exponent)
			precision = 15 - int32(len(num)) - int32(float32(exponent)*3/10) - 1
		default:
			precision = -1
		}
	}
	if precision >= 0 {
		scale -= int32(len(denom))
		if scale >= -9 {
			v, err := strconv.ParseInt(num+denom, 10, 64)
			if err != nil {
				return ErrNumeric
			}
			if v == 0 || v <= math.MaxInt64/mantissa {
				return nil // upstream's int64 fast path
			}
		}
	}
	// inf.Dec's SetString accepts value (a sign, digits and at most one
	// point, as parseQuantityString cut it) when it holds a digit.
	if !strings.ContainsAny(value, "0123456789") {
		return ErrNumeric
	}
	return nil
}

type format int

const (
	decimalExponent format = iota
	binarySI
	decimalSI
)

func interpret(s string) (base, exponent int32, f format, ok bool) {
	switch s {
	case "":
		return 10, 0, decimalSI, true
	case "n":
		return 10, -9, decimalSI, true
	case "u":
		return 10, -6, decimalSI, true
	case "m":
		return 10, -3, decimalSI, true
	case "k":
		return 10, 3, decimalSI, true
	case "M":
		return 10, 6, decimalSI, true
	case "G":
		return 10, 9, decimalSI, true
	case "T":
		return 10, 12, decimalSI, true
	case "P":
		return 10, 15, decimalSI, true
	case "E":
		return 10, 18, decimalSI, true
	case "Ki":
		return 2, 10, binarySI, true
	case "Mi":
		return 2, 20, binarySI, true
	case "Gi":
		return 2, 30, binarySI, true
	case "Ti":
		return 2, 40, binarySI, true
	case "Pi":
		return 2, 50, binarySI, true
	case "Ei":
		return 2, 60, binarySI, true
	}
	if len(s) > 1 && (s[0] == 'E' || s[0] == 'e') {
		parsed, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil {
			return 0, 0, decimalExponent, false
		}
		return 10, int32(parsed), decimalExponent, true
	}
	return 0, 0, decimalExponent, false
}

// parseQuantityString is upstream's, unchanged.
func parseQuantityString(str string) (positive bool, value, num, denom, suffix string, err error) {
	positive = true
	pos := 0
	end := len(str)

	// handle leading sign
	if pos < end {
		switch str[0] {
		case '-':
			positive = false
			pos++
		case '+':
			pos++
		}
	}

	// strip leading zeros
Zeroes:
	for i := pos; ; i++ {
		if i >= end {
			num = "0"
			value = num
			return
		}
		switch str[i] {
		case '0':
			pos++
		default:
			break Zeroes
		}
	}

	// extract the numerator
Num:
	for i := pos; ; i++ {
		if i >= end {
			num = str[pos:end]
			value = str[0:end]
			return
		}
		switch str[i] {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		default:
			num = str[pos:i]
			pos = i
			break Num
		}
	}

	// if we stripped all numerator positions, always return 0
	if len(num) == 0 {
		num = "0"
	}

	// handle a denominator
	if pos < end && str[pos] == '.' {
		pos++
	Denom:
		for i := pos; ; i++ {
			if i >= end {
				denom = str[pos:end]
				value = str[0:end]
				return
			}
			switch str[i] {
			case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			default:
				denom = str[pos:i]
				pos = i
				break Denom
			}
		}
	}
	value = str[0:pos]

	// grab the elements of the suffix
	suffixStart := pos
	for i := pos; ; i++ {
		if i >= end {
			suffix = str[suffixStart:end]
			return
		}
		if !strings.ContainsAny(str[i:i+1], "eEinumkKMGTP") {
			pos = i
			break
		}
	}
	if pos < end {
		switch str[pos] {
		case '-', '+':
			pos++
		}
	}
Suffix:
	for i := pos; ; i++ {
		if i >= end {
			suffix = str[suffixStart:end]
			return
		}
		switch str[i] {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		default:
			break Suffix
		}
	}
	// we encountered a non decimal in the Suffix loop, but the last character
	// was not a valid exponent
	err = ErrFormatWrong
	return
}

// Package intstr mirrors k8s.io/apimachinery/pkg/util/intstr for decoding:
// IntOrString and its UnmarshalJSON are that package's (Apache-2.0).
package intstr

import (
	"encoding/json"
	"strconv"
)

// IntOrString holds an int32 or a string.
type IntOrString struct {
	Type   Type
	IntVal int32
	StrVal string
}

// Type is the stored type of IntOrString.
type Type int64

const (
	Int    Type = iota // The IntOrString holds an int.
	String             // The IntOrString holds a string.
)

// FromInt32 creates an IntOrString holding an int32.
func FromInt32(val int32) IntOrString {
	return IntOrString{Type: Int, IntVal: val}
}

// UnmarshalJSON implements json.Unmarshaler as upstream does.
func (intstr *IntOrString) UnmarshalJSON(value []byte) error {
	if value[0] == '"' {
		intstr.Type = String
		return json.Unmarshal(value, &intstr.StrVal)
	}
	intstr.Type = Int
	return json.Unmarshal(value, &intstr.IntVal)
}

// String returns the string value, or the Itoa of the int value.
func (intstr *IntOrString) String() string {
	if intstr == nil {
		return "<nil>"
	}
	if intstr.Type == String {
		return intstr.StrVal
	}
	return strconv.Itoa(int(intstr.IntVal))
}

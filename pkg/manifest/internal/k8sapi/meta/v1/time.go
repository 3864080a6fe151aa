package v1

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
)

// Time mirrors metav1.Time; its UnmarshalJSON is upstream's (Apache-2.0).
type Time struct {
	time.Time `protobuf:"-"`
}

// UnmarshalJSON implements json.Unmarshaler as upstream does.
func (t *Time) UnmarshalJSON(b []byte) error {
	if len(b) == 4 && string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var str string
	err := json.Unmarshal(b, &str)
	if err != nil {
		return err
	}
	pt, err := time.Parse(time.RFC3339, str)
	if err != nil {
		return err
	}
	t.Time = pt.Local()
	return nil
}

// FieldsV1 mirrors metav1.FieldsV1: any JSON value, kept raw.
type FieldsV1 struct {
	raw []byte
}

// UnmarshalJSON implements json.Unmarshaler as upstream does.
func (f *FieldsV1) UnmarshalJSON(b []byte) error {
	if f == nil {
		return errors.New("metav1.FieldsV1: UnmarshalJSON on nil pointer")
	}
	if !bytes.Equal(b, []byte("null")) {
		f.raw = append(f.raw[:0], b...)
	}
	return nil
}

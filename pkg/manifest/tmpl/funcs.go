package tmpl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

func builtins() FuncMap {
	return FuncMap{
		"not":     func(a ...any) (any, error) { return one(a, func(x any) any { return !truth(reflect.ValueOf(x)) }) },
		"len":     lenFunc,
		"index":   index,
		"slice":   slice,
		"eq":      eq,
		"ne":      func(a ...any) (any, error) { return cmp2(a, func(c int) bool { return c != 0 }, true) },
		"lt":      func(a ...any) (any, error) { return cmp2(a, func(c int) bool { return c < 0 }, false) },
		"le":      func(a ...any) (any, error) { return cmp2(a, func(c int) bool { return c <= 0 }, false) },
		"gt":      func(a ...any) (any, error) { return cmp2(a, func(c int) bool { return c > 0 }, false) },
		"ge":      func(a ...any) (any, error) { return cmp2(a, func(c int) bool { return c >= 0 }, false) },
		"print":   func(a ...any) (any, error) { return fmt.Sprint(a...), nil },
		"println": func(a ...any) (any, error) { return fmt.Sprintln(a...), nil },
		"printf": func(a ...any) (any, error) {
			if len(a) == 0 {
				return nil, errors.New("printf needs a format")
			}
			f, ok := a[0].(string)
			if !ok {
				return nil, errors.New("printf's format must be a string")
			}
			return fmt.Sprintf(f, a[1:]...), nil
		},
	}
}

// Funcs returns the functions this package adds for writing YAML and JSON.
//
//	quote S          S as a double-quoted YAML/JSON string
//	lower S, upper S, trim S
//	default D V      V, or D when V is empty or missing
//	join SEP LIST    the items of LIST joined by SEP
//	indent N S       S with every non-empty line indented by N spaces
//	nindent N S      a newline, then indent N S
//	replace OLD NEW S, contains SUB S, hasPrefix P S, hasSuffix X S
//	toJSON V         V as compact JSON
func Funcs() FuncMap {
	return FuncMap{
		"quote": func(a ...any) (any, error) {
			return one(a, func(x any) any { return jsonString(stringish(x)) })
		},
		"lower": func(a ...any) (any, error) { return one(a, func(x any) any { return strings.ToLower(stringish(x)) }) },
		"upper": func(a ...any) (any, error) { return one(a, func(x any) any { return strings.ToUpper(stringish(x)) }) },
		"trim":  func(a ...any) (any, error) { return one(a, func(x any) any { return strings.TrimSpace(stringish(x)) }) },
		"default": func(a ...any) (any, error) {
			if len(a) != 2 {
				return nil, fmt.Errorf("default wants 2 arguments, got %d", len(a))
			}
			if truth(reflect.ValueOf(a[1])) {
				return a[1], nil
			}
			return a[0], nil
		},
		"join": func(a ...any) (any, error) {
			if len(a) != 2 {
				return nil, fmt.Errorf("join wants 2 arguments, got %d", len(a))
			}
			v := reflect.ValueOf(a[1])
			if !v.IsValid() {
				return "", nil
			}
			if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
				return nil, fmt.Errorf("join wants a list, got %s", v.Type())
			}
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = stringish(toAny(v.Index(i)))
			}
			return strings.Join(parts, stringish(a[0])), nil
		},
		"indent": func(a ...any) (any, error) {
			if len(a) != 2 {
				return nil, fmt.Errorf("indent wants 2 arguments, got %d", len(a))
			}
			n, ok := a[0].(int)
			if !ok || n < 0 {
				return nil, errors.New("indent wants a non-negative number of spaces first")
			}
			return indent(n, stringish(a[1])), nil
		},
		"nindent": func(a ...any) (any, error) {
			if len(a) != 2 {
				return nil, fmt.Errorf("nindent wants 2 arguments, got %d", len(a))
			}
			n, ok := a[0].(int)
			if !ok || n < 0 {
				return nil, errors.New("nindent wants a non-negative number of spaces first")
			}
			return "\n" + indent(n, stringish(a[1])), nil
		},
		"replace": func(a ...any) (any, error) {
			if len(a) != 3 {
				return nil, fmt.Errorf("replace wants 3 arguments, got %d", len(a))
			}
			return strings.ReplaceAll(stringish(a[2]), stringish(a[0]), stringish(a[1])), nil
		},
		"contains":  two(strings.Contains),
		"hasPrefix": two(strings.HasPrefix),
		"hasSuffix": two(strings.HasSuffix),
		"toJSON": func(a ...any) (any, error) {
			if len(a) != 1 {
				return nil, fmt.Errorf("toJSON wants 1 argument, got %d", len(a))
			}
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(a[0]); err != nil {
				return nil, err
			}
			return strings.TrimSuffix(b.String(), "\n"), nil
		},
	}
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// two adapts f(s, sub) to the template order "fn SUB S", so that it reads
// well at the end of a pipeline.
func two(f func(s, sub string) bool) Func {
	return func(a ...any) (any, error) {
		if len(a) != 2 {
			return nil, fmt.Errorf("want 2 arguments, got %d", len(a))
		}
		return f(stringish(a[1]), stringish(a[0])), nil
	}
}

func one(a []any, f func(any) any) (any, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("wants 1 argument, got %d", len(a))
	}
	return f(a[0]), nil
}

func lenFunc(a ...any) (any, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("len wants 1 argument, got %d", len(a))
	}
	v := indirectInterface(reflect.ValueOf(a[0]))
	if !v.IsValid() {
		return 0, nil
	}
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return v.Len(), nil
	}
	return nil, fmt.Errorf("len of type %s", v.Type())
}

func index(a ...any) (any, error) {
	if len(a) == 0 {
		return nil, errors.New("index wants at least 1 argument")
	}
	v := reflect.ValueOf(a[0])
	for _, k := range a[1:] {
		v = indirectInterface(v)
		for v.IsValid() && v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if !v.IsValid() {
			return nil, errors.New("index of a missing value")
		}
		switch v.Kind() {
		case reflect.Slice, reflect.Array, reflect.String:
			kv := reflect.ValueOf(k)
			if !isInt(kv) {
				return nil, fmt.Errorf("index of %s needs a number, got %T", v.Type(), k)
			}
			i := toInt(kv)
			if i < 0 || i >= int64(v.Len()) {
				return nil, fmt.Errorf("index out of range: %d", i)
			}
			v = v.Index(int(i))
		case reflect.Map:
			kv := reflect.ValueOf(k)
			if !kv.IsValid() || !kv.Type().ConvertibleTo(v.Type().Key()) {
				return nil, fmt.Errorf("value has type %T; should be %s", k, v.Type().Key())
			}
			v = v.MapIndex(kv.Convert(v.Type().Key()))
		default:
			return nil, fmt.Errorf("can't index item of type %s", v.Type())
		}
	}
	return toAny(v), nil
}

func slice(a ...any) (any, error) {
	if len(a) < 1 || len(a) > 3 {
		return nil, errors.New("slice wants 1 to 3 arguments")
	}
	v := indirectInterface(reflect.ValueOf(a[0]))
	if !v.IsValid() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array && v.Kind() != reflect.String) {
		return nil, errors.New("slice wants a list or a string")
	}
	idx := []int{0, v.Len()}
	for i, x := range a[1:] {
		xv := reflect.ValueOf(x)
		if !isInt(xv) {
			return nil, fmt.Errorf("slice index must be a number, got %T", x)
		}
		idx[i] = int(toInt(xv))
	}
	if idx[0] < 0 || idx[1] > v.Len() || idx[0] > idx[1] {
		return nil, fmt.Errorf("slice bounds out of range [%d:%d] with length %d", idx[0], idx[1], v.Len())
	}
	if v.Kind() == reflect.Array && !v.CanAddr() {
		c := reflect.New(v.Type()).Elem() // reflect cannot slice an unaddressable array
		c.Set(v)
		v = c
	}
	return v.Slice(idx[0], idx[1]).Interface(), nil
}

func eq(a ...any) (any, error) {
	if len(a) < 2 {
		return nil, errors.New("eq wants at least 2 arguments")
	}
	for _, b := range a[1:] {
		c, err := compare(a[0], b, true)
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return true, nil
		}
	}
	return false, nil
}

func cmp2(a []any, ok func(int) bool, eqOnly bool) (any, error) {
	if len(a) != 2 {
		return nil, fmt.Errorf("comparison wants 2 arguments, got %d", len(a))
	}
	c, err := compare(a[0], a[1], eqOnly)
	if err != nil {
		return nil, err
	}
	return ok(c), nil
}

var errIncomparable = errors.New("incompatible types for comparison")

// compare orders two basic values as text/template does: numbers by value
// across int/uint/float, strings lexically, bools only for equality.
func compare(x, y any, eqOnly bool) (int, error) {
	a, b := indirectInterface(reflect.ValueOf(x)), indirectInterface(reflect.ValueOf(y))
	if !a.IsValid() || !b.IsValid() {
		if eqOnly {
			if a.IsValid() == b.IsValid() {
				return 0, nil
			}
			return 1, nil
		}
		return 0, errIncomparable
	}
	num := func(v reflect.Value) (float64, bool) {
		switch {
		case isInt(v):
			return float64(toInt(v)), true
		case v.Kind() == reflect.Float32 || v.Kind() == reflect.Float64:
			return v.Float(), true
		}
		return 0, false
	}
	if fa, ok := num(a); ok {
		fb, ok := num(b)
		if !ok {
			return 0, errIncomparable
		}
		switch {
		case fa < fb:
			return -1, nil
		case fa > fb:
			return 1, nil
		}
		return 0, nil
	}
	switch {
	case a.Kind() == reflect.String && b.Kind() == reflect.String:
		return strings.Compare(a.String(), b.String()), nil
	case a.Kind() == reflect.Bool && b.Kind() == reflect.Bool && eqOnly:
		if a.Bool() == b.Bool() {
			return 0, nil
		}
		return 1, nil
	}
	return 0, errIncomparable
}

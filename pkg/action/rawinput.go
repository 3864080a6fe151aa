package action

import "fmt"

// RawInput returns a declared input as given, white space kept: for values
// where a space is meaningful, such as a separator (sep-tags: " ").
func (rt *Runtime) RawInput(name string) string {
	if _, ok := rt.meta.Input(name); !ok {
		rt.bugs = append(rt.bugs, fmt.Sprintf("input %q is not declared in action.yml", name))
		return ""
	}
	return rt.raw[name]
}

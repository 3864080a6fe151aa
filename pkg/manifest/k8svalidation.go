package manifest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/org/timetracker-ci/internal/lazyre"
	metav1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/meta/v1"
)

// The name and label checks and the label selectors below are ports of
// k8s.io/apimachinery (Apache-2.0): pkg/util/validation,
// pkg/api/validate/content, pkg/labels and metav1.LabelSelectorAsSelector,
// with their patterns and messages unchanged, so that the validator says
// what it said when it linked that module. The differential tests in
// k8s_differential_test.go compare them with the originals.

const (
	dns1123LabelFmt          = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelErrMsg       = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainFmt      = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1123SubdomainErrorMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	labelKeyCharFmt          = "[A-Za-z0-9]"
	labelKeyExtCharFmt       = "[-A-Za-z0-9_.]"
	labelKeyFmt              = "(" + labelKeyCharFmt + labelKeyExtCharFmt + "*)?" + labelKeyCharFmt
	labelKeyErrMsg           = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt            = "(" + labelKeyFmt + ")?"
	labelValueErrMsg         = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)

var (
	dns1123LabelRegexp     = lazyre.New("^" + dns1123LabelFmt + "$")
	dns1123SubdomainRegexp = lazyre.New("^" + dns1123SubdomainFmt + "$")
	labelKeyRegexp         = lazyre.New("^" + labelKeyFmt + "$")
	labelValueRegexp       = lazyre.New("^" + labelValueFmt + "$")
)

// regexError is RegexError of both upstream packages.
func regexError(msg, re string, examples ...string) string {
	if len(examples) == 0 {
		return msg + " (regex used for validation is '" + re + "')"
	}
	msg += " (e.g. "
	for i := range examples {
		if i > 0 {
			msg += " or "
		}
		msg += "'" + examples[i] + "', "
	}
	msg += "regex used for validation is '" + re + "')"
	return msg
}

// isDNS1123Label is validation.IsDNS1123Label (lengths in "characters").
func isDNS1123Label(value string) []string {
	var errs []string
	if len(value) > 63 {
		errs = append(errs, "must be no more than 63 characters")
	}
	if !dns1123LabelRegexp.MatchString(value) {
		if dns1123SubdomainRegexp.MatchString(value) {
			errs = append(errs, "must not contain dots")
		} else {
			errs = append(errs, regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
		}
	}
	return errs
}

// isDNS1123Subdomain is validation.IsDNS1123Subdomain when unit is
// "characters" and content.IsDNS1123Subdomain when it is "bytes".
func isDNS1123Subdomain(value, unit string) []string {
	var errs []string
	if len(value) > 253 {
		errs = append(errs, "must be no more than 253 "+unit)
	}
	if !dns1123SubdomainRegexp.MatchString(value) {
		errs = append(errs, regexError(dns1123SubdomainErrorMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

// isQualifiedName is validation.IsQualifiedName (content.IsLabelKey).
func isQualifiedName(value string) []string {
	var errs []string
	parts := strings.Split(value, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		var prefix string
		prefix, name = parts[0], parts[1]
		if len(prefix) == 0 {
			errs = append(errs, "prefix part must be non-empty")
		} else if msgs := isDNS1123Subdomain(prefix, "bytes"); len(msgs) != 0 {
			for _, m := range msgs {
				errs = append(errs, "prefix part "+m)
			}
		}
	default:
		return append(errs, "a valid label key "+regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc")+
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
	}
	if len(name) == 0 {
		errs = append(errs, "name part must be non-empty")
	} else if len(name) > 63 {
		errs = append(errs, "name part must be no more than 63 bytes")
	}
	if !labelKeyRegexp.MatchString(name) {
		errs = append(errs, "name part "+regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// isValidLabelValue is validation.IsValidLabelValue (content.IsLabelValue).
func isValidLabelValue(value string) []string {
	var errs []string
	if len(value) > 63 {
		errs = append(errs, "must be no more than 63 bytes")
	}
	if !labelValueRegexp.MatchString(value) {
		errs = append(errs, regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

// labelSet is labels.Set.
type labelSet map[string]string

// String is labels.Set's String: sorted key=value pairs.
func (ls labelSet) String() string {
	s := make([]string, 0, len(ls))
	for k, v := range ls {
		s = append(s, k+"="+v)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// requirement is the part of labels.Requirement the validator builds.
type requirement struct {
	key    string
	op     string // "=", "in", "notin", "exists", "!"
	values []string
}

func (r requirement) matches(ls labelSet) bool {
	val, exists := ls[r.key]
	switch r.op {
	case "=", "in":
		return exists && hasValue(r.values, val)
	case "notin":
		return !exists || !hasValue(r.values, val)
	case "exists":
		return exists
	case "!":
		return !exists
	}
	return false
}

func hasValue(vals []string, v string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

func (r requirement) String() string {
	var sb strings.Builder
	if r.op == "!" {
		sb.WriteString("!")
	}
	sb.WriteString(r.key)
	switch r.op {
	case "=":
		sb.WriteString("=")
	case "in", "notin":
		sb.WriteString(" " + r.op + " (")
	default:
		return sb.String()
	}
	vals := r.values
	if !sort.StringsAreSorted(vals) {
		vals = append([]string(nil), vals...)
		sort.Strings(vals)
	}
	sb.WriteString(strings.Join(vals, ","))
	if r.op != "=" {
		sb.WriteString(")")
	}
	return sb.String()
}

// selector is labels' internalSelector: requirements sorted by key, all
// of which must match. Upstream's Nothing selector (from a nil
// LabelSelector) is never built: the callers check for nil first.
type selector []requirement

func (s selector) matches(ls labelSet) bool {
	for _, r := range s {
		if !r.matches(ls) {
			return false
		}
	}
	return true
}

func (s selector) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

func (s selector) sorted() selector {
	sort.SliceStable(s, func(i, j int) bool { return s[i].key < s[j].key })
	return s
}

// selectorFromSet is labels.SelectorFromSet (no validation).
func selectorFromSet(ls map[string]string) selector {
	s := make(selector, 0, len(ls))
	for k, v := range ls {
		s = append(s, requirement{key: k, op: "=", values: []string{v}})
	}
	return s.sorted()
}

// labelSelectorAsSelector is metav1.LabelSelectorAsSelector for a non-nil
// selector. Upstream walks MatchLabels in map order, so with several bad
// labels its error names any of them; this names the first by key.
func labelSelectorAsSelector(ps *metav1.LabelSelector) (selector, error) {
	if len(ps.MatchLabels)+len(ps.MatchExpressions) == 0 {
		return selector{}, nil
	}
	s := make(selector, 0, len(ps.MatchLabels)+len(ps.MatchExpressions))
	keys := make([]string, 0, len(ps.MatchLabels))
	for k := range ps.MatchLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, err := newRequirement(k, "=", []string{ps.MatchLabels[k]})
		if err != nil {
			return nil, err
		}
		s = append(s, r)
	}
	for _, expr := range ps.MatchExpressions {
		var op string
		switch expr.Operator {
		case metav1.LabelSelectorOperator("In"):
			op = "in"
		case metav1.LabelSelectorOperator("NotIn"):
			op = "notin"
		case metav1.LabelSelectorOperator("Exists"):
			op = "exists"
		case metav1.LabelSelectorOperator("DoesNotExist"):
			op = "!"
		default:
			return nil, fmt.Errorf("%q is not a valid label selector operator", expr.Operator)
		}
		r, err := newRequirement(expr.Key, op, append([]string(nil), expr.Values...))
		if err != nil {
			return nil, err
		}
		s = append(s, r)
	}
	return s.sorted(), nil
}

// newRequirement is labels.NewRequirement for the operators above, with
// its field errors ("key: Invalid value: ...") joined as upstream's
// aggregate joins them.
func newRequirement(key, op string, vals []string) (requirement, error) {
	var errs []string
	invalid := func(field string, value any, detail string) {
		var v string
		if s, ok := value.(string); ok {
			v = fmt.Sprintf("%q", s)
		} else {
			b, _ := json.Marshal(value)
			v = string(b)
		}
		errs = append(errs, fmt.Sprintf("%s: Invalid value: %s: %s", field, v, detail))
	}
	if msgs := isQualifiedName(key); len(msgs) != 0 {
		invalid("key", key, strings.Join(msgs, "; "))
	}
	switch op {
	case "in", "notin":
		if len(vals) == 0 {
			invalid("values", vals, "for 'in', 'notin' operators, values set can't be empty")
		}
	case "=":
		if len(vals) != 1 {
			invalid("values", vals, "exact-match compatibility requires one single value")
		}
	case "exists", "!":
		if len(vals) != 0 {
			invalid("values", vals, "values set must be empty for exists and does not exist")
		}
	}
	for i := range vals {
		if msgs := isValidLabelValue(vals[i]); len(msgs) != 0 {
			invalid(fmt.Sprintf("values[%d][%s]", i, key), vals[i], strings.Join(msgs, "; "))
		}
	}
	r := requirement{key: key, op: op, values: vals}
	if len(errs) == 0 {
		return r, nil
	}
	var uniq []string
	seen := map[string]bool{}
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			uniq = append(uniq, e)
		}
	}
	if len(uniq) == 1 {
		return r, fmt.Errorf("%s", uniq[0])
	}
	return r, fmt.Errorf("[%s]", strings.Join(uniq, ", "))
}

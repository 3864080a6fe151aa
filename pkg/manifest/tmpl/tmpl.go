package tmpl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"text/template/parse"
)

// Func is a template function. Arguments arrive as the values the template
// computed (nil for a missing map entry).
type Func func(args ...any) (any, error)

// FuncMap names template functions.
type FuncMap map[string]Func

// Set is a group of parsed templates that can call each other with
// {{template "name"}}.
type Set struct {
	trees map[string]*parse.Tree
	funcs FuncMap
}

// New returns an empty set using the built-in functions, [Funcs] and extra.
func New(extra FuncMap) *Set {
	funcs := FuncMap{}
	for k, v := range builtins() {
		funcs[k] = v
	}
	for k, v := range Funcs() {
		funcs[k] = v
	}
	for k, v := range extra {
		funcs[k] = v
	}
	return &Set{trees: map[string]*parse.Tree{}, funcs: funcs}
}

// Parse adds the template name with the given text, and any templates it
// defines, to the set. Errors carry the standard "template: name:line:"
// position.
func (s *Set) Parse(name, text string) error {
	names := make(map[string]any, len(s.funcs)+2)
	for k := range s.funcs {
		names[k] = true
	}
	// and/or are evaluated lazily by the executor but must be known to the parser.
	names["and"], names["or"], names["include"] = true, true, true
	trees, err := parse.Parse(name, text, "", "", names)
	if err != nil {
		return err
	}
	for n, t := range trees {
		if old, ok := s.trees[n]; ok && n != name && !parse.IsEmptyTree(old.Root) && !parse.IsEmptyTree(t.Root) {
			return fmt.Errorf("template: %s: template %q is defined twice (also in %s)", name, n, old.ParseName)
		}
		s.trees[n] = t
	}
	return nil
}

// Has reports whether the set holds a template of that name.
func (s *Set) Has(name string) bool { _, ok := s.trees[name]; return ok }

// Execute applies the named template to data and writes the result to w.
func (s *Set) Execute(w io.Writer, name string, data any) error {
	t, ok := s.trees[name]
	if !ok || t.Root == nil {
		return fmt.Errorf("template: no template %q in the set", name)
	}
	st := &state{set: s, w: w, tree: t}
	v := reflect.ValueOf(data)
	st.vars = []variable{{"$", v}}
	err := st.walk(v, t.Root)
	if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		return nil
	}
	return err
}

// ExecuteString is Execute into a string.
func (s *Set) ExecuteString(name string, data any) (string, error) {
	var b bytes.Buffer
	err := s.Execute(&b, name, data)
	return b.String(), err
}

type variable struct {
	name  string
	value reflect.Value
}

type state struct {
	set   *Set
	w     io.Writer
	tree  *parse.Tree
	node  parse.Node
	vars  []variable
	depth int
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

// ExecError is an error found while executing, located in the template.
type ExecError struct {
	Name     string // the template (file) name
	Location string // name:line:col
	Context  string // the offending action
	Err      error
}

func (e *ExecError) Error() string {
	return fmt.Sprintf("template: %s: executing %q at <%s>: %v", e.Location, e.Name, e.Context, e.Err)
}

func (e *ExecError) Unwrap() error { return e.Err }

func (st *state) errorf(format string, args ...any) error {
	return st.wrap(fmt.Errorf(format, args...))
}

func (st *state) wrap(err error) error {
	var ee *ExecError
	if errors.As(err, &ee) || errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		return err
	}
	loc, ctx := "", ""
	if st.node != nil {
		loc, ctx = st.tree.ErrorContext(st.node)
	}
	if len(ctx) > 40 {
		ctx = ctx[:37] + "..."
	}
	return &ExecError{Name: st.tree.ParseName, Location: loc, Context: ctx, Err: err}
}

const maxDepth = 1000

func (st *state) walk(dot reflect.Value, node parse.Node) error {
	st.node = node
	switch n := node.(type) {
	case *parse.ActionNode:
		v, err := st.pipeline(dot, n.Pipe)
		if err != nil {
			return err
		}
		if len(n.Pipe.Decl) == 0 {
			return st.print(n.Pipe, v)
		}
		return nil
	case *parse.BreakNode:
		return errBreak
	case *parse.ContinueNode:
		return errContinue
	case *parse.CommentNode:
		return nil
	case *parse.IfNode:
		return st.ifOrWith(parse.NodeIf, dot, &n.BranchNode)
	case *parse.WithNode:
		return st.ifOrWith(parse.NodeWith, dot, &n.BranchNode)
	case *parse.ListNode:
		for _, c := range n.Nodes {
			if err := st.walk(dot, c); err != nil {
				return err
			}
		}
		return nil
	case *parse.RangeNode:
		return st.walkRange(dot, n)
	case *parse.TemplateNode:
		return st.walkTemplate(dot, n)
	case *parse.TextNode:
		_, err := st.w.Write(n.Text)
		return err
	}
	return st.errorf("unknown node %s", node)
}

func (st *state) print(n parse.Node, v reflect.Value) error {
	v = indirectInterface(v)
	if !v.IsValid() {
		st.node = n
		return st.errorf("no value (a missing map key or nil): use default or an if")
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem() // as text/template prints
	}
	_, err := fmt.Fprint(st.w, v.Interface())
	return err
}

func (st *state) ifOrWith(typ parse.NodeType, dot reflect.Value, n *parse.BranchNode) error {
	mark := len(st.vars)
	defer func() { st.vars = st.vars[:mark] }()
	v, err := st.pipeline(dot, n.Pipe)
	if err != nil {
		return err
	}
	if truth(v) {
		if typ == parse.NodeWith {
			return st.walk(v, n.List)
		}
		return st.walk(dot, n.List)
	}
	if n.ElseList != nil {
		return st.walk(dot, n.ElseList)
	}
	return nil
}

func (st *state) walkRange(dot reflect.Value, r *parse.RangeNode) error {
	mark := len(st.vars)
	defer func() { st.vars = st.vars[:mark] }()
	val, err := st.pipeline(dot, r.Pipe)
	if err != nil {
		return err
	}
	val = indirectInterface(val)
	for val.IsValid() && val.Kind() == reflect.Pointer && !val.IsNil() {
		val = val.Elem()
	}
	inner := len(st.vars)
	one := func(k, v reflect.Value) error {
		st.vars = st.vars[:inner]
		if len(r.Pipe.Decl) > 0 {
			if r.Pipe.IsAssign {
				if len(r.Pipe.Decl) > 1 {
					st.set1(r.Pipe.Decl[0].Ident[0], k)
					st.set1(r.Pipe.Decl[1].Ident[0], v)
				} else {
					st.set1(r.Pipe.Decl[0].Ident[0], v)
				}
			} else if len(r.Pipe.Decl) > 1 {
				st.vars = append(st.vars, variable{r.Pipe.Decl[0].Ident[0], k}, variable{r.Pipe.Decl[1].Ident[0], v})
			} else {
				st.vars = append(st.vars, variable{r.Pipe.Decl[0].Ident[0], v})
			}
		}
		err := st.walk(v, r.List)
		if errors.Is(err, errContinue) {
			return nil
		}
		return err
	}
	n := 0
	var loopErr error
	switch {
	case !val.IsValid():
	case val.Kind() == reflect.Slice || val.Kind() == reflect.Array:
		n = val.Len()
		for i := 0; i < n && loopErr == nil; i++ {
			loopErr = one(reflect.ValueOf(i), val.Index(i))
		}
	case val.Kind() == reflect.Map:
		keys := sortedKeys(val)
		n = len(keys)
		for _, k := range keys {
			if loopErr = one(k, val.MapIndex(k)); loopErr != nil {
				break
			}
		}
	case isInt(val):
		n = int(toInt(val))
		for i := 0; i < n && loopErr == nil; i++ {
			loopErr = one(reflect.ValueOf(i), reflect.ValueOf(i))
		}
	default:
		st.node = r
		return st.errorf("range can't iterate over %v", val.Type())
	}
	if errors.Is(loopErr, errBreak) {
		return nil
	}
	if loopErr != nil {
		return loopErr
	}
	if n == 0 && r.ElseList != nil {
		st.vars = st.vars[:inner]
		return st.walk(dot, r.ElseList)
	}
	return nil
}

func (st *state) walkTemplate(dot reflect.Value, t *parse.TemplateNode) error {
	tree, ok := st.set.trees[t.Name]
	if !ok || tree.Root == nil {
		return st.errorf("no such template %q", t.Name)
	}
	if st.depth >= maxDepth {
		return st.errorf("exceeded maximum template depth (%d)", maxDepth)
	}
	v, err := st.pipeline(dot, t.Pipe)
	if err != nil {
		return err
	}
	sub := &state{set: st.set, w: st.w, tree: tree, vars: []variable{{"$", v}}, depth: st.depth + 1}
	return sub.walk(v, tree.Root)
}

func (st *state) set1(name string, v reflect.Value) {
	for i := len(st.vars) - 1; i >= 0; i-- {
		if st.vars[i].name == name {
			st.vars[i].value = v
			return
		}
	}
}

func (st *state) pipeline(dot reflect.Value, pipe *parse.PipeNode) (reflect.Value, error) {
	if pipe == nil {
		return reflect.Value{}, nil
	}
	st.node = pipe
	var val reflect.Value
	for i, cmd := range pipe.Cmds {
		var err error
		val, err = st.command(dot, cmd, val, i > 0)
		if err != nil {
			return reflect.Value{}, err
		}
	}
	for _, d := range pipe.Decl {
		if pipe.IsAssign {
			st.set1(d.Ident[0], val)
		} else {
			st.vars = append(st.vars, variable{d.Ident[0], val})
		}
	}
	return val, nil
}

func (st *state) command(dot reflect.Value, cmd *parse.CommandNode, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	st.node = cmd
	first := cmd.Args[0]
	switch n := first.(type) {
	case *parse.IdentifierNode:
		return st.call(dot, cmd, n, cmd.Args, final, hasFinal)
	}
	if len(cmd.Args) > 1 || hasFinal {
		return reflect.Value{}, st.errorf("can't give argument to non-function %s", first)
	}
	return st.arg(dot, first)
}

func (st *state) arg(dot reflect.Value, n parse.Node) (reflect.Value, error) {
	st.node = n
	switch n := n.(type) {
	case *parse.DotNode:
		return dot, nil
	case *parse.NilNode:
		return reflect.Value{}, st.errorf("nil is not a command")
	case *parse.FieldNode:
		return st.fields(dot, n.Ident)
	case *parse.VariableNode:
		v, err := st.variable(n.Ident[0])
		if err != nil {
			return v, err
		}
		return st.fields(v, n.Ident[1:])
	case *parse.ChainNode:
		v, err := st.arg(dot, n.Node)
		if err != nil {
			return v, err
		}
		st.node = n
		return st.fields(v, n.Field)
	case *parse.PipeNode:
		mark := len(st.vars)
		defer func() { st.vars = st.vars[:mark] }()
		return st.pipeline(dot, n)
	case *parse.BoolNode:
		return reflect.ValueOf(n.True), nil
	case *parse.StringNode:
		return reflect.ValueOf(n.Text), nil
	case *parse.NumberNode:
		switch {
		case n.IsComplex: // as text/template: 0i is complex, even though it is also a whole number
			return reflect.ValueOf(n.Complex128), nil
		case n.IsInt:
			return reflect.ValueOf(int(n.Int64)), nil
		case n.IsFloat:
			return reflect.ValueOf(n.Float64), nil
		case n.IsUint:
			return reflect.ValueOf(n.Uint64), nil
		}
		return reflect.Value{}, st.errorf("number %s is not supported here", n.Text)
	case *parse.IdentifierNode:
		return st.call(dot, n, n, []parse.Node{n}, reflect.Value{}, false)
	}
	return reflect.Value{}, st.errorf("can't handle %s as an argument", n)
}

func (st *state) variable(name string) (reflect.Value, error) {
	for i := len(st.vars) - 1; i >= 0; i-- {
		if st.vars[i].name == name {
			return st.vars[i].value, nil
		}
	}
	return reflect.Value{}, st.errorf("undefined variable: %s", name)
}

// fields follows .A.B.C through structs (exported fields), pointers,
// interfaces and string-keyed maps. A missing map key gives no value.
func (st *state) fields(v reflect.Value, idents []string) (reflect.Value, error) {
	for _, id := range idents {
		v = indirectInterface(v)
		for v.IsValid() && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, st.errorf("nil pointer evaluating .%s", id)
			}
			v = indirectInterface(v.Elem())
		}
		if !v.IsValid() {
			return reflect.Value{}, st.errorf("no value to evaluate .%s on (a missing map key?)", id)
		}
		switch v.Kind() {
		case reflect.Struct:
			f, ok := v.Type().FieldByName(id)
			if !ok || !f.IsExported() {
				return reflect.Value{}, st.errorf("can't evaluate field %s in type %s (these templates have no method calls)", id, v.Type())
			}
			v = v.FieldByIndex(f.Index)
		case reflect.Map:
			if v.Type().Key().Kind() != reflect.String {
				return reflect.Value{}, st.errorf("can't evaluate .%s on a map keyed by %s", id, v.Type().Key())
			}
			v = v.MapIndex(reflect.ValueOf(id).Convert(v.Type().Key()))
		default:
			return reflect.Value{}, st.errorf("can't evaluate field %s in type %s", id, v.Type())
		}
	}
	return v, nil
}

func (st *state) call(dot reflect.Value, at parse.Node, id *parse.IdentifierNode, args []parse.Node, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	name := id.Ident
	switch name {
	case "and", "or":
		return st.andOr(dot, name == "and", args[1:], final, hasFinal)
	}
	fn, ok := st.set.funcs[name]
	if name == "include" {
		fn, ok = st.include, true
	}
	if !ok {
		return reflect.Value{}, st.errorf("%q is not a defined function", name)
	}
	vals := make([]any, 0, len(args))
	for _, a := range args[1:] {
		v, err := st.arg(dot, a)
		if err != nil {
			return reflect.Value{}, err
		}
		vals = append(vals, toAny(v))
	}
	if hasFinal {
		vals = append(vals, toAny(final))
	}
	st.node = at
	out, err := fn(vals...)
	if err != nil {
		return reflect.Value{}, st.errorf("error calling %s: %w", name, err)
	}
	return reflect.ValueOf(out), nil
}

// include renders a template to a string, so that its output can be piped
// (to indent, for instance).
func (st *state) include(a ...any) (any, error) {
	if len(a) != 2 {
		return nil, fmt.Errorf("include wants a template name and its data, got %d arguments", len(a))
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, errors.New("include wants a template name first")
	}
	tree, ok := st.set.trees[name]
	if !ok || tree.Root == nil {
		return nil, fmt.Errorf("no such template %q", name)
	}
	if st.depth >= maxDepth {
		return nil, fmt.Errorf("exceeded maximum template depth (%d)", maxDepth)
	}
	var b bytes.Buffer
	v := reflect.ValueOf(a[1])
	sub := &state{set: st.set, w: &b, tree: tree, vars: []variable{{"$", v}}, depth: st.depth + 1}
	if err := sub.walk(v, tree.Root); err != nil && !errors.Is(err, errBreak) && !errors.Is(err, errContinue) {
		return nil, err
	}
	return b.String(), nil
}

// andOr short-circuits as text/template does since Go 1.18.
func (st *state) andOr(dot reflect.Value, and bool, args []parse.Node, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	if len(args) == 0 && !hasFinal {
		return reflect.Value{}, st.errorf("and/or need at least one argument")
	}
	var v reflect.Value
	for _, a := range args {
		var err error
		if v, err = st.arg(dot, a); err != nil {
			return v, err
		}
		if truth(v) != and {
			return v, nil
		}
	}
	if hasFinal {
		return final, nil
	}
	return v, nil
}

func toAny(v reflect.Value) any {
	v = indirectInterface(v)
	if !v.IsValid() || !v.CanInterface() {
		return nil
	}
	return v.Interface()
}

func indirectInterface(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

func truth(v reflect.Value) bool {
	v = indirectInterface(v)
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0
	case reflect.Bool:
		return v.Bool()
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.Interface:
		return !v.IsNil()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0
	}
	return true
}

func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		switch {
		case isInt(a) && isInt(b):
			return toInt(a) < toInt(b)
		case a.Kind() == reflect.String && b.Kind() == reflect.String:
			return a.String() < b.String()
		}
		return fmt.Sprint(a.Interface()) < fmt.Sprint(b.Interface())
	})
	return keys
}

func isInt(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func toInt(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(v.Uint())
	}
	return v.Int()
}

// stringish reports the string form of v for functions taking text.
func stringish(a any) string {
	switch s := a.(type) {
	case nil:
		return ""
	case string:
		return s
	case fmt.Stringer:
		return s.String()
	}
	return fmt.Sprint(a)
}

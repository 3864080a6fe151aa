package manifest

import (
	"encoding"
	"encoding/json"
	"fmt"
	"go/format"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/org/timetracker-ci/internal/golden"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The Go types under internal/k8sapi mirror the k8s.io/api types of the
// kinds the validator knows: same package names, type names, kinds, field
// order, embedding and json tags, so that encoding/json (through the copy
// of sigs.k8s.io/yaml in internal/k8syaml) accepts and rejects exactly what
// it did with the originals and prints the same errors, without linking the
// Kubernetes modules into the shipped binary. k8s.io/api stays a test-only
// dependency: this test regenerates the mirror from it by reflection and
// fails when the checked-in files differ (go test -update rewrites them).
// The few types that decode themselves (json.Unmarshaler) are written by
// hand beside the generated files; the test fails on any other.

// k8sRoots are the types the validator decodes.
var k8sRoots = []any{
	metav1.TypeMeta{},
	appsv1.Deployment{}, appsv1.StatefulSet{}, appsv1.DaemonSet{},
	batchv1.Job{}, batchv1.CronJob{},
	corev1.Service{}, corev1.ConfigMap{}, corev1.Secret{}, corev1.ServiceAccount{},
	corev1.PersistentVolumeClaim{}, corev1.Namespace{},
	networkingv1.Ingress{}, policyv1.PodDisruptionBudget{}, autoscalingv2.HorizontalPodAutoscaler{},
}

// k8sHandWritten are the types with their own UnmarshalJSON, ported by hand.
var k8sHandWritten = map[string]bool{
	"k8s.io/apimachinery/pkg/api/resource.Quantity":   true,
	"k8s.io/apimachinery/pkg/apis/meta/v1.Time":       true,
	"k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1":   true,
	"k8s.io/apimachinery/pkg/util/intstr.IntOrString": true,
}

const k8sapiImport = "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/"

// k8sDir maps an upstream package path to its mirror's directory under
// internal/k8sapi.
func k8sDir(pkgPath string) string {
	for _, p := range []string{"k8s.io/api/", "k8s.io/apimachinery/pkg/apis/", "k8s.io/apimachinery/pkg/"} {
		if rest, ok := strings.CutPrefix(pkgPath, p); ok {
			return rest
		}
	}
	return ""
}

type k8sGen struct {
	t     *testing.T
	seen  map[reflect.Type]bool
	decls map[string]map[string]string // dir -> type name -> declaration
}

func (g *k8sGen) walk(rt reflect.Type) {
	if g.seen[rt] {
		return
	}
	g.seen[rt] = true
	pt := reflect.PointerTo(rt)
	custom := pt.Implements(reflect.TypeFor[json.Unmarshaler]()) || pt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
	if rt.Name() != "" && rt.PkgPath() != "" {
		full := rt.PkgPath() + "." + rt.Name()
		if k8sDir(rt.PkgPath()) == "" {
			g.t.Fatalf("%s is outside the packages the mirror maps", full)
		}
		if custom != k8sHandWritten[full] {
			g.t.Fatalf("%s: decodes itself %v, written by hand %v: port its UnmarshalJSON by hand (or drop it from k8sHandWritten)", full, custom, k8sHandWritten[full])
		}
		if custom {
			return
		}
	} else if custom {
		g.t.Fatalf("unnamed type %s decodes itself", rt)
	}
	switch rt.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		g.walk(rt.Elem())
	case reflect.Map:
		g.walk(rt.Key())
		g.walk(rt.Elem())
	case reflect.Struct:
		for i := range rt.NumField() {
			g.walk(rt.Field(i).Type)
		}
	case reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		g.t.Fatalf("%s: kind %s is not mirrored", rt, rt.Kind())
	}
	if rt.Name() != "" && rt.PkgPath() != "" {
		dir := k8sDir(rt.PkgPath())
		if g.decls[dir] == nil {
			g.decls[dir] = map[string]string{}
		}
		g.decls[dir][rt.Name()] = "type " + rt.Name() + " " + g.underlying(rt, dir)
	}
}

// expr is how a type is written inside the package in dir.
func (g *k8sGen) expr(rt reflect.Type, dir string) string {
	if rt.Name() != "" {
		if rt.PkgPath() == "" {
			return rt.Name()
		}
		d := k8sDir(rt.PkgPath())
		if d == dir {
			return rt.Name()
		}
		return strings.ReplaceAll(d, "/", "") + "." + rt.Name()
	}
	return g.underlying(rt, dir)
}

func (g *k8sGen) underlying(rt reflect.Type, dir string) string {
	switch rt.Kind() {
	case reflect.Pointer:
		return "*" + g.expr(rt.Elem(), dir)
	case reflect.Slice:
		return "[]" + g.expr(rt.Elem(), dir)
	case reflect.Array:
		return "[" + strconv.Itoa(rt.Len()) + "]" + g.expr(rt.Elem(), dir)
	case reflect.Map:
		return "map[" + g.expr(rt.Key(), dir) + "]" + g.expr(rt.Elem(), dir)
	case reflect.Struct:
		var b strings.Builder
		b.WriteString("struct {\n")
		for i := range rt.NumField() {
			f := rt.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue // encoding/json never sees it
			}
			if f.Anonymous {
				b.WriteString(g.expr(f.Type, dir))
			} else {
				b.WriteString(f.Name + " " + g.expr(f.Type, dir))
			}
			if tag, ok := f.Tag.Lookup("json"); ok {
				b.WriteString(" `json:" + strconv.Quote(tag) + "`")
			}
			b.WriteString("\n")
		}
		b.WriteString("}")
		return b.String()
	}
	return rt.Kind().String()
}

// generateK8sMirror returns the generated file of every mirrored package,
// by directory.
func generateK8sMirror(t *testing.T) map[string][]byte {
	g := &k8sGen{t: t, seen: map[reflect.Type]bool{}, decls: map[string]map[string]string{}}
	for _, r := range k8sRoots {
		g.walk(reflect.TypeOf(r))
	}
	out := map[string][]byte{}
	for dir, decls := range g.decls {
		names := make([]string, 0, len(decls))
		for n := range decls {
			names = append(names, n)
		}
		sort.Strings(names)
		var body strings.Builder
		for _, n := range names {
			body.WriteString(decls[n] + "\n\n")
		}
		imports := map[string]bool{}
		for _, line := range strings.Split(body.String(), "\n") {
			for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '*' || r == '[' || r == ']' || r == '\t' }) {
				if pkg, _, ok := strings.Cut(w, "."); ok && !strings.Contains(w, "`") {
					imports[pkg] = true
				}
			}
		}
		aliasDir := map[string]string{}
		for d := range g.allDirs() {
			aliasDir[strings.ReplaceAll(d, "/", "")] = d
		}
		var src strings.Builder
		fmt.Fprintf(&src, "// Code generated by TestK8sMirror from k8s.io/api; DO NOT EDIT.\n\n")
		fmt.Fprintf(&src, "// Package %s mirrors the decoding shape of %s (see pkg/manifest/k8sapi_gen_test.go).\n", mirrorPkgName(dir), dir)
		fmt.Fprintf(&src, "package %s\n\n", mirrorPkgName(dir))
		var imps []string
		for a := range imports {
			d, ok := aliasDir[a]
			if !ok {
				t.Fatalf("%s: unknown package %s", dir, a)
			}
			imps = append(imps, fmt.Sprintf("%s %q", a, k8sapiImport+d))
		}
		sort.Strings(imps)
		if len(imps) > 0 {
			src.WriteString("import (\n" + strings.Join(imps, "\n") + "\n)\n\n")
		}
		src.WriteString(body.String())
		formatted, err := format.Source([]byte(src.String()))
		if err != nil {
			t.Fatalf("%s: %v\n%s", dir, err, src.String())
		}
		out[dir] = formatted
	}
	return out
}

// allDirs is every directory the mirror has, generated or written by hand.
func (g *k8sGen) allDirs() map[string]bool {
	dirs := map[string]bool{}
	for d := range g.decls {
		dirs[d] = true
	}
	for full := range k8sHandWritten {
		i := strings.LastIndex(full, ".")
		dirs[k8sDir(full[:i])] = true
	}
	return dirs
}

// mirrorPkgName is the package name of a mirror directory: its last element.
func mirrorPkgName(dir string) string { return dir[strings.LastIndex(dir, "/")+1:] }

func TestK8sMirror(t *testing.T) {
	files := generateK8sMirror(t)
	if len(files) < 8 {
		t.Fatalf("only %d packages generated", len(files))
	}
	for dir, src := range files {
		golden.Check(t, filepath.Join("internal", "k8sapi", filepath.FromSlash(dir), "zz_generated.go"), src)
	}
}

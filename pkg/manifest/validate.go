package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	sigsyaml "sigs.k8s.io/yaml"
)

// Validate checks one rendered file, choosing the validator from its name
// and content, and returns the kind it was validated as. img is the image the
// files must deploy: a reference to its repository must carry its digest.
func Validate(ctx context.Context, name string, data []byte, img Image) (Kind, error) {
	switch path.Ext(name) {
	case ".json":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return "", fmt.Errorf("not valid JSON: %w", err)
		}
		return KindJSON, nil
	case ".yml", ".yaml":
	default:
		return KindText, nil
	}
	var top map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		top = nil
		if err := dec.Decode(&top); err != nil {
			if err.Error() == "EOF" {
				return "", ErrNotManifest
			}
			return "", fmt.Errorf("not valid YAML: %w", err)
		}
		if top != nil {
			break
		}
	}
	if _, ok := top["kind"]; ok {
		if _, ok := top["apiVersion"]; ok {
			return KindKubernetes, ValidateKubernetes(data, img)
		}
	}
	if _, ok := top["services"]; ok {
		return KindCompose, ValidateCompose(ctx, name, data, img)
	}
	return "", ErrNotManifest
}

// ValidateCompose loads a compose file with compose-go's loader (the
// compose-spec schema and consistency checks) without reading .env or
// interpolating variables, then checks that every service using img's
// repository pins img's digest.
func ValidateCompose(ctx context.Context, name string, data []byte, img Image) error {
	details := types.ConfigDetails{
		WorkingDir:  ".",
		ConfigFiles: []types.ConfigFile{{Filename: name, Content: data}},
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SkipInterpolation = true      // ${VAR} comes from .env at deploy time
		o.SkipResolveEnvironment = true // env_file need not exist here
		o.SkipInclude = true
		o.SkipExtends = true
		o.ResolvePaths = false
		o.SetProjectName("validate", true)
	})
	if err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	names := make([]string, 0, len(project.Services))
	for n := range project.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := checkImage(project.Services[n].Image, img); err != nil {
			return fmt.Errorf("compose: service %s: %w", n, err)
		}
	}
	return nil
}

// checkImage refuses a reference to img's repository that is not pinned to
// img's digest; other images (a database, say) may use tags.
func checkImage(ref string, img Image) error {
	if ref == "" {
		return nil
	}
	name, _, digest, err := ParseImageRef(ref)
	if err != nil {
		return err
	}
	if name == img.Name && digest != img.Digest {
		return fmt.Errorf("image %s is not pinned to %s", ref, img.Ref())
	}
	return nil
}

// k8sDoc is one document of a multi-document YAML stream.
type k8sDoc struct {
	index, line int
	data        []byte
}

func (d k8sDoc) where() string { return fmt.Sprintf("document %d (line %d)", d.index, d.line) }

// splitDocuments splits on "---" lines, as kubectl does, remembering where
// each document starts.
func splitDocuments(data []byte) []k8sDoc {
	var docs []k8sDoc
	var cur bytes.Buffer
	start, n := 1, 0
	flush := func() {
		if strings.TrimSpace(stripComments(cur.String())) != "" {
			docs = append(docs, k8sDoc{index: len(docs) + 1, line: start, data: append([]byte(nil), cur.Bytes()...)})
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		n++
		t := strings.TrimRight(line, " \t\r\n")
		if t == "---" || strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "---\t") {
			flush()
			start = n + 1
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return docs
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

type workload struct {
	doc    k8sDoc
	kind   string
	name   string
	labels map[string]string
	pod    *corev1.PodSpec
}

// ValidateKubernetes decodes every document strictly (unknown or duplicate
// fields are errors) into the k8s.io/api type its apiVersion and kind name,
// then checks what the API server would only find at apply time or later:
// workload selectors match their pod template labels, probes use declared
// container ports, every image is pinned by digest (img's repository to
// img's digest), Services select a workload in the file and target one of
// its ports, secret references name a key.
func ValidateKubernetes(data []byte, img Image) error {
	docs := splitDocuments(data)
	if len(docs) == 0 {
		return fmt.Errorf("kubernetes: no documents")
	}
	var workloads []workload
	var services []struct {
		doc k8sDoc
		svc *corev1.Service
	}
	for _, d := range docs {
		var tm metav1.TypeMeta
		if err := sigsyaml.Unmarshal(d.data, &tm); err != nil {
			return fmt.Errorf("kubernetes %s: %w", d.where(), err)
		}
		gvk := tm.APIVersion + " " + tm.Kind
		var obj any
		switch gvk {
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "apps/v1 StatefulSet":
			obj = &appsv1.StatefulSet{}
		case "apps/v1 DaemonSet":
			obj = &appsv1.DaemonSet{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "v1 ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		case "v1 Namespace":
			obj = &corev1.Namespace{}
		default:
			return fmt.Errorf("kubernetes %s: apiVersion %q kind %q is not one the validator knows (apps/v1 Deployment, StatefulSet, DaemonSet; v1 Service, ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim, Namespace)", d.where(), tm.APIVersion, tm.Kind)
		}
		if err := sigsyaml.UnmarshalStrict(d.data, obj); err != nil {
			return fmt.Errorf("kubernetes %s: %s: %w", d.where(), tm.Kind, err)
		}
		var meta *metav1.ObjectMeta
		var w *workload
		switch o := obj.(type) {
		case *appsv1.Deployment:
			meta = &o.ObjectMeta
			w = &workload{kind: tm.Kind, pod: &o.Spec.Template.Spec, labels: o.Spec.Template.Labels}
			if err := checkSelector(o.Spec.Selector, o.Spec.Template.Labels); err != nil {
				return fmt.Errorf("kubernetes %s: Deployment %s: %w", d.where(), o.Name, err)
			}
		case *appsv1.StatefulSet:
			meta = &o.ObjectMeta
			w = &workload{kind: tm.Kind, pod: &o.Spec.Template.Spec, labels: o.Spec.Template.Labels}
			if err := checkSelector(o.Spec.Selector, o.Spec.Template.Labels); err != nil {
				return fmt.Errorf("kubernetes %s: StatefulSet %s: %w", d.where(), o.Name, err)
			}
		case *appsv1.DaemonSet:
			meta = &o.ObjectMeta
			w = &workload{kind: tm.Kind, pod: &o.Spec.Template.Spec, labels: o.Spec.Template.Labels}
			if err := checkSelector(o.Spec.Selector, o.Spec.Template.Labels); err != nil {
				return fmt.Errorf("kubernetes %s: DaemonSet %s: %w", d.where(), o.Name, err)
			}
		case *corev1.Service:
			meta = &o.ObjectMeta
			services = append(services, struct {
				doc k8sDoc
				svc *corev1.Service
			}{d, o})
		case *corev1.ConfigMap:
			meta = &o.ObjectMeta
		case *corev1.Secret:
			meta = &o.ObjectMeta
		case *corev1.ServiceAccount:
			meta = &o.ObjectMeta
		case *corev1.PersistentVolumeClaim:
			meta = &o.ObjectMeta
		case *corev1.Namespace:
			meta = &o.ObjectMeta
		}
		if err := checkMeta(meta); err != nil {
			return fmt.Errorf("kubernetes %s: %s: %w", d.where(), tm.Kind, err)
		}
		if w != nil {
			w.doc, w.name = d, meta.Name
			if err := checkPod(w.pod, img); err != nil {
				return fmt.Errorf("kubernetes %s: %s %s: %w", d.where(), w.kind, w.name, err)
			}
			workloads = append(workloads, *w)
		}
	}
	for _, s := range services {
		if err := checkService(s.svc, workloads); err != nil {
			return fmt.Errorf("kubernetes %s: Service %s: %w", s.doc.where(), s.svc.Name, err)
		}
	}
	return nil
}

func checkMeta(m *metav1.ObjectMeta) error {
	if m.Name == "" {
		return fmt.Errorf("metadata.name is missing")
	}
	if errs := validation.IsDNS1123Subdomain(m.Name); len(errs) > 0 {
		return fmt.Errorf("metadata.name %q: %s", m.Name, strings.Join(errs, "; "))
	}
	if m.Namespace != "" {
		if errs := validation.IsDNS1123Label(m.Namespace); len(errs) > 0 {
			return fmt.Errorf("metadata.namespace %q: %s", m.Namespace, strings.Join(errs, "; "))
		}
	}
	return checkLabels("metadata.labels", m.Labels)
}

func checkLabels(field string, l map[string]string) error {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("%s key %q: %s", field, k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(l[k]); len(errs) > 0 {
			return fmt.Errorf("%s %s=%q: %s", field, k, l[k], strings.Join(errs, "; "))
		}
	}
	return nil
}

func checkSelector(sel *metav1.LabelSelector, podLabels map[string]string) error {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return fmt.Errorf("spec.selector is missing or empty: it must select the pod template's labels")
	}
	if err := checkLabels("spec.template.metadata.labels", podLabels); err != nil {
		return err
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return fmt.Errorf("spec.selector: %w", err)
	}
	if !s.Matches(labels.Set(podLabels)) {
		return fmt.Errorf("spec.selector %q does not match the pod template labels %v: the workload would never own its pods", s.String(), labels.Set(podLabels).String())
	}
	return nil
}

func checkPod(pod *corev1.PodSpec, img Image) error {
	if len(pod.Containers) == 0 {
		return fmt.Errorf("the pod template has no containers")
	}
	all := append(append([]corev1.Container(nil), pod.InitContainers...), pod.Containers...)
	for _, c := range all {
		if c.Image == "" {
			return fmt.Errorf("container %s has no image", c.Name)
		}
		_, _, digest, err := ParseImageRef(c.Image)
		if err != nil {
			return fmt.Errorf("container %s: %w", c.Name, err)
		}
		if digest == "" {
			return fmt.Errorf("container %s: image %s is not pinned by digest (name@sha256:...)", c.Name, c.Image)
		}
		if err := checkImage(c.Image, img); err != nil {
			return fmt.Errorf("container %s: %w", c.Name, err)
		}
		for _, p := range []struct {
			what  string
			probe *corev1.Probe
		}{{"livenessProbe", c.LivenessProbe}, {"readinessProbe", c.ReadinessProbe}, {"startupProbe", c.StartupProbe}} {
			if err := checkProbe(p.probe, c); err != nil {
				return fmt.Errorf("container %s: %s: %w", c.Name, p.what, err)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				r := e.ValueFrom.SecretKeyRef
				if r.Name == "" || r.Key == "" {
					return fmt.Errorf("container %s: env %s: secretKeyRef needs both name and key", c.Name, e.Name)
				}
			}
		}
	}
	return nil
}

func checkProbe(p *corev1.Probe, c corev1.Container) error {
	if p == nil {
		return nil
	}
	switch {
	case p.HTTPGet != nil:
		return portExists(p.HTTPGet.Port, c)
	case p.TCPSocket != nil:
		return portExists(p.TCPSocket.Port, c)
	case p.GRPC != nil:
		return portExists(intstr.FromInt32(p.GRPC.Port), c)
	}
	return nil
}

func portExists(port intstr.IntOrString, c corev1.Container) error {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return nil
		}
	}
	return fmt.Errorf("port %s is not among the container's ports %s", port.String(), portList(c))
}

func portList(c corev1.Container) string {
	var s []string
	for _, p := range c.Ports {
		if p.Name != "" {
			s = append(s, fmt.Sprintf("%s=%d", p.Name, p.ContainerPort))
		} else {
			s = append(s, fmt.Sprint(p.ContainerPort))
		}
	}
	return "[" + strings.Join(s, " ") + "]"
}

func checkService(svc *corev1.Service, ws []workload) error {
	if len(svc.Spec.Selector) == 0 || len(ws) == 0 {
		return nil // an external or headless Service, or one for workloads elsewhere
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	for _, w := range ws {
		if !sel.Matches(labels.Set(w.labels)) {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			ok := false
			for _, c := range w.pod.Containers {
				if portExists(target, c) == nil {
					ok = true
					break
				}
			}
			if !ok {
				return fmt.Errorf("port %s targets %s, which no container of %s %s declares", portName(sp), target.String(), w.kind, w.name)
			}
		}
		return nil
	}
	return fmt.Errorf("selector %s matches no workload in this file: it would route to nothing", sel.String())
}

func portName(sp corev1.ServicePort) string {
	if sp.Name != "" {
		return sp.Name
	}
	return fmt.Sprint(sp.Port)
}

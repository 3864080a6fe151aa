package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	appsv1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/apps/v1"
	autoscalingv2 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/autoscaling/v2"
	batchv1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/batch/v1"
	corev1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/core/v1"
	metav1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/meta/v1"
	networkingv1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/networking/v1"
	policyv1 "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/policy/v1"
	"github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/util/intstr"
	sigsyaml "github.com/org/timetracker-ci/pkg/manifest/internal/k8syaml"
	"gopkg.in/yaml.v3"
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
	doc      k8sDoc
	kind     string
	name     string
	selector *metav1.LabelSelector
	template *corev1.PodTemplateSpec
}

// knownKinds are the apiVersion/kind pairs the validator decodes.
var knownKinds = map[string]func() any{
	"apps/v1 Deployment":                     func() any { return &appsv1.Deployment{} },
	"apps/v1 StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"apps/v1 DaemonSet":                      func() any { return &appsv1.DaemonSet{} },
	"batch/v1 Job":                           func() any { return &batchv1.Job{} },
	"batch/v1 CronJob":                       func() any { return &batchv1.CronJob{} },
	"v1 Service":                             func() any { return &corev1.Service{} },
	"v1 ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1 Secret":                              func() any { return &corev1.Secret{} },
	"v1 ServiceAccount":                      func() any { return &corev1.ServiceAccount{} },
	"v1 PersistentVolumeClaim":               func() any { return &corev1.PersistentVolumeClaim{} },
	"v1 Namespace":                           func() any { return &corev1.Namespace{} },
	"networking.k8s.io/v1 Ingress":           func() any { return &networkingv1.Ingress{} },
	"policy/v1 PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2 HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
}

const knownKindsList = "apps/v1 Deployment, StatefulSet, DaemonSet; batch/v1 Job, CronJob; v1 Service, ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim, Namespace; networking.k8s.io/v1 Ingress; policy/v1 PodDisruptionBudget; autoscaling/v2 HorizontalPodAutoscaler"

// k8sFile is what one file declares, for the checks across documents.
type k8sFile struct {
	workloads []workload
	services  map[string]*corev1.Service
	later     []func() error // checks that need every document
}

// ValidateKubernetes decodes every document strictly (unknown or duplicate
// fields are errors) into the type its apiVersion and kind name (a mirror of
// the k8s.io/api type, see internal/k8sapi),
// then checks what the API server would only find at apply time or later:
// workload selectors match their pod template labels, probes use declared
// container ports, every image is pinned by digest (img's repository to
// img's digest), secret references name a key; and, across the file,
// Services select a workload and target one of its ports, Ingress backends
// name a Service port, PodDisruptionBudgets select a workload and
// HorizontalPodAutoscalers scale one. The checks across documents apply
// only when the file declares what they look for (a file of Services alone
// may serve workloads declared elsewhere).
func ValidateKubernetes(data []byte, img Image) error {
	docs := splitDocuments(data)
	if len(docs) == 0 {
		return fmt.Errorf("kubernetes: no documents")
	}
	f := &k8sFile{services: map[string]*corev1.Service{}}
	for _, d := range docs {
		if err := f.add(d, img); err != nil {
			return err
		}
	}
	for _, check := range f.later {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (f *k8sFile) add(d k8sDoc, img Image) error {
	var tm metav1.TypeMeta
	if err := sigsyaml.Unmarshal(d.data, &tm); err != nil {
		return fmt.Errorf("kubernetes %s: %w", d.where(), err)
	}
	mk, ok := knownKinds[tm.APIVersion+" "+tm.Kind]
	if !ok {
		return fmt.Errorf("kubernetes %s: apiVersion %q kind %q is not one the validator knows (%s)", d.where(), tm.APIVersion, tm.Kind, knownKindsList)
	}
	obj := mk()
	if err := sigsyaml.UnmarshalStrict(d.data, obj); err != nil {
		return fmt.Errorf("kubernetes %s: %s: %w", d.where(), tm.Kind, err)
	}
	meta := obj.(interface{ Meta() *metav1.ObjectMeta }).Meta()
	wrap := func(err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("kubernetes %s: %s %s: %w", d.where(), tm.Kind, meta.Name, err)
	}
	if err := checkMeta(meta); err != nil {
		return fmt.Errorf("kubernetes %s: %s: %w", d.where(), tm.Kind, err)
	}
	var w *workload
	switch o := obj.(type) {
	case *appsv1.Deployment:
		w = &workload{selector: o.Spec.Selector, template: &o.Spec.Template}
	case *appsv1.StatefulSet:
		w = &workload{selector: o.Spec.Selector, template: &o.Spec.Template}
	case *appsv1.DaemonSet:
		w = &workload{selector: o.Spec.Selector, template: &o.Spec.Template}
	case *batchv1.Job:
		// A Job's selector is generated by the API server unless set.
		if err := checkPod(&o.Spec.Template.Spec, img); err != nil {
			return wrap(err)
		}
	case *batchv1.CronJob:
		if err := checkPod(&o.Spec.JobTemplate.Spec.Template.Spec, img); err != nil {
			return wrap(err)
		}
	case *corev1.Service:
		f.services[o.Name] = o
		f.later = append(f.later, func() error { return wrap(checkService(o, f.workloads)) })
	case *networkingv1.Ingress:
		f.later = append(f.later, func() error { return wrap(checkIngress(o, f.services)) })
	case *policyv1.PodDisruptionBudget:
		f.later = append(f.later, func() error { return wrap(checkPDB(o, f.workloads)) })
	case *autoscalingv2.HorizontalPodAutoscaler:
		f.later = append(f.later, func() error { return wrap(checkHPA(o, f.workloads)) })
	}
	if w != nil {
		w.doc, w.kind, w.name = d, tm.Kind, meta.Name
		if err := checkSelector(w.selector, w.template.Labels); err != nil {
			return wrap(err)
		}
		if err := checkPod(&w.template.Spec, img); err != nil {
			return wrap(err)
		}
		f.workloads = append(f.workloads, *w)
	}
	return nil
}

func checkMeta(m *metav1.ObjectMeta) error {
	name, ns := m.Name, m.Namespace
	if name == "" {
		return fmt.Errorf("metadata.name is missing")
	}
	if errs := isDNS1123Subdomain(name, "characters"); len(errs) > 0 {
		return fmt.Errorf("metadata.name %q: %s", name, strings.Join(errs, "; "))
	}
	if ns != "" {
		if errs := isDNS1123Label(ns); len(errs) > 0 {
			return fmt.Errorf("metadata.namespace %q: %s", ns, strings.Join(errs, "; "))
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
		if errs := isQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("%s key %q: %s", field, k, strings.Join(errs, "; "))
		}
		if errs := isValidLabelValue(l[k]); len(errs) > 0 {
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
	s, err := labelSelectorAsSelector(sel)
	if err != nil {
		return fmt.Errorf("spec.selector: %w", err)
	}
	if !s.matches(labelSet(podLabels)) {
		return fmt.Errorf("spec.selector %q does not match the pod template labels %v: the workload would never own its pods", s.String(), labelSet(podLabels).String())
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
	sel := selectorFromSet(svc.Spec.Selector)
	for _, w := range ws {
		if !sel.matches(labelSet(w.template.Labels)) {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			ok := false
			for _, c := range w.template.Spec.Containers {
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

func checkIngress(ing *networkingv1.Ingress, services map[string]*corev1.Service) error {
	if len(services) == 0 {
		return nil // the Services are declared elsewhere
	}
	backends := []*networkingv1.IngressBackend{ing.Spec.DefaultBackend}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for i := range r.HTTP.Paths {
			backends = append(backends, &r.HTTP.Paths[i].Backend)
		}
	}
	for _, b := range backends {
		if b == nil || b.Service == nil {
			continue
		}
		svc, ok := services[b.Service.Name]
		if !ok {
			return fmt.Errorf("backend Service %q is not declared in this file", b.Service.Name)
		}
		found := false
		for _, p := range svc.Spec.Ports {
			if (b.Service.Port.Name != "" && p.Name == b.Service.Port.Name) || (b.Service.Port.Name == "" && p.Port == b.Service.Port.Number) {
				found = true
				break
			}
		}
		if !found {
			want := b.Service.Port.Name
			if want == "" {
				want = fmt.Sprint(b.Service.Port.Number)
			}
			return fmt.Errorf("backend port %s is not a port of Service %s", want, svc.Name)
		}
	}
	return nil
}

func checkPDB(pdb *policyv1.PodDisruptionBudget, ws []workload) error {
	if pdb.Spec.Selector == nil {
		return fmt.Errorf("spec.selector is missing: the budget would protect no pods")
	}
	if len(ws) == 0 {
		return nil
	}
	sel, err := labelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return fmt.Errorf("spec.selector: %w", err)
	}
	for _, w := range ws {
		if sel.matches(labelSet(w.template.Labels)) {
			return nil
		}
	}
	return fmt.Errorf("spec.selector %q matches no workload in this file: the budget would protect nothing", sel.String())
}

func checkHPA(h *autoscalingv2.HorizontalPodAutoscaler, ws []workload) error {
	ref := h.Spec.ScaleTargetRef
	if len(ws) == 0 {
		return nil
	}
	for _, w := range ws {
		if w.kind == ref.Kind && w.name == ref.Name {
			return nil
		}
	}
	return fmt.Errorf("scaleTargetRef %s %s is not declared in this file: it would scale nothing", ref.Kind, ref.Name)
}

package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	mirror "github.com/org/timetracker-ci/pkg/manifest/internal/k8sapi/api/resource"
	"k8s.io/apimachinery/pkg/api/resource"
)

// k8sCorpus is every Kubernetes file the tests know: the golden files and
// the manifests of the table tests.
func k8sCorpus(t testing.TB) map[string]string {
	corpus := map[string]string{"goodDeployment": goodDeployment, "moreKinds": moreKinds}
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*"))
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".yml" && ext != ".yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("apiVersion:")) && bytes.Contains(data, []byte("kind:")) {
			corpus[f] = string(data)
		}
	}
	if len(corpus) < 4 {
		t.Fatalf("corpus has only %d files", len(corpus))
	}
	return corpus
}

// hugeExponent matches quantities like 1e-2147483648, on which upstream's
// ParseQuantity computes for minutes (the port only checks the form): the
// fuzz targets skip them.
var hugeExponent = regexp.MustCompile(`[eE][-+]?[0-9]{4,}`)

var yamlKeyLine = regexp.MustCompile(`^(\s*(?:- )?)([A-Za-z0-9_./-]+):( .*)?$`)

// k8sMutations derives documents from in: every key's value replaced by
// values of every YAML type, an unknown sibling key, a duplicated key, a
// key in other case, and the replacements of hand-picked cases.
func k8sMutations(in string) []string {
	var out []string
	lines := strings.Split(in, "\n")
	values := []string{"{}", "[]", "true", "yes", `"x"`, "x y", "12", "-1", "1.5", "1e3", "0x1F", "null", "~", "''", "[1, 2]", "{a: 1}", "'2026-01-02T03:04:05Z'", "2026-01-02", "99999999999", "1Gi", "100m", "NaN", ".inf", "'0'"}
	for i, l := range lines {
		m := yamlKeyLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		indent := strings.Repeat(" ", len(m[1]))
		with := func(repl ...string) string {
			c := append(append(append([]string(nil), lines[:i]...), repl...), lines[i+1:]...)
			return strings.Join(c, "\n")
		}
		for _, v := range values {
			out = append(out, with(m[1]+m[2]+": "+v))
		}
		out = append(out,
			with(l, indent+"zzUnknown: 1"),
			with(l, indent+m[2]+": "+strings.TrimSpace(m[3])),
			with(m[1]+strings.ToUpper(m[2][:1])+m[2][1:]+":"+m[3]),
			with(m[1]+strings.ToUpper(m[2])+":"+m[3]),
		)
	}
	return out
}

// k8sReplacements are targeted changes: names, labels, selectors,
// quantities, ports, probes and references.
var k8sReplacements = []struct{ from, to string }{
	{"  name: api\nspec:", "  name: API\nspec:"},
	{"  name: api\nspec:", "  name: a.b\n  namespace: a.b\nspec:"},
	{"  name: api\nspec:", "  name: " + strings.Repeat("a", 254) + "\nspec:"},
	{"  name: api\nspec:", "  name: api\n  namespace: " + strings.Repeat("n", 64) + "\nspec:"},
	{"  name: api\nspec:", "  name: api\n  namespace: -x\nspec:"},
	{"  name: api\nspec:", "  name: ''\nspec:"},
	{"  name: api\nspec:", "  name: 123\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {a/b/c: x}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {/b: x}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {Example.com/b: x}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {" + strings.Repeat("k", 64) + ": x}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {k: " + strings.Repeat("v", 64) + "}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {k: yes, n: 5, f: 1.5}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  labels: {'': x}\nspec:"},
	{"  name: api\nspec:", "  name: api\n  creationTimestamp: '2026-13-01T00:00:00Z'\nspec:"},
	{"  name: api\nspec:", "  name: api\n  creationTimestamp: 2026-01-02T03:04:05Z\nspec:"},
	{"  name: api\nspec:", "  name: api\n  managedFields: [{fieldsV1: {f:x: {}}}]\nspec:"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: app, operator: In, values: [api, web]}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: app, operator: NotIn, values: [web, db]}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: tier, operator: Exists}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: zone, operator: DoesNotExist}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: app, operator: In}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: app, operator: Exists, values: [x]}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: app, operator: Gt, values: ['1']}]"},
	{"matchLabels: {app: api}", "matchExpressions: [{key: 'a b', operator: In, values: ['c d', e]}]"},
	{"matchLabels: {app: api}", "matchLabels: {app: api, '-x': 'y z'}"},
	{"matchLabels: {app: api}", "matchLabels: {app: api}\n    matchExpressions: [{key: app, operator: In, values: [web]}]"},
	{"matchLabels: {app: api}", "matchLabels: {app: api}\n    matchExpressions: [{key: app, operator: NotIn, values: [web]}, {key: tier, operator: In, values: [web, db]}]"},
	{"ports: [{name: http, containerPort: 8080}]", "ports: [{name: http, containerPort: 8080}, {containerPort: 9090}]"},
	{"ports: [{name: http, containerPort: 8080}]", "ports: [{name: http, containerPort: '8080'}]"},
	{"ports: [{name: http, containerPort: 8080}]", "ports: [{name: http, containerPort: 8080, protocol: 7}]"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {grpc: {port: 8080}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {grpc: {port: 81}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: '8080'}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: true}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {exec: {command: [true]}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          env: [{name: A, valueFrom: {secretKeyRef: {name: s}}}]"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: 500m, memory: 1Gi}, requests: {cpu: 0.5, memory: 1e3}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: 1x}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: '.e-12'}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: ''}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: [1]}}"},
	{"livenessProbe: {tcpSocket: {port: 8080}}", "livenessProbe: {tcpSocket: {port: 8080}}\n          resources: {limits: {cpu: 1e-10}}"},
	{"ports: [{port: 80, targetPort: http}]", "ports: [{port: 80}]"},
	{"ports: [{port: 80, targetPort: http}]", "ports: [{port: 8080}]"},
	{"ports: [{port: 80, targetPort: http}]", "ports: [{name: web, port: 80, targetPort: 9999}]"},
	{"ports: [{port: 80, targetPort: http}]", "ports: [{port: 80, targetPort: 8080}]"},
	{"selector: {app: api}\n  ports", "ports"},
	{"selector: {app: api}\n  ports", "selector: {app: api, tier: web}\n  ports"},
	{"kind: Service", "kind: Secret"},
	{"apiVersion: v1\nkind: Service", "apiVersion: v1\nkind: Service\ndata: {a: b}"},
	{"kind: Deployment\n", "kind: StatefulSet\n"},
	{"kind: Deployment\n", "kind: DaemonSet\n"},
	{"kind: Deployment\n", "kind: Job\n"},
	{"apiVersion: apps/v1", "apiVersion: apps/v1beta1"},
	{"apiVersion: apps/v1\n", ""},
	{"service: {name: api, port: {number: 80}}", "service: {name: api, port: {name: http}}"},
	{"service: {name: api, port: {number: 80}}", "service: {name: api, port: {number: '80'}}"},
	{"service: {name: api, port: {number: 80}}", "resource: {kind: Bucket, name: b}"},
	{"minAvailable: 1", "minAvailable: 50%"},
	{"minAvailable: 1", "minAvailable: [1]"},
	{"  selector: {matchLabels: {app: api}}\n---\napiVersion: autoscaling", "  selector: {}\n---\napiVersion: autoscaling"},
	{"  selector: {matchLabels: {app: api}}\n---\napiVersion: autoscaling", "---\napiVersion: autoscaling"},
	{"kind: Deployment, name: api}", "kind: StatefulSet, name: api}"},
	{"maxReplicas: 5", "maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: AverageValue, averageValue: 500m}}}]"},
	{"maxReplicas: 5", "maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: AverageValue, averageValue: lots}}}]"},
	{"schedule: \"0 3 * * *\"", "schedule: 3"},
	{"restartPolicy: OnFailure", "restartPolicy: OnFailure\n          initContainers: [{name: init, image: busybox}]"},
	{"restartPolicy: OnFailure", "restartPolicy: OnFailure\n          activeDeadlineSeconds: 1.5"},
	{"restartPolicy: OnFailure", "restartPolicy: OnFailure\n          volumes: [{name: v, emptyDir: {sizeLimit: 1Gi}}]"},
	{"restartPolicy: OnFailure", "restartPolicy: OnFailure\n          volumes: [{name: v, emptyDir: {sizeLimit: 1Gx}}]"},
	{"\n---\n", "\n---\n# a comment\n---\n"},
}

func TestK8sDifferential(t *testing.T) {
	n, rejected := 0, 0
	for name, doc := range k8sCorpus(t) {
		variants := append([]string{doc}, k8sMutations(doc)...)
		for _, r := range k8sReplacements {
			if v := strings.Replace(doc, r.from, r.to, 1); v != doc {
				variants = append(variants, v)
			}
		}
		for _, v := range variants {
			n++
			if !sameK8sVerdict(t, name, v) {
				rejected++
			}
		}
	}
	t.Logf("%d documents compared, %d rejected", n, rejected)
	if n < 1000 || rejected < n/4 || rejected > n-len(k8sCorpus(t)) {
		t.Errorf("%d documents compared, %d rejected: the corpus no longer exercises both verdicts", n, rejected)
	}
}

// sameK8sVerdict reports whether the reference rejected data, failing the
// test when the validator's verdict or message differs from it.
func sameK8sVerdict(t *testing.T, name, data string) bool {
	t.Helper()
	want := oldValidateKubernetes([]byte(data), testImage)
	got := ValidateKubernetes([]byte(data), testImage)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("%s: the validator and the reference differ\n got: %v\nwant: %v\ndocument:\n%s", name, got, want, data)
	}
	return want == nil
}

func FuzzK8sDifferential(f *testing.F) {
	for _, doc := range k8sCorpus(f) {
		f.Add([]byte(doc))
	}
	for _, r := range k8sReplacements {
		f.Add([]byte(strings.Replace(moreKinds, r.from, r.to, 1)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if hugeExponent.Match(data) {
			t.Skip("upstream is too slow on huge exponents")
		}
		want := oldValidateKubernetes(data, testImage)
		got := ValidateKubernetes(data, testImage)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("differ\n got: %v\nwant: %v", got, want)
		}
	})
}

func TestQuantityDifferential(t *testing.T) {
	cases := []string{"", "0", "1", "-1", "+1", "1.5", ".5", "5.", ".", "+.", "-.", "1Gi", "1.5Gi", "1Ki", "1Ei", "9Ei", "100m", "1n", "1u", "1k",
		"1K", "1M", "1G", "1T", "1P", "1E", "1e3", "1E3", "1e-3", "1e-10", ".e-10", "+.e-12", "1e", "1e+", "1e+3", "1i", "1Gx", "abc", "1 Gi",
		"12345678901234567890", "123456789012345678901234567890Gi", "0.000000001", "0.0000000001", "1.Gi", "00001", "-0", "1e99", "1e-99",
		"1ee3", "1m3", "1.2.3", "--1", "1Mi5", "8Ei", "7Ei", "0x10", " 1", "1Gi ", "1.0000000000000000001"}
	for _, c := range cases {
		_, werr := resource.ParseQuantity(c)
		gerr := mirror.ParseQuantity(c)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%q: got %v, want %v", c, gerr, werr)
		}
	}
}

func FuzzQuantityDifferential(f *testing.F) {
	for _, s := range []string{"1Gi", "100m", "1e3", ".", "+.e-12", "1.5", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if hugeExponent.MatchString(s) {
			t.Skip("upstream is too slow on huge exponents")
		}
		_, werr := resource.ParseQuantity(s)
		if gerr := mirror.ParseQuantity(s); fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("%q: got %v, want %v", s, gerr, werr)
		}
	})
}

package manifest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testImage = Image{Name: "ghcr.io/org/timetracker", Tag: "1.2.3", Digest: testDigest}

// Every golden file passes the validator for its kind, read back from disk.
func TestGoldenFilesValidate(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if len(dirs) == 0 {
		t.Fatal("no golden directories")
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			kind, err := Validate(context.Background(), filepath.Base(f), data, testImage)
			if err != nil {
				t.Errorf("%s: %v", f, err)
			}
			if strings.HasSuffix(f, ".yml") && kind != KindCompose && kind != KindKubernetes {
				t.Errorf("%s validated as %q", f, kind)
			}
		}
	}
}

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api, tier: web}
    spec:
      containers:
        - name: api
          image: ghcr.io/org/timetracker@` + testDigest + `
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /_ready, port: http}}
          livenessProbe: {tcpSocket: {port: 8080}}
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
`

func TestValidateKubernetes(t *testing.T) {
	if err := ValidateKubernetes([]byte(goodDeployment), testImage); err != nil {
		t.Fatalf("good manifest rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"unknown field", "  selector:\n", "  selectr: {}\n  selector:\n", `document 1 (line 1): Deployment: error unmarshaling JSON: while decoding JSON: json: unknown field "selectr"`},
		{"selector mismatch", "labels: {app: api, tier: web}", "labels: {app: web}", `Deployment api: spec.selector "app=api" does not match the pod template labels app=web`},
		{"no selector", "    matchLabels: {app: api}\n", "    matchLabels: {}\n", "spec.selector is missing or empty"},
		{"probe port name", "port: http}}", "port: web}}", `readinessProbe: port web is not among the container's ports [http=8080]`},
		{"probe port number", "port: 8080}}", "port: 9090}}", `livenessProbe: port 9090 is not among the container's ports`},
		{"unpinned", "@" + testDigest, ":1.2.3", "image ghcr.io/org/timetracker:1.2.3 is not pinned by digest"},
		{"other digest", testDigest, "sha256:" + strings.Repeat("f", 64), "is not pinned to ghcr.io/org/timetracker@" + testDigest},
		{"mixed case", "ghcr.io/org/timetracker@", "ghcr.io/Org/timetracker@", "must be lowercase"},
		{"service port", "targetPort: http", "targetPort: metrics", "Service api: port 80 targets metrics, which no container of Deployment api declares"},
		{"service selector", "selector: {app: api}\n  ports", "selector: {app: db}\n  ports", "Service api: selector app=db matches no workload in this file"},
		{"kind", "kind: Service", "kind: Ingress", `document 2 (line 19): apiVersion "v1" kind "Ingress" is not one the validator knows`},
		{"name", "  name: api\nspec:\n  selector:\n    matchLabels", "  name: API\nspec:\n  selector:\n    matchLabels", `metadata.name "API"`},
		{"label value", "tier: web}", "tier: 'a b'}", `spec.template.metadata.labels tier="a b"`},
		{"duplicate field", "  name: api\nspec:\n  selector:", "  name: api\n  name: api\nspec:\n  selector:", "already set in map"},
	}
	for _, c := range cases {
		in := strings.Replace(goodDeployment, c.from, c.to, 1)
		if in == goodDeployment {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		err := ValidateKubernetes([]byte(in), testImage)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v\nwant %q", c.name, err, c.want)
		}
	}
}

const goodCompose = `services:
  app:
    image: ghcr.io/org/timetracker@` + testDigest + ` # ghcr.io/org/timetracker:1.2.3
    env_file: .env
    depends_on:
      db: {condition: service_healthy}
    volumes: [data:/data]
  db:
    image: postgres:16-alpine
volumes:
  data: {}
`

func TestValidateCompose(t *testing.T) {
	ctx := context.Background()
	if err := ValidateCompose(ctx, "c.yml", []byte(goodCompose), testImage); err != nil {
		t.Fatalf("good compose file rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"schema", "    env_file: .env\n", "    env_file: .env\n    restart_policy: always\n", "restart_policy"},
		{"undefined volume", "volumes:\n  data: {}\n", "", "undefined volume"},
		{"depends on nothing", "db: {condition", "cache: {condition", "depends on undefined service"},
		{"unpinned app", "@" + testDigest, ":latest", "compose: service app: image ghcr.io/org/timetracker:latest is not pinned to"},
	}
	for _, c := range cases {
		in := strings.Replace(goodCompose, c.from, c.to, 1)
		if in == goodCompose {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		err := ValidateCompose(ctx, "c.yml", []byte(in), testImage)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v\nwant %q", c.name, err, c.want)
		}
	}
}

func TestValidateChoosesByContent(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, data string
		kind       Kind
		err        string
	}{
		{"a.yaml", goodDeployment, KindKubernetes, ""},
		{"b.yml", "# leading comment\n---\n" + goodCompose, KindCompose, ""},
		{"c.json", `{"a": 1}`, KindJSON, ""},
		{"d.json", `{"a": }`, "", "not valid JSON"},
		{"e.yml", "foo: bar\n", "", ErrNotManifest.Error()},
		{"f.yml", "a: [\n", "", "not valid YAML"},
		{"g.yml", "", "", ErrNotManifest.Error()},
		{"notes.txt", "anything", KindText, ""},
	}
	for _, c := range cases {
		kind, err := Validate(ctx, c.name, []byte(c.data), testImage)
		if c.err == "" && (err != nil || kind != c.kind) {
			t.Errorf("%s: kind %q, err %v; want %q", c.name, kind, err, c.kind)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.err)
		}
	}
}

func TestParseImageRef(t *testing.T) {
	d := testDigest
	cases := []struct{ in, name, tag, digest, err string }{
		{"ghcr.io/org/app:1.2.3", "ghcr.io/org/app", "1.2.3", "", ""},
		{"ghcr.io/org/app@" + d, "ghcr.io/org/app", "", d, ""},
		{"ghcr.io/org/app:1.2@" + d, "ghcr.io/org/app", "1.2", d, ""},
		{"localhost:5000/app:dev-abc1234", "localhost:5000/app", "dev-abc1234", "", ""},
		{"postgres:16-alpine", "postgres", "16-alpine", "", ""},
		{"localhost:5000/app", "", "", "", "neither a tag nor a digest"},
		{"ghcr.io/Org/App:1", "", "", "", "must be lowercase"},
		{"ghcr.io/org/app:", "", "", "", "is not a valid tag"},
		{"ghcr.io/org/app@sha256:abc", "", "", "", "64 lowercase hex"},
		{"ghcr.io/org//app:1", "", "", "", "not a valid repository name"},
		{"", "", "", "", "empty"},
	}
	for _, c := range cases {
		n, tg, dg, err := ParseImageRef(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || n != c.name || tg != c.tag || dg != c.digest {
			t.Errorf("%q: got %q %q %q %v", c.in, n, tg, dg, err)
		}
	}
}

func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{"ghcr.io/org/app:1.2.3", "a@" + testDigest, "localhost:5000/x:y@" + testDigest, "A:b", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, tg, dg, err := ParseImageRef(s)
		if err != nil {
			return
		}
		if n != strings.ToLower(n) || (tg == "" && dg == "") {
			t.Fatalf("%q accepted as %q %q %q", s, n, tg, dg)
		}
		again := n
		if tg != "" {
			again += ":" + tg
		}
		if dg != "" {
			again += "@" + dg
		}
		n2, tg2, dg2, err := ParseImageRef(again)
		if err != nil || n2 != n || tg2 != tg || dg2 != dg {
			t.Fatalf("%q does not round-trip: %q -> %q %q %q %v", s, again, n2, tg2, dg2, err)
		}
	})
}

func FuzzValidateKubernetes(f *testing.F) {
	f.Add([]byte(goodDeployment))
	f.Add([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ValidateKubernetes(data, testImage) // must not panic
	})
}

func TestMissingPlatforms(t *testing.T) {
	have := []string{"linux/amd64", "linux/arm64/v8"}
	if m := MissingPlatforms(have, []string{"linux/amd64", " linux/arm64", ""}); len(m) != 0 {
		t.Errorf("missing %v", m)
	}
	if m := MissingPlatforms(have, []string{"linux/arm/v7", "linux/amd64"}); strings.Join(m, ",") != "linux/arm/v7" {
		t.Errorf("missing %v", m)
	}
	if m := MissingPlatforms(have, []string{"linux/arm64/v8", "linux/arm64/v9"}); strings.Join(m, ",") != "linux/arm64/v9" {
		t.Errorf("missing %v", m)
	}
}

func TestRenderErrors(t *testing.T) {
	ctx := context.Background()
	opts := testOptions(t)
	opts.Files = []string{"k8s.yml"}
	if _, err := Render(ctx, opts); err == nil || !strings.Contains(err.Error(), `input "files": "k8s.yml" is not one of the files the templates produce: deployment-dev.yml, deployment.json, docker-compose.production.yml, k8s-deployment.yml`) {
		t.Errorf("got %v", err)
	}
	opts = testOptions(t)
	opts.Image.Digest = "sha256:abc"
	if _, err := Render(ctx, opts); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("got %v", err)
	}
	opts = testOptions(t)
	opts.Templates = os.DirFS(t.TempDir())
	opts.TemplatesLabel = "deploy"
	if _, err := Render(ctx, opts); err == nil || !strings.Contains(err.Error(), "templates deploy: no *.tmpl files found") {
		t.Errorf("got %v", err)
	}
	opts.Templates = fsWith(t, map[string]string{"big.txt.tmpl": `{{range 10000000}}0123456789{{end}}`})
	if _, err := Render(ctx, opts); err == nil || !strings.Contains(err.Error(), "template big.txt.tmpl renders more than 8 MiB: check its range loops") {
		t.Errorf("got %v", err)
	}
	var te *TemplateError
	opts.Templates = fsWith(t, map[string]string{"SHA256SUMS.tmpl": "x"})
	if _, err := Render(ctx, opts); !errors.As(err, &te) || !strings.Contains(err.Error(), "written by the action itself") {
		t.Errorf("got %v", err)
	}
}

const moreKinds = goodDeployment + `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  rules:
    - host: api.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: api, port: {number: 80}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector: {matchLabels: {app: api}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: ghcr.io/org/timetracker@` + testDigest + `
              command: [flask, cleanup]
`

func TestValidateMoreKinds(t *testing.T) {
	if err := ValidateKubernetes([]byte(moreKinds), testImage); err != nil {
		t.Fatalf("good manifest rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"ingress service", "service: {name: api,", "service: {name: web,", `Ingress api: backend Service "web" is not declared in this file`},
		{"ingress port", "port: {number: 80}", "port: {name: https}", "Ingress api: backend port https is not a port of Service api"},
		{"ingress field", "pathType: Prefix", "pathType: Prefix\n            weight: 1", `unknown field "weight"`},
		{"pdb", "selector: {matchLabels: {app: api}}\n---\napiVersion: autoscaling", "selector: {matchLabels: {app: web}}\n---\napiVersion: autoscaling", `PodDisruptionBudget api: spec.selector "app=web" matches no workload in this file`},
		{"hpa", "kind: Deployment, name: api}", "kind: Deployment, name: web}", "HorizontalPodAutoscaler api: scaleTargetRef Deployment web is not declared in this file"},
		{"cronjob image", "@" + testDigest + "\n              command", ":1.2.3\n              command", "CronJob cleanup: container cleanup: image ghcr.io/org/timetracker:1.2.3 is not pinned by digest"},
	}
	for _, c := range cases {
		in := strings.Replace(moreKinds, c.from, c.to, 1)
		if in == moreKinds {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		err := ValidateKubernetes([]byte(in), testImage)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v\nwant %q", c.name, err, c.want)
		}
	}
	// Cross-document checks apply only when the file declares their targets.
	alone := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  defaultBackend: {service: {name: elsewhere, port: {number: 80}}}\n"
	if err := ValidateKubernetes([]byte(alone), testImage); err != nil {
		t.Errorf("an Ingress for Services declared elsewhere: %v", err)
	}
}

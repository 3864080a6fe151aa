package manifest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The seed's runtime settings: TZ, CURRENCY and LOG_LEVEL reach the app from
// a ConfigMap in Kubernetes and from .env in the compose files.
func TestRuntimeSettings(t *testing.T) {
	o := testOptions(t)
	v, err := ParseValues("timezone=Europe/Brussels\ncurrency=CHF\nlog-level=WARNING", true)
	if err != nil {
		t.Fatal(err)
	}
	o.Values = v
	files, err := Render(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.Data
	}

	dec := yaml.NewDecoder(bytes.NewReader(byName[Kubernetes]))
	var cm, dep map[string]any
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			break
		}
		switch doc["kind"] {
		case "ConfigMap":
			cm = doc
		case "Deployment":
			dep = doc
		}
	}
	if cm == nil || dep == nil {
		t.Fatalf("k8s-deployment.yml lacks a ConfigMap or a Deployment")
	}
	data, _ := cm["data"].(map[string]any)
	for k, want := range map[string]string{"TZ": "Europe/Brussels", "CURRENCY": "CHF", "LOG_LEVEL": "WARNING"} {
		if data[k] != want {
			t.Errorf("ConfigMap %s = %v, want %s", k, data[k], want)
		}
	}
	name := cm["metadata"].(map[string]any)["name"]
	c := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	envFrom, _ := c["envFrom"].([]any)
	if len(envFrom) != 1 || envFrom[0].(map[string]any)["configMapRef"].(map[string]any)["name"] != name {
		t.Errorf("the container does not read the ConfigMap %v: envFrom %v", name, envFrom)
	}

	for file, level := range map[string]string{ComposeProduction: "WARNING", ComposeDev: "DEBUG"} {
		text := string(byName[file])
		for _, want := range []string{"TZ: ${TZ:-Europe/Brussels}", "CURRENCY: ${CURRENCY:-CHF}", "LOG_LEVEL: ${LOG_LEVEL:-" + level + "}"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q (a .env beside it overrides the default)", file, want)
			}
		}
	}
}

func TestRuntimeSettingsValues(t *testing.T) {
	for _, bad := range []string{"timezone=../etc/passwd", "timezone=Europe/Brussels x", "currency=eur", "currency=EURO", "log-level=verbose", "timezone="} {
		if _, err := ParseValues(bad, true); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"timezone=America/Argentina/Buenos_Aires", "timezone=Etc/GMT+1", "currency=USD", "log-level=DEBUG"} {
		if _, err := ParseValues(good, true); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	v, err := ParseValues("# comment\n\n port = 9000 \r\nreplicas=3\nhealth-path=/healthz\nnamespace=prod\n", true)
	if err != nil {
		t.Fatal(err)
	}
	if v.Port != 9000 || v.Replicas != 3 || v.HealthPath != "/healthz" || v.Namespace != "prod" || v.ReadyPath != "/_ready" || v.App != "timetracker" {
		t.Fatalf("got %+v", v)
	}
	if v.All["port"] != "9000" || v.All["secret-name"] != "timetracker-secrets" {
		t.Fatalf("All = %v", v.All)
	}
	u, err := ParseValues("x-team=payments\n", false)
	if err != nil || u.All["x-team"] != "payments" {
		t.Fatalf("user key: %v %v", u.All, err)
	}
}

func TestParseValuesErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"port", `values line 1: "port" is not key=value`},
		{"\nport=0", `values line 2: port="0": want a port number from 1 to 65535`},
		{"port=80\nport=81", `values line 2: key "port" is set twice (first on line 1)`},
		{"replica=3", `values line 1: unknown key "replica" for the built-in templates; known keys: app, cpu-request,`},
		{"Port=1", `values line 1: key "Port" must be lowercase`},
		{"replicas=-1", `replicas="-1": want a number from 0 to 1000`},
		{"\n\napp=Time_Tracker", `values line 3: app="Time_Tracker": want a name of lowercase letters`},
		{"app=yes", `app="yes": YAML reads this name as a boolean or null`},
		{"secret-name=0", `secret-name="0": want a name of lowercase letters, digits and '-', starting with a letter`},
		{"health-path=_health", `health-path="_health": want an absolute URL path`},
		{"memory-limit=lots", `memory-limit="lots": want a Kubernetes quantity`},
		{"postgres-image=Postgres:16", `postgres-image="Postgres:16": want an image reference with a tag or digest`},
		{"postgres-image=postgres", `postgres-image="postgres": want an image reference with a tag or digest`},
		{"environment=a b", `environment="a b": want a name`},
	}
	for _, c := range cases {
		_, err := ParseValues(c.in, true)
		var ve *ValuesError
		if err == nil || !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzParseValues(f *testing.F) {
	for _, s := range []string{"port=8080\nreplicas=2", "# c\n\napp=x", "a=b=c", "port=\n", "=", "health-path=/x\r\n"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, strict bool) {
		v, err := ParseValues(text, strict)
		if err != nil {
			var ve *ValuesError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a *ValuesError: %v", err)
			}
			return
		}
		if v.Port < 1 || v.Port > 65535 || v.Replicas < 0 || !strings.HasPrefix(v.HealthPath, "/") || v.All == nil {
			t.Fatalf("accepted invalid values %+v from %q", v, text)
		}
		for k := range defaultValues {
			if _, ok := v.All[k]; !ok {
				t.Fatalf("key %s lost", k)
			}
		}
	})
}

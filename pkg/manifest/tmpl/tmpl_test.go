package tmpl

import (
	"strings"
	"testing"
	"text/template"
)

type image struct {
	Name      string
	Platforms []string
	Port      int
	Labels    map[string]string
}

var testData = map[string]any{
	"Image": image{Name: "ghcr.io/org/app", Platforms: []string{"linux/amd64", "linux/arm64"}, Port: 8080,
		Labels: map[string]string{"b": "2", "a": "1"}},
	"Replicas": 2,
	"Empty":    "",
	"Ptr":      &image{Name: "p"},
	"Arr":      [3]int{1, 2, 3},
}

// The same text must give the same bytes as text/template.
func TestMatchesTextTemplate(t *testing.T) {
	cases := []string{
		`plain text`,
		`{{.Image.Name}}:{{.Image.Port}}`,
		`{{range $i, $p := .Image.Platforms}}{{$i}}={{$p}};{{end}}`,
		`{{range .Image.Platforms}}{{if eq . "linux/arm64"}}{{break}}{{end}}[{{.}}]{{end}}`,
		`{{range .Image.Platforms}}{{if eq . "linux/amd64"}}{{continue}}{{end}}[{{.}}]{{end}}`,
		`{{range $k, $v := .Image.Labels}}{{$k}}:{{$v}},{{end}}`,
		`{{range 3}}{{.}}{{end}}`,
		`{{range .Nothing}}x{{else}}empty{{end}}`,
		`{{if .Empty}}a{{else if .Replicas}}b{{else}}c{{end}}`,
		`{{with .Image}}{{.Name}}{{end}}{{with .Empty}}x{{else}}none{{end}}`,
		`{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}`,
		`{{- /* comment */ -}} {{ "a" }}  {{- "b" }}`,
		`{{define "p"}}<{{.}}>{{end}}{{template "p" .Image.Name}}{{block "q" 3}}{{.}}{{end}}`,
		`{{and 1 0 "x"}} {{or 0 "" "y"}} {{not true}} {{and .Replicas .Image.Name}}`,
		`{{len .Image.Platforms}} {{index .Image.Platforms 1}} {{index .Image.Labels "a"}} {{slice .Image.Name 0 5}}`,
		`{{index .Arr 2}} {{len .Arr}} {{range .Arr}}{{.}}{{end}}`,
		`{{lt 1 2}} {{le 2 2}} {{gt 1.5 1.2}} {{ge "b" "a"}} {{ne .Replicas 3}} {{eq .Replicas 1 2}}`,
		`{{printf "%s-%03d" .Image.Name .Replicas}} {{print 1 "a" 2}} {{println "x"}}`,
		`{{.Image.Name | printf "%q"}} {{(index .Image.Platforms 0)}} {{.Ptr.Name}}`,
		`{{$.Replicas}}{{range .Image.Platforms}}{{$.Image.Port}}{{end}}`,
	}
	for _, text := range cases {
		want := runStd(t, text)
		s := New(nil)
		if err := s.Parse("t", text); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		got, err := s.ExecuteString("t", testData)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", text, got, want)
		}
	}
}

func runStd(t *testing.T, text string) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("t").Parse(text)).Execute(&b, testData); err != nil {
		t.Fatalf("text/template %q: %v", text, err)
	}
	return b.String()
}

func TestFuncs(t *testing.T) {
	cases := map[string]string{
		`{{quote "a\"b<c>"}}`:                        `"a\"b<c>"`,
		`{{.Empty | default "d"}} {{default "d" 5}}`: `d 5`,
		`{{join ", " .Image.Platforms}}`:             `linux/amd64, linux/arm64`,
		`{{"a\nb\n" | indent 2}}`:                    "  a\n  b\n",
		`x:{{"a" | nindent 4}}`:                      "x:\n    a",
		`{{upper "a"}}{{lower "B"}}{{trim " c "}}`:   `Abc`,
		`{{replace "/" "-" .Image.Name}}`:            `ghcr.io-org-app`,
		`{{.Image.Name | hasPrefix "ghcr.io/"}} {{.Image.Name | contains "zz"}} {{hasSuffix "app" .Image.Name}}`: `true false true`,
		`{{toJSON .Image.Platforms}}`: `["linux/amd64","linux/arm64"]`,
		`{{slice .Arr 1}}`:            `[2 3]`, // text/template fails on an array in a map
		`{{.Nope | default "m"}}`:     `m`,
	}
	for text, want := range cases {
		s := New(nil)
		if err := s.Parse("t", text); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		got, err := s.ExecuteString("t", testData)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", text, got, err, want)
		}
	}
}

func TestErrorsNameTemplateAndLine(t *testing.T) {
	cases := []struct{ text, want string }{
		{"a\n{{.Image.Name", "template: k8s.yml.tmpl:2: unclosed action"},
		{"a\nb\n{{nosuch .}}", `template: k8s.yml.tmpl:3: function "nosuch" not defined`},
		{"a\n  {{.Image.Nope}}", `template: k8s.yml.tmpl:2:10: executing "k8s.yml.tmpl" at <.Image.Nope>: can't evaluate field Nope`},
		{"{{.Missing}}", `k8s.yml.tmpl:1:2: executing "k8s.yml.tmpl" at <.Missing>: no value`},
		{"\n{{index .Image.Platforms 5}}", `k8s.yml.tmpl:2:2: executing "k8s.yml.tmpl" at <index .Image.Platforms 5>: error calling index: index out of range: 5`},
		{`{{template "nope"}}`, `no such template "nope"`},
		{`{{define "r"}}{{template "r"}}{{end}}{{template "r"}}`, "maximum template depth"},
		{`{{range .Replicas.X}}{{end}}`, "can't evaluate field X in type int"},
	}
	for _, c := range cases {
		s := New(nil)
		err := s.Parse("k8s.yml.tmpl", c.text)
		if err == nil {
			_, err = s.ExecuteString("k8s.yml.tmpl", testData)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want it to contain %q", c.text, err, c.want)
		}
	}
}

func TestDuplicateDefine(t *testing.T) {
	s := New(nil)
	if err := s.Parse("a.tmpl", `{{define "x"}}1{{end}}`); err != nil {
		t.Fatal(err)
	}
	err := s.Parse("b.tmpl", `{{define "x"}}2{{end}}`)
	if err == nil || !strings.Contains(err.Error(), `template "x" is defined twice (also in a.tmpl)`) {
		t.Fatalf("got %v", err)
	}
}

// Whatever the text, the executor returns an error or output, never panics,
// and agrees with text/template whenever both succeed.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{`{{.Image.Name}}`, `{{range .Image.Platforms}}{{.}}{{end}}`, `{{if .Replicas}}x{{end}}`,
		`{{index .Image.Labels "a"}}`, `{{printf "%d" .Replicas}}`, `{{$x := 3}}{{$x}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := New(nil)
		if err := s.Parse("f", text); err != nil {
			return
		}
		got, err := s.ExecuteString("f", testData)
		std, perr := template.New("f").Parse(text)
		if err != nil || perr != nil {
			return
		}
		var b strings.Builder
		if std.Execute(&b, testData) != nil {
			return
		}
		if strings.Contains(b.String(), "<no value>") || strings.Contains(text, "print") {
			return // text/template prints missing keys and nil differently
		}
		if got != b.String() {
			t.Errorf("%q: got %q, text/template %q", text, got, b.String())
		}
	})
}

func BenchmarkExecute(b *testing.B) {
	s := New(nil)
	text := strings.Repeat(`{{range $i, $p := .Image.Platforms}}{{$i}}: {{$p | quote}} {{$.Image.Name}}@{{$.Replicas}}
{{end}}`, 20)
	if err := s.Parse("b", text); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ExecuteString("b", testData); err != nil {
			b.Fatal(err)
		}
	}
}

package coverage

import "testing"

func TestGoFile(t *testing.T) {
	p := Paths{Root: "/home/runner/work/app/app", Module: "github.com/org/app", ModuleDir: "backend"}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"github.com/org/app/pkg/x/x.go", "backend/pkg/x/x.go", true},
		{"github.com/org/app/main.go", "backend/main.go", true},
		{"github.com/org/application/x.go", "github.com/org/application/x.go", false},
		{"golang.org/x/text/unicode.go", "golang.org/x/text/unicode.go", false},
		{"/home/runner/work/app/app/tools/gen.go", "tools/gen.go", true},
		{"/elsewhere/gen.go", "/elsewhere/gen.go", false},
	}
	for _, tt := range tests {
		got, ok := p.GoFile(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("GoFile(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCoberturaFile(t *testing.T) {
	files := map[string]bool{"app/models/user.py": true, "scripts/tool.py": true}
	exists := func(rel string) bool { return files[rel] }
	tests := []struct {
		name     string
		p        Paths
		sources  []string
		filename string
		want     string
		ok       bool
	}{
		{"source under root", Paths{Root: "/home/runner/work/tt/tt"}, []string{"/home/runner/work/tt/tt/app"}, "models/user.py", "app/models/user.py", true},
		{"relative source", Paths{}, []string{"app"}, "models/user.py", "app/models/user.py", true},
		{"no source", Paths{}, nil, "./app/models/user.py", "app/models/user.py", true},
		{"windows separators", Paths{}, []string{"app"}, "models\\user.py", "app/models/user.py", true},
		{"root mounted elsewhere", Paths{Root: "/github/workspace", Exists: exists}, []string{"/home/runner/work/tt/tt/app"}, "models/user.py", "app/models/user.py", true},
		{"second source exists", Paths{Root: "/r", Exists: exists}, []string{"/r/app", "/r/scripts"}, "tool.py", "scripts/tool.py", true},
		{"absolute filename", Paths{Root: "/r"}, nil, "/r/app/x.py", "app/x.py", true},
		{"absolute outside", Paths{Root: "/r"}, nil, "/usr/lib/python3/x.py", "/usr/lib/python3/x.py", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.p.CoberturaFile(tt.sources, tt.filename)
			if got != tt.want || ok != tt.ok {
				t.Errorf("= %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

package manifest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeGoLoad is what ValidateCompose used to run: compose-go's loader
// (the compose-spec JSON schema and its consistency checks) without .env or
// interpolation. It lives in the test only, so the binary does not link the
// schema compiler, and keeps our validator honest.
func composeGoLoad(ctx context.Context, name string, data []byte) error {
	details := types.ConfigDetails{
		WorkingDir:  ".",
		ConfigFiles: []types.ConfigFile{{Filename: name, Content: data}},
		Environment: types.Mapping{},
	}
	_, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SkipInterpolation = true
		o.SkipResolveEnvironment = true
		o.SkipInclude = true
		o.SkipExtends = true
		o.ResolvePaths = false
		o.SetProjectName("validate", true)
	})
	return err
}

// TestComposeAgreesWithComposeGo: on every golden compose file and on a
// table of valid and broken variants, our validator accepts exactly what
// compose-go's loader accepts (the image pinning check aside, which is ours).
func TestComposeAgreesWithComposeGo(t *testing.T) {
	ctx := context.Background()
	inputs := map[string]string{}
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*"))
	for _, f := range golden {
		if !strings.HasSuffix(f, ".yml") && !strings.HasSuffix(f, ".yaml") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "services:") {
			inputs[f] = string(data)
		}
	}
	if len(inputs) < 4 {
		t.Fatalf("found %d golden compose files, want at least 4", len(inputs))
	}
	variants := []struct{ name, from, to string }{
		{"unknown service property", "    env_file: .env\n", "    env_file: .env\n    restart_policy: always\n"},
		{"unknown top-level property", "volumes:\n", "volume:\n"},
		{"extension at top", "volumes:\n", "x-common: {a: 1}\nvolumes:\n"},
		{"extension in service", "    env_file: .env\n", "    env_file: .env\n    x-note: hi\n"},
		{"undefined volume", "volumes:\n  data: {}\n", ""},
		{"bind mount needs no declaration", "[data:/data]", "[./data:/data]"},
		{"anonymous volume", "[data:/data]", "[/data]"},
		{"long volume syntax", "[data:/data]", "[{type: volume, source: data, target: /data}]"},
		{"long volume syntax undefined", "[data:/data]", "[{type: volume, source: other, target: /data}]"},
		{"depends on nothing", "db: {condition", "cache: {condition"},
		{"depends on list", "depends_on:\n      db: {condition: service_healthy}", "depends_on: [db]"},
		{"depends on list undefined", "depends_on:\n      db: {condition: service_healthy}", "depends_on: [cache]"},
		{"bad condition", "service_healthy", "service_ready"},
		{"depends_on extra property", "{condition: service_healthy}", "{condition: service_healthy, wait: true}"},
		{"undefined network", "    env_file: .env\n", "    env_file: .env\n    networks: [back]\n"},
		{"default network", "    env_file: .env\n", "    env_file: .env\n    networks: [default]\n"},
		{"declared network", "volumes:\n", "networks:\n  back: {}\nvolumes:\n"},
		{"undefined secret", "    env_file: .env\n", "    env_file: .env\n    secrets: [key]\n"},
		{"declared secret", "    env_file: .env\n", "    env_file: .env\n    secrets: [key]\n"},
		{"service not a mapping", "  db:\n    image: postgres:16-alpine\n", "  db: postgres\n"},
		{"services not a mapping", "services:\n  app:", "services: [app]\nx-app:\n  app:"},
		{"image not a string", "image: postgres:16-alpine", "image: [postgres]"},
	}
	for _, v := range variants {
		in := strings.Replace(goodCompose, v.from, v.to, 1)
		if in == goodCompose {
			t.Fatalf("%s: replacement did not apply", v.name)
		}
		if v.name == "declared secret" {
			in += "secrets:\n  key: {file: ./key.txt}\n"
		}
		if v.name == "declared network" {
			in = strings.Replace(in, "    env_file: .env\n", "    env_file: .env\n    networks: [back]\n", 1)
		}
		inputs[v.name] = in
	}
	inputs["good"] = goodCompose
	rejected := 0
	for name, in := range inputs {
		theirs := composeGoLoad(ctx, "c.yml", []byte(in))
		ours := ValidateCompose(ctx, "c.yml", []byte(in), Image{Name: "example.com/other", Digest: testDigest})
		if (theirs == nil) != (ours == nil) {
			t.Errorf("%s: compose-go says %v, ours says %v\n%s", name, theirs, ours, in)
		}
		if theirs != nil {
			rejected++
		}
	}
	// Both sides of the comparison must be exercised.
	if rejected < 10 || len(inputs)-rejected < 10 {
		t.Errorf("%d of %d inputs rejected: the table no longer covers both outcomes", rejected, len(inputs))
	}
}

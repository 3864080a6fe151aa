package actions

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildx finds the buildx binary scripts/install-deps.sh installs, or a
// docker-buildx plugin on PATH.
func buildx(t *testing.T) string {
	t.Helper()
	for _, p := range []string{filepath.Join("..", ".tools", "bin", "buildx")} {
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	for _, name := range []string{"buildx", "docker-buildx"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("buildx is missing: bash scripts/install-deps.sh installs it into .tools/bin")
	}
	t.Skip("needs buildx (bash scripts/install-deps.sh)")
	return ""
}

// TestImagePlatforms builds the image from the Dockerfile with BuildKit for
// linux/amd64 and linux/arm64, as ci.yml and release.yml do with buildx
// (TARGETARCH comes from the platform, nothing passed by hand), and reads
// the ELF header of the binary each platform's image holds.
func TestImagePlatforms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the image twice")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("needs a Docker engine: %s", strings.TrimSpace(string(out)))
		}
		t.Skipf("needs a Docker engine: %s", strings.TrimSpace(string(out)))
	}
	bx := buildx(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dockerfile, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	// The build context the release gives BuildKit: the Dockerfile and one
	// binary per architecture under dist/bin.
	bctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(bctx, "Dockerfile"), dockerfile, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(bctx, "dist", "bin", "linux-"+arch, "timetracker-ci")
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "../cmd/timetracker-ci")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build for %s: %v\n%s", arch, err, b)
		}
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "rootfs")
			// The engine's BuildKit (docker driver) exports one platform at a
			// time; the release's docker-container builder does both in one
			// build with the same per-platform TARGETARCH.
			cmd := exec.CommandContext(ctx, bx, "build", "--builder", "default", "--platform", "linux/"+arch,
				"--output", "type=local,dest="+dest, bctx)
			cmd.Env = append(os.Environ(), "BUILDX_NO_DEFAULT_ATTESTATIONS=1")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("buildx build --platform linux/%s: %v\n%s", arch, err, b)
			}
			f, err := elf.Open(filepath.Join(dest, "timetracker-ci"))
			if err != nil {
				t.Fatalf("the linux/%s image has no ELF /timetracker-ci: %v", arch, err)
			}
			defer f.Close()
			if f.Machine != want[arch] {
				t.Errorf("the linux/%s image holds a %v binary, want %v (exec format error on a %s runner)", arch, f.Machine, want[arch], arch)
			}
		})
	}
}

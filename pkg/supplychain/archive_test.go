package supplychain

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/org/timetracker-ci/pkg/sbom/sbomtest"
)

func TestArchiveSBOM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "image.tar")
	tag, _ := name.NewTag("app:ci-test")
	if err := tarball.WriteToFile(path, tag, sbomtest.DebianPythonImage(t)); err != nil {
		t.Fatal(err)
	}
	doc, err := ArchiveSBOM(context.Background(), path, FormatSPDX, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name": "Flask"`, `"name": "libssl3"`, `"sourceInfo": "platform linux/amd64"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("SBOM lacks %s", want)
		}
	}
	if strings.Contains(string(doc), "urllib3") {
		t.Error("SBOM lists a package a later layer deleted")
	}
	if _, err := ArchiveSBOM(context.Background(), filepath.Join(t.TempDir(), "missing.tar"), FormatSPDX, "test"); err == nil {
		t.Error("a missing archive was read")
	}
}

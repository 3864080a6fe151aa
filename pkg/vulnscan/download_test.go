package vulnscan

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestDownload(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	data, _ := os.ReadFile("testdata/osv/FIXTURE-2026-0001.json")
	w, _ := zw.Create("FIXTURE-2026-0001.json")
	w.Write(data)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/PyPI/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(buf.Bytes())
	}))
	defer srv.Close()
	dir := t.TempDir()
	if err := Download(context.Background(), srv.Client(), srv.URL, dir, []string{"PyPI"}); err != nil {
		t.Fatal(err)
	}
	db, err := Load(context.Background(), dir)
	if err != nil || db.Len() != 1 {
		t.Errorf("%d records, %v", db.Len(), err)
	}
	if err := Download(context.Background(), srv.Client(), srv.URL, dir, []string{"Go"}); err == nil {
		t.Error("a 404 was accepted")
	}
}

package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFiles writes files into dir (created if needed). Each file is written
// to a temporary name and renamed, so a reader never sees half a file; other
// files in dir are left alone.
func WriteFiles(ctx context.Context, dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output-dir %s: %w", dir, err)
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.Name != filepath.Base(f.Name) || f.Name == "." || f.Name == ".." {
			return fmt.Errorf("file name %q is not a plain name", f.Name)
		}
		tmp, err := os.CreateTemp(dir, "."+f.Name+".*")
		if err != nil {
			return fmt.Errorf("output-dir %s: %w", dir, err)
		}
		_, werr := tmp.Write(f.Data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o644)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), filepath.Join(dir, f.Name))
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, f.Name), werr)
		}
	}
	return nil
}

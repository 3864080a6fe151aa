package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
)

// ensureIndex makes the index exist in t, verified by digest. When it is
// already there, the HEAD that finds it is the verification.
func (c *Client) ensureIndex(ctx context.Context, p *plan, t Reference, st *CopyStats) error {
	hc, err := c.host(ctx, t.Registry, p.scopes(t.Registry))
	if err != nil {
		return err
	}
	if d, ok, err := hc.headManifest(ctx, t.Repository, p.digest); err != nil {
		return fmt.Errorf("checking for the index in %s: %w", t.Name(), err)
	} else if ok && d.Digest == p.digest {
		c.o.logf("index %s already in %s", p.digest, t.Name())
		return nil
	}
	var stats copyCounters
	err = c.parallel(ctx, len(p.children), func(ctx context.Context, i int) error {
		return c.ensureManifest(ctx, p, hc, t, p.children[i], &stats)
	})
	if err != nil {
		return err
	}
	if err := hc.putManifest(ctx, t.Repository, p.digest, p.index, p.mediaType); err != nil {
		return fmt.Errorf("pushing the index to %s: %w", t.Name(), err)
	}
	stats.manifests.Add(1)
	d, ok, err := hc.headManifest(ctx, t.Repository, p.digest)
	if err != nil {
		return fmt.Errorf("verifying the index in %s: %w", t.Name(), err)
	}
	if !ok || d.Digest != p.digest {
		return fmt.Errorf("registry %s does not serve the index %s just pushed to %s (got %q): no tag was moved; check the registry's health and run again", t.Registry, p.digest, t.Name(), d.Digest)
	}
	stats.addTo(st)
	c.o.logf("index %s pushed to %s (%d manifests, %d blobs uploaded, %d mounted, %d already there, %d bytes)",
		p.digest, t.Name(), stats.manifests.Load(), stats.uploaded.Load(), stats.mounted.Load(), stats.existing.Load(), stats.bytes.Load())
	return nil
}

type copyCounters struct {
	manifests, uploaded, mounted, existing, bytes atomic.Int64
}

func (s *copyCounters) addTo(st *CopyStats) {
	st.Manifests += int(s.manifests.Load())
	st.BlobsUploaded += int(s.uploaded.Load())
	st.BlobsMounted += int(s.mounted.Load())
	st.BlobsExisting += int(s.existing.Load())
	st.BytesUploaded += s.bytes.Load()
}

// ensureManifest copies one manifest of the index (and what it refers to)
// into t, unless it is there already.
func (c *Client) ensureManifest(ctx context.Context, p *plan, hc *hostClient, t Reference, ch child, st *copyCounters) error {
	if _, ok, err := hc.headManifest(ctx, t.Repository, ch.desc.Digest); err != nil {
		return fmt.Errorf("checking for %s in %s: %w", ch.desc.Digest, t.Name(), err)
	} else if ok {
		return nil
	}
	raw := ch.raw
	src := ch.src.WithDigest(ch.desc.Digest)
	srcHC, err := c.host(ctx, src.Registry, p.scopes(src.Registry))
	if err != nil {
		return err
	}
	if raw == nil {
		raw, err = p.manifest(ch.desc.Digest, func() ([]byte, error) {
			raw, _, err := srcHC.getManifest(ctx, src.Repository, src.Digest)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", src, err)
			}
			if digestOf(raw) != ch.desc.Digest {
				return nil, fmt.Errorf("registry %s returned content for %s that does not match its digest: refusing to copy it", src.Registry, src)
			}
			return raw, nil
		})
		if err != nil {
			return err
		}
	}
	doc, mt, err := parseManifest(raw, ch.desc.MediaType)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if isIndexType(mt) {
		// A nested index: copy its children first, one level down.
		for _, d := range doc.Manifests {
			if err := c.ensureManifest(ctx, p, hc, t, child{desc: d, src: ch.src}, st); err != nil {
				return err
			}
		}
	} else {
		blobs := doc.blobs()
		err := c.parallel(ctx, len(blobs), func(ctx context.Context, i int) error {
			return c.copyBlob(ctx, srcHC, ch.src, hc, t, blobs[i], st)
		})
		if err != nil {
			return err
		}
	}
	if err := hc.putManifest(ctx, t.Repository, ch.desc.Digest, raw, mt); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", ch.desc.Digest, t.Name(), err)
	}
	st.manifests.Add(1)
	return nil
}

// copyBlob makes a blob exist in t. Within one registry it asks for a
// cross-repository mount first (one request when the registry offers it);
// across registries it checks with HEAD, then streams the blob through a
// spool so a failed upload can be replayed without downloading again.
func (c *Client) copyBlob(ctx context.Context, srcHC *hostClient, src Reference, hc *hostClient, t Reference, b descriptor, st *copyCounters) error {
	location := ""
	if src.Registry == t.Registry && src.Repository != t.Repository {
		loc, mounted, err := hc.startUpload(ctx, t.Repository, b.Digest, src.Repository)
		if err != nil {
			return fmt.Errorf("mounting %s into %s: %w", b.Digest, t.Name(), err)
		}
		if mounted {
			st.mounted.Add(1)
			return nil
		}
		location = loc
	}
	if ok, err := hc.headBlob(ctx, t.Repository, b.Digest); err != nil {
		return fmt.Errorf("checking for blob %s in %s: %w", b.Digest, t.Name(), err)
	} else if ok {
		st.existing.Add(1)
		return nil
	}
	spool, err := c.download(ctx, srcHC, src, b)
	if err != nil {
		return err
	}
	defer spool.Close()
	// One fresh attempt if the upload session itself was lost (a retried
	// PUT can find its session already consumed).
	for attempt := 0; ; attempt++ {
		if location == "" {
			location, _, err = hc.startUpload(ctx, t.Repository, b.Digest, "")
			if err != nil {
				return fmt.Errorf("uploading %s to %s: %w", b.Digest, t.Name(), err)
			}
		}
		err = hc.finishUpload(ctx, location, b.Digest, spool.reader, b.Size)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("uploading %s to %s: %w", b.Digest, t.Name(), err)
		}
		// The upload may have landed although its answer was lost (a retried
		// PUT then finds its session consumed): ask before starting over.
		if ok, herr := hc.headBlob(ctx, t.Repository, b.Digest); herr == nil && ok {
			break
		}
		var se *StatusError
		if attempt >= 2 || (errors.As(err, &se) && se.StatusCode != http.StatusNotFound && !retryableStatus(se.StatusCode)) {
			return fmt.Errorf("uploading %s to %s: %w", b.Digest, t.Name(), err)
		}
		location = ""
	}
	st.uploaded.Add(1)
	st.bytes.Add(b.Size)
	if b.Size >= 1<<20 {
		// Big layers take a while; say which are done.
		c.o.logf("uploaded %s (%.1f MiB) to %s", b.Digest, float64(b.Size)/(1<<20), t.Name())
	}
	return nil
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500 && code != http.StatusNotImplemented
}

type spool struct {
	mem  []byte
	file *os.File
	size int64
}

// reader returns a replayable body: http.NewRequest sets GetBody for
// *bytes.Reader, and the file case is wrapped to be re-read from the start.
func (s *spool) reader() io.Reader {
	if s.file == nil {
		return bytes.NewReader(s.mem)
	}
	return &fileBody{f: s.file, size: s.size}
}

func (s *spool) Close() error {
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	s.file.Close()
	return os.Remove(name)
}

// fileBody reads the spool file from the start on every new request body.
type fileBody struct {
	f    *os.File
	size int64
	mu   sync.Mutex
	off  int64
}

func (b *fileBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.off >= b.size {
		return 0, io.EOF
	}
	n, err := b.f.ReadAt(p, b.off)
	b.off += int64(n)
	if err == io.EOF && b.off < b.size {
		return n, io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// download reads a blob from its source, checking size and digest, into a
// spool the upload can replay.
func (c *Client) download(ctx context.Context, srcHC *hostClient, src Reference, b descriptor) (*spool, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := c.downloadOnce(ctx, srcHC, src, b)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil || !isConnectionError(err) {
			break
		}
	}
	return nil, lastErr
}

func (c *Client) downloadOnce(ctx context.Context, srcHC *hostClient, src Reference, b descriptor) (*spool, error) {
	body, _, err := srcHC.getBlob(ctx, src.Repository, b.Digest)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s from %s: %w", b.Digest, src.Name(), err)
	}
	defer body.Close()
	h := sha256.New()
	s := &spool{}
	var w io.Writer
	var buf bytes.Buffer
	if f := c.spoolFile(b); f != nil {
		s.file = f
		w = f
	} else {
		buf.Grow(int(b.Size))
		w = &buf
	}
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(body, b.Size+1))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("reading blob %s from %s: %w", b.Digest, src.Name(), err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); n != b.Size || got != b.Digest {
		s.Close()
		return nil, fmt.Errorf("blob %s from %s has %d bytes and digest %s, not the %d bytes its manifest promises: the source image is corrupt; rebuild and push it", b.Digest, src.Name(), n, got, b.Size)
	}
	s.size = n
	s.mem = buf.Bytes()
	return s, nil
}

// spoolFile opens a temporary file for a blob too big for memory: in the
// configured directory, else the system's. A container built FROM scratch
// may have neither; the blob is then held in memory.
func (c *Client) spoolFile(b descriptor) *os.File {
	if b.Size <= c.o.spoolLimit {
		return nil
	}
	for _, dir := range []string{c.o.tempDir, os.TempDir()} {
		if dir == "" {
			continue
		}
		if f, err := os.CreateTemp(dir, "timetracker-ci-blob-*"); err == nil {
			return f
		}
	}
	c.o.logf("no writable temporary directory: holding blob %s (%d bytes) in memory", b.Digest, b.Size)
	return nil
}

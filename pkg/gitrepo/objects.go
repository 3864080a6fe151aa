package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectReader reads small commit and tag objects straight from pack and
// loose files. go-git reopens the pack and decodes the whole object on every
// read, which costs about 100µs an object (and its first read checksums its
// own copy of the pack index): too slow to peel 10,000 tags. This reader
// takes a few microseconds; whatever it cannot read (alternates, objects over
// 1 MiB, corrupt entries) reports ok=false and the caller falls back to
// go-git, so correctness never depends on it.
type objectReader struct {
	dir   string // objects directory
	packs []*packFile
	zr    io.ReadCloser
	br    *bufio.Reader
	rd    bytes.Reader
	buf   bytes.Buffer
}

type packFile struct {
	idx, pack           []byte // mapped files
	closeIdx, closePack func() error
	n                   uint32
	large               int // offset of the 64-bit offset table
}

const maxSmallObject = 1 << 20

func newObjectReader(objectsDir string) *objectReader {
	o := &objectReader{dir: objectsDir, br: bufio.NewReaderSize(nil, 4096)}
	idxs, _ := filepath.Glob(filepath.Join(objectsDir, "pack", "*.idx"))
	sort.Strings(idxs)
	for _, idx := range idxs {
		if p := openPack(idx); p != nil {
			o.packs = append(o.packs, p)
		}
	}
	return o
}

// openPack maps a version-2 pack index and its pack; nil for anything else.
func openPack(idxPath string) *packFile {
	data, closeIdx, err := mapFile(idxPath)
	if err != nil {
		return nil
	}
	if len(data) < 8+1024 || !bytes.Equal(data[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		closeIdx()
		return nil
	}
	n := binary.BigEndian.Uint32(data[8+255*4:])
	large := 8 + 1024 + int(n)*(20+4+4)
	if len(data) < large+40 {
		closeIdx()
		return nil
	}
	pack, closePack, err := mapFile(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		closeIdx()
		return nil
	}
	return &packFile{idx: data, pack: pack, closeIdx: closeIdx, closePack: closePack, n: n, large: large}
}

// clone returns a reader sharing o's mapped packs, for another goroutine: the
// decompression state is per reader, the mappings are read-only.
func (o *objectReader) clone() *objectReader {
	return &objectReader{dir: o.dir, packs: o.packs, br: bufio.NewReaderSize(nil, 4096)}
}

func (o *objectReader) close() {
	for _, p := range o.packs {
		p.closePack()
		p.closeIdx()
	}
	o.packs = nil
}

// offset finds h in the pack index.
func (p *packFile) offset(h plumbing.Hash) (int64, bool) {
	lo := uint32(0)
	if h[0] > 0 {
		lo = binary.BigEndian.Uint32(p.idx[8+(int(h[0])-1)*4:])
	}
	hi := binary.BigEndian.Uint32(p.idx[8+int(h[0])*4:])
	hashes := p.idx[8+1024:]
	for lo < hi {
		mid := lo + (hi-lo)/2
		switch c := bytes.Compare(hashes[mid*20:mid*20+20], h[:]); {
		case c == 0:
			offs := 8 + 1024 + int(p.n)*24
			off := binary.BigEndian.Uint32(p.idx[offs+int(mid)*4:])
			if off&0x80000000 == 0 {
				return int64(off), true
			}
			i := p.large + int(off&0x7fffffff)*8
			if i+8 > len(p.idx) {
				return 0, false
			}
			return int64(binary.BigEndian.Uint64(p.idx[i:])), true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// read returns the type and content of a whole (non-delta) object; ok is
// false when the object is not found this way.
func (o *objectReader) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	return o.readLimit(h, -1)
}

// readLimit is read, stopping after limit bytes of content when limit >= 0:
// peeling a tag needs only its first line. (A delta is rebuilt whole first.)
func (o *objectReader) readLimit(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, bool) {
	p, off, found := o.find(h)
	if !found {
		return o.readLoose(h, limit)
	}
	return o.readAt(p, off, limit, 0)
}

// maxDeltaDepth bounds delta chains (git's default is 50).
const maxDeltaDepth = 128

// readAt reads the pack entry at off, rebuilding deltas from their bases.
func (o *objectReader) readAt(p *packFile, off, limit int64, depth int) (plumbing.ObjectType, []byte, bool) {
	e, ok := p.entry(off)
	if !ok || depth > maxDeltaDepth {
		return 0, nil, false
	}
	if !e.delta() {
		size := e.size
		if limit >= 0 && size > limit {
			size = limit
		}
		o.rd.Reset(e.data)
		out, ok := o.inflate(&o.rd, size)
		return e.typ, out, ok
	}
	o.rd.Reset(e.data)
	delta, ok := o.inflate(&o.rd, e.size)
	if !ok {
		return 0, nil, false
	}
	var typ plumbing.ObjectType
	var base []byte
	if e.typ == plumbing.OFSDeltaObject {
		typ, base, ok = o.readAt(p, e.baseOff, -1, depth+1)
	} else {
		bp, boff, found := o.find(e.baseHash)
		if !found {
			return 0, nil, false
		}
		typ, base, ok = o.readAt(bp, boff, -1, depth+1)
	}
	if !ok {
		return 0, nil, false
	}
	out, ok := applyDelta(base, delta)
	if !ok {
		return 0, nil, false
	}
	if limit >= 0 && int64(len(out)) > limit {
		out = out[:limit]
	}
	return typ, out, true
}

// typeOf reads an object's type from pack entry headers, following delta
// bases without inflating anything; ok is false for loose objects.
func (o *objectReader) typeOf(h plumbing.Hash) (plumbing.ObjectType, bool) {
	p, off, found := o.find(h)
	for depth := 0; found && depth <= maxDeltaDepth; depth++ {
		e, ok := p.entry(off)
		switch {
		case !ok:
			return 0, false
		case !e.delta():
			return e.typ, true
		case e.typ == plumbing.OFSDeltaObject:
			off = e.baseOff
		default:
			p, off, found = o.find(e.baseHash)
		}
	}
	return 0, false
}

func (o *objectReader) find(h plumbing.Hash) (*packFile, int64, bool) {
	for _, p := range o.packs {
		if off, found := p.offset(h); found {
			return p, off, true
		}
	}
	return nil, 0, false
}

// packEntry is a parsed pack entry header.
type packEntry struct {
	typ      plumbing.ObjectType
	size     int64 // inflated size (of the delta itself for deltas)
	data     []byte
	baseOff  int64         // OFS_DELTA: the base's offset in the same pack
	baseHash plumbing.Hash // REF_DELTA: the base's hash
}

func (e packEntry) delta() bool {
	return e.typ == plumbing.OFSDeltaObject || e.typ == plumbing.REFDeltaObject
}

// entry parses the header of the pack entry at off.
func (p *packFile) entry(off int64) (packEntry, bool) {
	if off < 12 || off >= int64(len(p.pack)) {
		return packEntry{}, false
	}
	data := p.pack[off:]
	c := data[0]
	e := packEntry{typ: plumbing.ObjectType((c >> 4) & 7), size: int64(c & 0x0f)}
	i := 1
	for shift := 4; c&0x80 != 0; shift += 7 {
		if i >= len(data) || shift > 56 {
			return packEntry{}, false
		}
		c = data[i]
		i++
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case plumbing.CommitObject, plumbing.TagObject, plumbing.TreeObject, plumbing.BlobObject:
	case plumbing.OFSDeltaObject:
		// Big-endian base-128 with an implicit +1 per continuation byte.
		if i >= len(data) {
			return packEntry{}, false
		}
		c = data[i]
		i++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(data) || rel > 1<<55 {
				return packEntry{}, false
			}
			c = data[i]
			i++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return packEntry{}, false
		}
		e.baseOff = off - rel
	case plumbing.REFDeltaObject:
		if i+20 > len(data) {
			return packEntry{}, false
		}
		copy(e.baseHash[:], data[i:i+20])
		i += 20
	default:
		return packEntry{}, false
	}
	e.data = data[i:]
	return e, true
}

// applyDelta rebuilds an object from its base and a git delta: two sizes,
// then copy-from-base and insert instructions.
func applyDelta(base, delta []byte) ([]byte, bool) {
	varint := func() (int64, bool) {
		var n int64
		for shift := 0; shift < 64; shift += 7 {
			if len(delta) == 0 {
				return 0, false
			}
			c := delta[0]
			delta = delta[1:]
			n |= int64(c&0x7f) << shift
			if c&0x80 == 0 {
				return n, true
			}
		}
		return 0, false
	}
	srcSize, ok1 := varint()
	dstSize, ok2 := varint()
	if !ok1 || !ok2 || srcSize != int64(len(base)) || dstSize < 0 || dstSize > maxSmallObject {
		return nil, false
	}
	out := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		if op&0x80 == 0 {
			n := int(op)
			if n == 0 || n > len(delta) {
				return nil, false // 0 is reserved
			}
			out = append(out, delta[:n]...)
			delta = delta[n:]
			continue
		}
		var offset, size int64
		for bit := 0; bit < 7; bit++ {
			if op&(1<<bit) == 0 {
				continue
			}
			if len(delta) == 0 {
				return nil, false
			}
			if bit < 4 {
				offset |= int64(delta[0]) << (8 * bit)
			} else {
				size |= int64(delta[0]) << (8 * (bit - 4))
			}
			delta = delta[1:]
		}
		if size == 0 {
			size = 0x10000
		}
		if offset+size > int64(len(base)) {
			return nil, false
		}
		out = append(out, base[offset:offset+size]...)
	}
	if int64(len(out)) != dstSize {
		return nil, false
	}
	return out, true
}

func (o *objectReader) resetZlib(r io.Reader) error {
	if o.zr == nil {
		zr, err := zlib.NewReader(r)
		o.zr = zr
		return err
	}
	return o.zr.(zlib.Resetter).Reset(r, nil)
}

// inflate decompresses exactly size bytes.
func (o *objectReader) inflate(r io.Reader, size int64) ([]byte, bool) {
	if size > maxSmallObject || o.resetZlib(r) != nil {
		return nil, false
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(o.zr, data); err != nil {
		return nil, false
	}
	return data, true
}

// readLoose reads objects/ab/cdef..., a zlib stream of "type size\x00body".
func (o *objectReader) readLoose(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, bool) {
	hex := h.String()
	f, err := os.Open(filepath.Join(o.dir, hex[:2], hex[2:]))
	if err != nil {
		return 0, nil, false
	}
	defer f.Close()
	o.br.Reset(f)
	if o.resetZlib(o.br) != nil {
		return 0, nil, false
	}
	o.buf.Reset()
	if _, err := io.Copy(&o.buf, io.LimitReader(o.zr, maxSmallObject)); err != nil {
		return 0, nil, false
	}
	hdr, body, found := bytes.Cut(o.buf.Bytes(), []byte{0})
	if !found {
		return 0, nil, false
	}
	name, size, _ := bytes.Cut(hdr, []byte{' '})
	typ, err := plumbing.ParseObjectType(string(name))
	if err != nil {
		return 0, nil, false // unknown type
	}
	if strconv.Itoa(len(body)) != string(size) {
		if limit < 0 {
			return 0, nil, false // cut off by the size limit
		}
		body = body[:min(int64(len(body)), limit)] // the caller wants only the start
	}
	return typ, append([]byte(nil), body...), true
}

var errBadObject = errors.New("malformed object")

// commitInfo is what walks need from a commit.
type commitInfo struct {
	parents []plumbing.Hash
	time    int64 // committer time, Unix seconds
}

func parseCommit(data []byte) (commitInfo, error) {
	var ci commitInfo
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) == 0 {
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("parent ")):
			if len(line) < 7+40 {
				return ci, errBadObject
			}
			ci.parents = append(ci.parents, plumbing.NewHash(string(line[7:47])))
		case bytes.HasPrefix(line, []byte("committer ")):
			ci.time = signatureTime(line)
		}
	}
	return ci, nil
}

// signatureTime reads the Unix time of an author/committer/tagger line:
// "committer Name <email> 1700000000 +0000".
func signatureTime(line []byte) int64 {
	i := bytes.LastIndexByte(line, '>')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(line[i+1:]))
	if len(f) == 0 {
		return 0
	}
	t, _ := strconv.ParseInt(f[0], 10, 64)
	return t
}

// tagInfo is what peeling needs from a tag object.
type tagInfo struct {
	target  plumbing.Hash
	time    int64
	message string
}

func parseTag(data []byte) (tagInfo, error) {
	var ti tagInfo
	seen := false
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) == 0 {
			ti.message = string(data)
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("object ")):
			if len(line) < 7+40 || !plumbing.IsHash(string(line[7:47])) {
				return ti, errBadObject
			}
			ti.target = plumbing.NewHash(string(line[7:47]))
			seen = true
		case bytes.HasPrefix(line, []byte("tagger ")):
			ti.time = signatureTime(line)
		}
	}
	if !seen {
		return ti, errBadObject
	}
	return ti, nil
}

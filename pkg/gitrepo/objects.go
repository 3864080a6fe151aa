package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// objectReader reads objects straight from pack and loose files (and those
// of alternates). It is the only object reader: go-git's storage reopened
// the pack and decoded the whole object on every read (about 100µs an
// object), and linking it cost every action its package init. A read takes
// a few microseconds for a small object.
type objectReader struct {
	dirs  []string // objects directories: the repository's, then alternates
	packs []*packFile
	zr    io.ReadCloser
	br    *bufio.Reader
	rd    bytes.Reader
}

type packFile struct {
	idx, pack           []byte // mapped files
	closeIdx, closePack func() error
	n                   uint32
	large               int // offset of the 64-bit offset table
}

// maxSmallObject is the size of the objects the walks and tags read whole
// (tags, the commits under maxCommitObject).
const maxSmallObject = 1 << 20

// maxBigObject bounds blobs and trees read for a diff: git itself treats
// files over core.bigFileThreshold (512 MiB) as binary, and a corrupt size
// must not allocate more.
const maxBigObject = 512 << 20

// maxDeltaDepth bounds delta chains. git's default is 50; packs built with a
// larger --depth stay readable, and the chain is followed iteratively so a
// long one costs no stack.
const maxDeltaDepth = 10000

// maxAlternates bounds how deep alternates of alternates are followed (git
// allows 5).
const maxAlternates = 5

var (
	errObjectNotFound = plumbing.ErrObjectNotFound
	errBadObject      = errors.New("malformed object")
)

// objectTooLarge reports an object whose whole content exceeds what the
// caller allowed.
type objectTooLarge struct{ size int64 }

func (e *objectTooLarge) Error() string {
	return fmt.Sprintf("object of %d bytes is too large to read", e.size)
}

func newObjectReader(objectsDir string) *objectReader {
	o := &objectReader{br: bufio.NewReaderSize(nil, 4096)}
	o.addDir(objectsDir, 0)
	return o
}

// addDir adds an objects directory, its packs and (depth-bounded) its
// alternates, each directory once.
func (o *objectReader) addDir(dir string, depth int) {
	dir = filepath.Clean(dir)
	for _, d := range o.dirs {
		if d == dir {
			return
		}
	}
	o.dirs = append(o.dirs, dir)
	idxs, _ := filepath.Glob(filepath.Join(dir, "pack", "*.idx"))
	sort.Strings(idxs)
	for _, idx := range idxs {
		if p := openPack(idx); p != nil {
			o.packs = append(o.packs, p)
		}
	}
	if depth >= maxAlternates {
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(dir, line) // relative to this objects directory
		}
		o.addDir(line, depth+1)
	}
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
	if n > 1<<31 || len(data) < large+40 {
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
	return &objectReader{dirs: o.dirs, packs: o.packs, br: bufio.NewReaderSize(nil, 4096)}
}

func (o *objectReader) close() {
	for _, p := range o.packs {
		if p.closePack != nil {
			p.closePack()
		}
		if p.closeIdx != nil {
			p.closeIdx()
		}
	}
	o.packs = nil
}

// fanout returns the range of index positions whose hash starts with b,
// checked against the index size (a corrupt fan-out must not panic).
func (p *packFile) fanout(b byte) (uint32, uint32, bool) {
	if len(p.idx) < 8+1024 || p.large == 0 {
		return 0, 0, false
	}
	lo := uint32(0)
	if b > 0 {
		lo = binary.BigEndian.Uint32(p.idx[8+(int(b)-1)*4:])
	}
	hi := binary.BigEndian.Uint32(p.idx[8+int(b)*4:])
	if lo > hi || hi > p.n {
		return 0, 0, false
	}
	return lo, hi, true
}

func (p *packFile) hashAt(i uint32) []byte {
	at := 8 + 1024 + int(i)*20
	return p.idx[at : at+20]
}

// offset finds h in the pack index.
func (p *packFile) offset(h plumbing.Hash) (int64, bool) {
	lo, hi, ok := p.fanout(h[0])
	if !ok {
		return 0, false
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		switch c := bytes.Compare(p.hashAt(mid), h[:]); {
		case c == 0:
			return p.offsetAt(mid)
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

func (p *packFile) offsetAt(i uint32) (int64, bool) {
	offs := 8 + 1024 + int(p.n)*24
	off := binary.BigEndian.Uint32(p.idx[offs+int(i)*4:])
	if off&0x80000000 == 0 {
		return int64(off), true
	}
	at := p.large + int(off&0x7fffffff)*8
	if at+8 > len(p.idx) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.idx[at:])), true
}

// read returns the type and content of an object up to maxSmallObject; ok
// is false when it cannot be read.
func (o *objectReader) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	return o.readLimit(h, -1)
}

// readLimit is read, stopping after limit bytes of content when limit >= 0:
// peeling a tag needs only its first line.
func (o *objectReader) readLimit(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, bool) {
	typ, data, err := o.get(h, limit, maxSmallObject)
	return typ, data, err == nil
}

// get reads an object. With limit >= 0 the content is cut after limit
// bytes; a whole object is read only up to maxSize bytes, else the error is
// an *objectTooLarge with its size. An object stored whole is cut without
// being read further, but a delta needs its base whole: a delta rebuilding
// more than maxSize bytes is refused even when limit is small. A missing
// object is errObjectNotFound; corrupt data is errBadObject.
func (o *objectReader) get(h plumbing.Hash, limit, maxSize int64) (plumbing.ObjectType, []byte, error) {
	if p, off, found := o.find(h); found {
		return o.readPacked(p, off, limit, maxSize)
	}
	return o.readLoose(h, limit, maxSize)
}

// readAt reads the pack entry at off up to maxSmallObject. depth is
// unused: readPacked follows the chain itself, iteratively.
func (o *objectReader) readAt(p *packFile, off, limit int64, _ int) (plumbing.ObjectType, []byte, bool) {
	typ, data, err := o.readPacked(p, off, limit, maxSmallObject)
	return typ, data, err == nil
}

// readPacked rebuilds the pack entry at off: it collects the delta chain
// down to a whole object (or a base read from elsewhere), then applies the
// deltas upwards.
func (o *objectReader) readPacked(p *packFile, off, limit, maxSize int64) (plumbing.ObjectType, []byte, error) {
	var chain []packEntry
	var base []byte
	var typ plumbing.ObjectType
	for {
		if len(chain) > maxDeltaDepth {
			return 0, nil, fmt.Errorf("delta chain longer than %d: %w", maxDeltaDepth, errBadObject)
		}
		e, ok := p.entry(off)
		if !ok {
			return 0, nil, errBadObject
		}
		if !e.delta() {
			if len(chain) == 0 {
				size := e.size
				if limit >= 0 && size > limit {
					size = limit
				} else if size > maxSize {
					return 0, nil, &objectTooLarge{size: e.size}
				}
				o.rd.Reset(e.data)
				data, ok := o.inflate(&o.rd, size)
				if !ok {
					return 0, nil, errBadObject
				}
				return e.typ, data, nil
			}
			if e.size > maxSize {
				return 0, nil, o.deltaTooLarge(chain[0], e.size)
			}
			o.rd.Reset(e.data)
			data, ok := o.inflate(&o.rd, e.size)
			if !ok {
				return 0, nil, errBadObject
			}
			typ, base = e.typ, data
			break
		}
		if len(chain) == 0 {
			// The size of the result is in the delta's header: refuse a
			// huge object before rebuilding anything.
			if size, ok := o.deltaSize(e); !ok {
				return 0, nil, errBadObject
			} else if size > maxSize {
				return 0, nil, &objectTooLarge{size: size}
			}
		}
		chain = append(chain, e)
		if e.typ == plumbing.OFSDeltaObject {
			off = e.baseOff
			continue
		}
		bp, boff, found := o.find(e.baseHash)
		if found {
			p, off = bp, boff
			continue
		}
		// A thin pack's base is a loose object (or in an alternate).
		var err error
		typ, base, err = o.readLoose(e.baseHash, -1, maxSize)
		if err != nil {
			var big *objectTooLarge
			if errors.As(err, &big) {
				return 0, nil, o.deltaTooLarge(chain[0], big.size)
			}
			return 0, nil, err
		}
		break
	}
	for i := len(chain) - 1; i >= 0; i-- {
		e := chain[i]
		if e.size > maxSize+maxSize/64+64 { // a delta is at most its result plus opcodes
			return 0, nil, errBadObject
		}
		o.rd.Reset(e.data)
		delta, ok := o.inflate(&o.rd, e.size)
		if !ok {
			return 0, nil, errBadObject
		}
		out, ok := applyDeltaLimit(base, delta, maxSize)
		if !ok {
			return 0, nil, errBadObject
		}
		base = out
	}
	if limit >= 0 && int64(len(base)) > limit {
		base = base[:limit]
	}
	return typ, base, nil
}

// deltaTooLarge is the error for a delta whose base is over maxSize: the
// size reported is the requested object's when its header tells it.
func (o *objectReader) deltaTooLarge(top packEntry, baseSize int64) error {
	if size, ok := o.deltaSize(top); ok {
		return &objectTooLarge{size: max(size, baseSize)}
	}
	return &objectTooLarge{size: baseSize}
}

// deltaSize reads the result size from a delta's header, inflating only its
// first bytes.
func (o *objectReader) deltaSize(e packEntry) (int64, bool) {
	o.rd.Reset(e.data)
	if o.resetZlib(&o.rd) != nil {
		return 0, false
	}
	var hdr [20]byte
	n, _ := io.ReadFull(o.zr, hdr[:min(int64(len(hdr)), e.size)])
	d := hdr[:n]
	if _, ok := deltaVarint(&d); !ok {
		return 0, false
	}
	return deltaVarint(&d)
}

// typeOf reads an object's type from pack entry headers (following delta
// bases without inflating anything) or a loose object's header.
func (o *objectReader) typeOf(h plumbing.Hash) (plumbing.ObjectType, bool) {
	p, off, found := o.find(h)
	if !found {
		typ, _, err := o.looseHeader(h)
		return typ, err == nil
	}
	for depth := 0; depth <= maxDeltaDepth; depth++ {
		e, ok := p.entry(off)
		switch {
		case !ok:
			return 0, false
		case !e.delta():
			return e.typ, true
		case e.typ == plumbing.OFSDeltaObject:
			off = e.baseOff
		default:
			if p, off, found = o.find(e.baseHash); !found {
				typ, _, err := o.looseHeader(e.baseHash)
				return typ, err == nil
			}
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

// withPrefix returns up to two objects whose hex hash starts with prefix
// (4 to 39 lower-case hex digits): two mean the prefix is ambiguous.
func (o *objectReader) withPrefix(prefix string) []plumbing.Hash {
	var out []plumbing.Hash
	add := func(h plumbing.Hash) {
		for _, x := range out {
			if x == h {
				return
			}
		}
		out = append(out, h)
	}
	low := plumbing.NewHash(prefix + strings.Repeat("0", 40-len(prefix)))
	for _, p := range o.packs {
		lo, hi, ok := p.fanout(low[0])
		if !ok {
			continue
		}
		i := lo + uint32(sort.Search(int(hi-lo), func(i int) bool {
			return bytes.Compare(p.hashAt(lo+uint32(i)), low[:]) >= 0
		}))
		for ; i < hi && len(out) < 2; i++ {
			var h plumbing.Hash
			copy(h[:], p.hashAt(i))
			if !strings.HasPrefix(h.String(), prefix) {
				break
			}
			add(h)
		}
	}
	for _, dir := range o.dirs {
		if len(out) >= 2 {
			break
		}
		entries, _ := os.ReadDir(filepath.Join(dir, prefix[:2]))
		for _, e := range entries {
			name := prefix[:2] + e.Name()
			if len(name) == 40 && strings.HasPrefix(name, prefix) && plumbing.IsHash(name) {
				add(plumbing.NewHash(name))
			}
		}
	}
	return out
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
	if e.size < 0 {
		return packEntry{}, false
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

func deltaVarint(delta *[]byte) (int64, bool) {
	var n int64
	for shift := 0; shift < 63; shift += 7 {
		if len(*delta) == 0 {
			return 0, false
		}
		c := (*delta)[0]
		*delta = (*delta)[1:]
		n |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			return n, n >= 0
		}
	}
	return 0, false
}

// applyDelta rebuilds an object of at most maxSmallObject bytes from its
// base and a git delta.
func applyDelta(base, delta []byte) ([]byte, bool) {
	return applyDeltaLimit(base, delta, maxSmallObject)
}

// applyDeltaLimit rebuilds an object from its base and a git delta: two
// sizes, then copy-from-base and insert instructions. A result over maxSize
// bytes is refused.
func applyDeltaLimit(base, delta []byte, maxSize int64) ([]byte, bool) {
	srcSize, ok1 := deltaVarint(&delta)
	dstSize, ok2 := deltaVarint(&delta)
	if !ok1 || !ok2 || srcSize != int64(len(base)) || dstSize > maxSize {
		return nil, false
	}
	out := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		if op&0x80 == 0 {
			n := int(op)
			if n == 0 || n > len(delta) || int64(len(out)+n) > dstSize {
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
		if offset+size > int64(len(base)) || int64(len(out))+size > dstSize {
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
		if err != nil {
			return err
		}
		o.zr = zr
		return nil
	}
	return o.zr.(zlib.Resetter).Reset(r, nil)
}

// inflate decompresses exactly size bytes.
func (o *objectReader) inflate(r io.Reader, size int64) ([]byte, bool) {
	if size < 0 || size > maxBigObject || o.resetZlib(r) != nil {
		return nil, false
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(o.zr, data); err != nil {
		return nil, false
	}
	return data, true
}

// openLoose finds a loose object in the objects directories and reads its
// header "type size\x00"; the zlib stream is left after it, with rest the
// content bytes read with the header.
func (o *objectReader) openLoose(h plumbing.Hash) (*os.File, plumbing.ObjectType, int64, []byte, error) {
	hex := h.String()
	var f *os.File
	for _, dir := range o.dirs {
		var err error
		if f, err = os.Open(filepath.Join(dir, hex[:2], hex[2:])); err == nil {
			break
		}
	}
	if f == nil {
		return nil, 0, 0, nil, errObjectNotFound
	}
	o.br.Reset(f)
	if o.resetZlib(o.br) != nil {
		f.Close()
		return nil, 0, 0, nil, errBadObject
	}
	var hdr [64]byte
	n := 0
	for n < len(hdr) && bytes.IndexByte(hdr[:n], 0) < 0 {
		m, err := o.zr.Read(hdr[n:])
		n += m
		if err != nil {
			break
		}
	}
	head, rest, found := bytes.Cut(hdr[:n], []byte{0})
	name, sizeText, _ := bytes.Cut(head, []byte{' '})
	typ, err := plumbing.ParseObjectType(string(name))
	size, err2 := strconv.ParseInt(string(sizeText), 10, 64)
	if !found || err != nil || err2 != nil || size < 0 || typ < plumbing.CommitObject || typ > plumbing.TagObject {
		f.Close()
		return nil, 0, 0, nil, errBadObject
	}
	return f, typ, size, append([]byte(nil), rest...), nil
}

func (o *objectReader) looseHeader(h plumbing.Hash) (plumbing.ObjectType, int64, error) {
	f, typ, size, _, err := o.openLoose(h)
	if err != nil {
		return 0, 0, err
	}
	f.Close()
	return typ, size, nil
}

// readLoose reads objects/ab/cdef..., a zlib stream of "type size\x00body",
// with get's limit and maxSize.
func (o *objectReader) readLoose(h plumbing.Hash, limit, maxSize int64) (plumbing.ObjectType, []byte, error) {
	f, typ, size, rest, err := o.openLoose(h)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	n := size
	if limit >= 0 && n > limit {
		n = limit
	} else if n > maxSize {
		return 0, nil, &objectTooLarge{size: size}
	}
	if int64(len(rest)) > size {
		return 0, nil, errBadObject
	}
	data := make([]byte, n)
	copied := copy(data, rest)
	if _, err := io.ReadFull(o.zr, data[copied:]); err != nil {
		return 0, nil, errBadObject
	}
	return typ, data, nil
}

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
			h, ok := hashOf(line[7:47])
			if !ok {
				h = plumbing.NewHash(string(line[7:47])) // what go-git made of it: kept as it was
			}
			ci.parents = append(ci.parents, h)
		case bytes.HasPrefix(line, []byte("committer ")):
			ci.time = signatureTime(line)
		}
	}
	return ci, nil
}

// signatureTime reads the Unix time of an author/committer/tagger line:
// "committer Name <email> 1700000000 +0000". It runs once per commit of a
// walk, so it finds the first field without allocating (strings.Fields
// did, for every commit); anything unusual goes through strconv as before.
func signatureTime(line []byte) int64 {
	i := bytes.LastIndexByte(line, '>')
	if i < 0 {
		return 0
	}
	rest := line[i+1:]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
		rest = rest[1:]
	}
	n, t := 0, int64(0)
	for n < len(rest) && n < 18 && rest[n] >= '0' && rest[n] <= '9' {
		t = t*10 + int64(rest[n]-'0')
		n++
	}
	if n > 0 && (n == len(rest) || rest[n] == ' ' || rest[n] == '\t') {
		return t
	}
	f := strings.Fields(string(rest))
	if len(f) == 0 {
		return 0
	}
	t, _ = strconv.ParseInt(f[0], 10, 64)
	return t
}

// hashOf decodes a 40-digit hex hash without allocating: plumbing.IsHash
// and plumbing.NewHash take strings, a copy per ref and per object read.
func hashOf(b []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(b) != 2*len(h) {
		return h, false
	}
	if _, err := hex.Decode(h[:], b); err != nil {
		return plumbing.Hash{}, false
	}
	return h, true
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
			h, ok := hashOf(line[7:min(len(line), 47)])
			if !ok {
				return ti, errBadObject
			}
			ti.target = h
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

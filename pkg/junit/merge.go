package junit

import (
	"encoding/binary"
	"unicode/utf8"
)

// The merger turns <testcase> elements into cases. A <testcase> is taken
// as a rerun of an earlier one only when that one has the same key and its
// latest execution failed or errored: retry tools rerun failures, never
// passes, and several passing or skipped elements with one name are
// distinct tests (TestNG parameters, jest describe blocks, go test
// -count). So only failing cases are held, and memory grows with the
// failures of the file, not with its tests.

// run is one <testcase> element, as endCase saw it.
type run struct {
	status              Status
	time                float64
	line                int
	result              *result // the deciding result element, if any
	extraFail, extraErr int     // reruns recorded inside the element
	extra               *result // the first of them
}

func (x *run) failing() bool { return x.status == StatusFailed || x.status == StatusError }

type kept struct {
	set                  bool
	message, typ, detail string
}

func (k *kept) take(r *result) {
	if k.set || r == nil {
		return
	}
	k.set = true
	k.message, k.typ = r.message, r.typ
	if len(r.detail) > 0 {
		k.detail = string(r.detail)
		if r.detailWasCut {
			k.detail += TruncatedMark
		}
	}
}

const (
	keptSkipped = iota
	keptFailure
	keptError
)

type held struct {
	c                         Case
	seq                       int
	nPass, nSkip, nFail, nErr int
	lastPassed                bool
	kept                      [3]kept
	size                      int // bytes charged to merger.held
	key                       string
	fp                        uint32 // fingerprint of key
	done                      bool   // delivered (order still points to it)
}

// heldBudget bounds the message and detail bytes of the failing cases held
// for reruns. Past it, newly held cases keep heldSmall bytes of each: a
// report where 100,000 tests fail with long tracebacks still parses in
// bounded memory, and the first failures keep their full detail.
//
// maxHeld bounds how many failing cases are held: past it the oldest is
// delivered as failed. A rerun of it that comes even later is then a case
// of its own (one failure and one pass: a failure is never hidden).
const (
	heldBudget = 16 << 20
	heldSmall  = 1 << 10
	maxHeld    = 1 << 14
)

type merger struct {
	open  map[string]*held // failing cases by key, until the file ends or a rerun passes
	order []*held          // held cases, oldest first (done ones skipped)
	head  int              // order[:head] is delivered
	seq   int
	held  int // bytes of messages and details in open
	// seen counts the open keys by fingerprint: a case whose fingerprint
	// no open key has is no rerun, and most cases (passes while a few
	// failures are held) skip hashing their whole key into open.
	seen []uint16
}

// fingerprintBits sizes merger.seen: 64Ki counters for at most maxHeld
// open keys.
const fingerprintBits = 16

// fingerprint mixes a key's length and its last 16 bytes (where names
// differ: parameters, numbers).
func fingerprint(k []byte) uint32 {
	n := len(k)
	var a, b uint64
	if n >= 16 {
		a, b = binary.LittleEndian.Uint64(k[n-8:]), binary.LittleEndian.Uint64(k[n-16:])
	} else {
		for _, c := range k {
			b = b<<8 | a>>56
			a = a<<8 | uint64(c)
		}
	}
	h := a*0x9e3779b97f4a7c15 ^ b*0xc2b2ae3d27d4eb4f ^ uint64(n)
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	return uint32(h >> (64 - fingerprintBits))
}

// charge counts a newly held case against the budget, cutting its texts
// when the budget is spent.
func (m *merger) charge(h *held) {
	for i := range h.kept {
		k := &h.kept[i]
		if m.held > heldBudget {
			k.message = cut(k.message, heldSmall)
			k.detail = cut(k.detail, heldSmall)
		}
		h.size += len(k.message) + len(k.detail)
	}
	m.held += h.size
}

// cut shortens s to about n bytes, at a character boundary, marking the
// cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + TruncatedMark
}

func (m *merger) init() {
	m.open = make(map[string]*held)
	m.seen = make([]uint16, 1<<fingerprintBits)
}

// add records one <testcase>: k is its key (suite, classname, file, name
// joined by NULs), the name being its last nameLen bytes.
func (m *merger) add(k []byte, nameLen int, e *execution, x *run, emit func(Case) error) error {
	m.seq++
	if nameLen == 0 {
		// A nameless test case cannot be recognised in a rerun.
		var h held
		h.c = Case{Suite: e.suite, Classname: e.classname, File: e.file}
		h.addRun(x)
		return emit(h.final())
	}
	fp := fingerprint(k)
	if m.seen[fp] > 0 {
		if h, ok := m.open[string(k)]; ok {
			h.addRun(x)
			if h.lastPassed {
				// Failed, then passed: flaky, and final.
				m.release(h)
				return emit(h.final())
			}
			return nil
		}
	}
	if x.status == StatusPassed && x.extraFail == 0 && x.extraErr == 0 {
		// Most cases: one clean pass, final at once. The case held.final
		// would make of it, without building a held.
		return emit(Case{Suite: e.suite, Classname: e.classname, File: e.file, Name: string(k[len(k)-nameLen:]),
			Line: x.line, Time: x.time, Status: StatusPassed, Runs: 1})
	}
	var h held
	h.seq = m.seq
	h.c = Case{Suite: e.suite, Classname: e.classname, File: e.file}
	h.addRun(x)
	if !x.failing() {
		h.c.Name = string(k[len(k)-nameLen:])
		return emit(h.final())
	}
	key := string(k)
	h.c.Name = key[len(key)-nameLen:]
	hp := new(held)
	*hp = h
	hp.key, hp.fp = key, fp
	m.charge(hp)
	m.open[key] = hp
	m.seen[fp]++
	m.order = append(m.order, hp)
	if len(m.open) > maxHeld {
		return m.deliverOldest(emit)
	}
	return nil
}

// release forgets a held case about to be delivered.
func (m *merger) release(h *held) {
	delete(m.open, h.key)
	m.seen[h.fp]--
	m.held -= h.size
	h.done = true
}

// deliverOldest delivers the oldest held case, still failing.
func (m *merger) deliverOldest(emit func(Case) error) error {
	for m.head < len(m.order) {
		h := m.order[m.head]
		m.order[m.head] = nil
		m.head++
		if m.head > len(m.order)/2 && m.head > 1024 {
			m.order = append(m.order[:0], m.order[m.head:]...)
			m.head = 0
		}
		if !h.done {
			m.release(h)
			return emit(h.final())
		}
	}
	return nil
}

func (h *held) addRun(x *run) {
	h.c.Runs += 1 + x.extraFail + x.extraErr
	h.c.Time += x.time
	if h.c.Line == 0 {
		h.c.Line = x.line
	}
	h.lastPassed = x.status == StatusPassed
	switch x.status {
	case StatusPassed:
		h.nPass++
	case StatusSkipped:
		h.nSkip++
		h.kept[keptSkipped].take(x.result)
	case StatusFailed:
		h.nFail++
		h.kept[keptFailure].take(x.result)
	case StatusError:
		h.nErr++
		h.kept[keptError].take(x.result)
	}
	if x.extraFail > 0 {
		h.nFail += x.extraFail
		h.kept[keptFailure].take(x.extra)
	}
	if x.extraErr > 0 {
		h.nErr += x.extraErr
		if x.extraFail == 0 {
			h.kept[keptError].take(x.extra)
		}
	}
}

// flush delivers the cases still failing at the end of the file, in the
// order they were first seen.
func (m *merger) flush(emit func(Case) error) error {
	for len(m.open) > 0 {
		if err := m.deliverOldest(emit); err != nil {
			return err
		}
	}
	m.order, m.head, m.held = m.order[:0], 0, 0
	return nil
}

// final decides the merged status: passed when the last execution passed
// (flaky when an earlier one failed or errored), else error > failure >
// skipped over the executions.
func (h *held) final() Case {
	c := h.c
	var k *kept
	switch {
	case h.lastPassed:
		c.Status = StatusPassed
		if h.nFail+h.nErr > 0 {
			c.Flaky = true
			k = &h.kept[keptFailure]
			if !k.set {
				k = &h.kept[keptError]
			}
		}
	case h.nErr > 0:
		c.Status, k = StatusError, &h.kept[keptError]
		if !k.set {
			k = &h.kept[keptFailure]
		}
	case h.nFail > 0:
		c.Status, k = StatusFailed, &h.kept[keptFailure]
		if !k.set {
			k = &h.kept[keptError]
		}
	case h.nSkip > 0:
		c.Status, k = StatusSkipped, &h.kept[keptSkipped]
	default:
		c.Status = StatusPassed
	}
	if k != nil {
		c.Message, c.Type, c.Detail = k.message, k.typ, k.detail
	}
	return c
}

package junit

import (
	"cmp"
	"slices"
)

// mergeWindow is how many recent test cases stay open for merging with a
// later <testcase> of the same key. Failing cases stay open until the end
// of the file whatever the window (a retry of a failure may come much
// later); a passing or skipped case further back than this is delivered,
// and a later duplicate of it becomes a case of its own.
const mergeWindow = 4096

// run is one <testcase> element, as endCase saw it.
type run struct {
	status              Status
	time                float64
	line                int
	result              *result // the deciding result element, if any
	extraFail, extraErr int     // reruns recorded inside the element
	extra               *result // the first of them
}

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
	key                       string
	seq                       int
	nPass, nSkip, nFail, nErr int
	kept                      [3]kept
	evicted                   bool
}

type merger struct {
	byKey  map[string]*held
	window []*held // ring of the most recent open cases
	head   int
	n      int
	failed []*held // failing cases evicted from the window, kept to the end
	seq    int
	free   []*held
}

func (m *merger) init() {
	m.byKey = make(map[string]*held)
	m.window = make([]*held, mergeWindow)
}

func (m *merger) add(k []byte, nameLen int, e *execution, x *run, emit func(Case) error) error {
	h, ok := m.byKey[string(k)]
	if !ok {
		if m.n == len(m.window) {
			if err := m.evict(emit); err != nil {
				return err
			}
		}
		key := string(k)
		if n := len(m.free); n > 0 {
			h = m.free[n-1]
			m.free = m.free[:n-1]
			*h = held{}
		} else {
			h = new(held)
		}
		h.key = key
		h.seq = m.seq
		m.seq++
		h.c = Case{Suite: e.suite, Classname: e.classname, File: e.file, Name: key[len(key)-nameLen:]}
		m.byKey[key] = h
		m.window[(m.head+m.n)%len(m.window)] = h
		m.n++
	}
	h.addRun(x)
	return nil
}

func (h *held) addRun(x *run) {
	h.c.Runs += 1 + x.extraFail + x.extraErr
	h.c.Time += x.time
	if h.c.Line == 0 {
		h.c.Line = x.line
	}
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

// evict delivers the oldest case of the window, or keeps it to the end of
// the file when it is failing.
func (m *merger) evict(emit func(Case) error) error {
	h := m.window[m.head]
	m.window[m.head] = nil
	m.head = (m.head + 1) % len(m.window)
	m.n--
	if h.nPass == 0 && h.nFail+h.nErr > 0 {
		h.evicted = true
		m.failed = append(m.failed, h)
		return nil
	}
	delete(m.byKey, h.key)
	c := h.final()
	m.free = append(m.free, h)
	return emit(c)
}

// flush delivers every open case in the order they were first seen.
func (m *merger) flush(emit func(Case) error) error {
	rest := m.failed
	for m.n > 0 {
		rest = append(rest, m.window[m.head])
		m.window[m.head] = nil
		m.head = (m.head + 1) % len(m.window)
		m.n--
	}
	slices.SortFunc(rest, func(a, b *held) int { return cmp.Compare(a.seq, b.seq) })
	for _, h := range rest {
		if err := emit(h.final()); err != nil {
			return err
		}
	}
	m.failed = nil
	clear(m.byKey)
	return nil
}

// final decides the merged status: passed if any execution passed
// (flaky when another one failed), else error > failure > skipped.
func (h *held) final() Case {
	c := h.c
	var k *kept
	switch {
	case h.nPass > 0:
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
	default:
		c.Status, k = StatusSkipped, &h.kept[keptSkipped]
	}
	if k != nil {
		c.Message, c.Type, c.Detail = k.message, k.typ, k.detail
	}
	return c
}

package gitrepo

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitObject is a decoded commit.
type commitObject struct {
	tree      plumbing.Hash
	parents   []plumbing.Hash
	author    Signature
	committer Signature
	message   string
}

// decodeCommit parses a commit object as go-git's decoder (and git) does:
// `tree` must come first, then the contiguous `parent` lines, then `author`
// and `committer` in that place (elsewhere they are ignored, as git ignores
// them); other headers (gpgsig, mergetag, encoding...) and their
// continuation lines (starting with a space) are skipped; the message is
// everything after the first empty line. The encoding header is ignored:
// messages are returned as stored.
func decodeCommit(data []byte) (commitObject, error) {
	var c commitObject
	const (
		stTree = iota
		stParents
		stAuthor
		stCommitter
		stHeaders
	)
	state := stTree
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		blank := len(line) == 0 && len(data) > 0 && data[0] == '\n'
		data = rest
		if blank {
			if state == stTree {
				return c, fmt.Errorf("missing tree header: %w", errBadObject)
			}
			c.message = string(data)
			return c, nil
		}
		key, value, _ := bytes.Cut(line, []byte{' '})
		// A state that does not take the line hands it to the next one.
		for {
			switch state {
			case stTree:
				h, ok := hashOf(value)
				if string(key) != "tree" || !ok {
					return c, fmt.Errorf("tree header must be first: %w", errBadObject)
				}
				c.tree = h
				state = stParents
			case stParents:
				if string(key) == "parent" {
					h, ok := hashOf(value)
					if !ok {
						return c, fmt.Errorf("bad parent hash: %w", errBadObject)
					}
					c.parents = append(c.parents, h)
					break
				}
				state = stAuthor
				continue
			case stAuthor:
				state = stCommitter
				if string(key) == "author" {
					c.author = decodeSignature(value)
					break
				}
				continue
			case stCommitter:
				state = stHeaders
				if string(key) == "committer" {
					c.committer = decodeSignature(value)
				}
			case stHeaders:
				// Ignored, continuation lines included.
			}
			break
		}
	}
	if state == stTree {
		return c, fmt.Errorf("missing tree header: %w", errBadObject)
	}
	return c, nil
}

// decodeSignature parses "Name <email> 1700000000 +0100" as go-git does,
// time zone quirks included (an offset "-00MM" is read as +MM minutes).
func decodeSignature(b []byte) Signature {
	var s Signature
	open := bytes.LastIndexByte(b, '<')
	end := bytes.LastIndexByte(b, '>')
	if open < 0 || end < 0 || end < open {
		return s
	}
	s.Name = string(bytes.Trim(b[:open], " "))
	s.Email = string(b[open+1 : end])
	if end+2 >= len(b) {
		return s
	}
	b = b[end+2:]
	space := bytes.IndexByte(b, ' ')
	if space < 0 {
		space = len(b)
	}
	ts, err := strconv.ParseInt(string(b[:space]), 10, 64)
	if err != nil {
		return s
	}
	s.When = time.Unix(ts, 0).In(time.UTC)
	tz := space + 1
	if tz+5 > len(b) {
		return s
	}
	zone := string(b[tz : tz+5])
	hours, err1 := strconv.ParseInt(zone[0:3], 10, 64)
	mins, err2 := strconv.ParseInt(zone[3:], 10, 64)
	if err1 != nil || err2 != nil {
		return s
	}
	if hours < 0 {
		mins = -mins
	}
	s.When = s.When.In(time.FixedZone("", int(hours*3600+mins*60)))
	return s
}

func (c commitObject) toCommit(h plumbing.Hash) Commit {
	out := Commit{
		Hash:      h.String(),
		Author:    c.author,
		Committer: c.committer,
		Time:      c.committer.When.UTC(),
		Message:   c.message,
	}
	for _, p := range c.parents {
		out.Parents = append(out.Parents, p.String())
	}
	return out
}

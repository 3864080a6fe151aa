package testreport

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/org/timetracker-ci/pkg/junit"
	"github.com/org/timetracker-ci/pkg/tiers"

	"github.com/org/timetracker-ci/pkg/workspace"
)

// collector reads the result files, oldest attempt first, into a builder,
// and keeps per file and per shard what the report shows of them.
type collector struct {
	*builder
	infos      []fileInfo
	shards     map[[2]string]*ShardResult
	tierFiles  map[string]int
	files      int
	fileErrors []FileError
}

// bytesPerCase estimates a test case's size in JUnit XML, to size the
// merger's table once rather than grow it step by step.
const bytesPerCase = 200

func newCollector(o Options, files []string) *collector {
	var size int64
	infos := make([]fileInfo, 0, len(files))
	for _, f := range files {
		fi := fileInfo{path: f, attempt: o.Attempt}
		if kind, tier, sh, att, ok := tiers.ResultOf(f); ok && kind == "junit" {
			fi.tier, fi.shard, fi.attempt = tier, sh, att
		}
		infos = append(infos, fi)
		if st, err := os.Stat(f); err == nil {
			size += st.Size()
		}
	}
	// Oldest attempts first, so a later attempt's result replaces an earlier one.
	slices.SortStableFunc(infos, func(a, b fileInfo) int {
		return cmp.Or(cmp.Compare(a.attempt, b.attempt), strings.Compare(a.path, b.path))
	})
	c := &collector{
		builder: newBuilder(o, int(min(size/bytesPerCase, 1<<27))),
		infos:   infos, shards: map[[2]string]*ShardResult{}, tierFiles: map[string]int{},
	}
	if o.Plan != nil {
		for _, tp := range o.Plan.Tiers {
			_, _ = c.tier(tp.Name) // a plan has at most MaxMatrixJobs tiers
			for _, j := range tp.Jobs {
				s := c.shardOf(tp.Name, j.Shard)
				s.Planned, s.PredictedSeconds = true, j.PredictedSeconds
			}
		}
	}
	return c
}

func (c *collector) shardOf(tier string, n int) *ShardResult {
	k := [2]string{tier, strconv.Itoa(n)}
	s := c.shards[k]
	if s == nil {
		s = &ShardResult{Tier: tier, Shard: n}
		c.shards[k] = s
	}
	return s
}

// collect reads every file. A file that cannot be read is a FileError (its
// cases read before the error still count); a cancelled context ends it.
func (c *collector) collect(ctx context.Context) error {
	for _, fi := range c.infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		secs, n, err := c.readFile(ctx, fi)
		c.files++
		c.tierFiles[fi.tier]++
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			fe := FileError{File: c.rel(fi.path), Msg: err.Error()}
			var se *junit.SyntaxError
			if errors.As(err, &se) {
				fe.Line, fe.Msg = se.Line, se.Msg
			}
			c.fileErrors = append(c.fileErrors, fe)
			continue
		}
		if fi.shard == 0 {
			continue
		}
		s := c.shardOf(fi.tier, fi.shard)
		s.Reported = true
		if len(s.Attempts) == 0 || s.Attempts[len(s.Attempts)-1] != fi.attempt {
			s.Attempts = append(s.Attempts, fi.attempt)
			s.ActualSeconds, s.Tests = 0, 0 // the latest attempt's time is the actual time
		}
		s.ActualSeconds += secs
		s.Tests += n
	}
	return nil
}

// readFile feeds one file's cases to the builder and returns their total
// time and count.
func (c *collector) readFile(ctx context.Context, fi fileInfo) (secs float64, n int, err error) {
	f, err := openIn(c.o.Jail, "files", fi.path, workspace.KindReport)
	if err != nil {
		return 0, 0, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	parse := junit.Parse
	if isGoTestJSON(br) {
		if c.o.GoTestJSON == nil {
			return 0, 0, errors.New("is not XML and no go test -json reader is configured: give JUnit XML files")
		}
		parse = c.o.GoTestJSON
	}
	tier, err := c.tier(fi.tier)
	if err != nil {
		return 0, 0, err
	}
	scope := fi.tier
	if fi.shard == 0 {
		// A file outside the tier/shard naming merges with nothing else.
		scope = "\x01" + fi.path
	}
	_, err = parse(ctx, br, func(jc junit.Case) error {
		c.add(fi, scope, tier, jc)
		secs += jc.Time
		n++
		return nil
	})
	return secs, n, err
}

// isGoTestJSON tells a go test -json stream from XML: XML starts with '<';
// go test output may start with build errors before any JSON event.
func isGoTestJSON(br *bufio.Reader) bool {
	head, _ := br.Peek(4 << 10)
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	return len(head) > 0 && head[0] != '<'
}

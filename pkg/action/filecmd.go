package action

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// newDelimiter returns a heredoc delimiter nobody can predict, as the
// official toolkit does (ghadelimiter_<uuid>): a value cannot end its own
// heredoc early and smuggle in another name=value pair.
func newDelimiter() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a file-command delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(b[:]), nil
}

// formatFileCommand encodes one key and value in heredoc form.
func formatFileCommand(key, value string) (string, error) {
	if key == "" || strings.ContainsAny(key, "\r\n=") || strings.Contains(key, "<<") {
		return "", fmt.Errorf("name %q cannot be written as a file command: it must be one line without = or <<", key)
	}
	delim, err := newDelimiter()
	if err != nil {
		return "", err
	}
	if strings.Contains(value, delim) || strings.Contains(key, delim) {
		return "", fmt.Errorf("value of %q contains the file-command delimiter; refusing to write it", key)
	}
	return key + "<<" + delim + "\n" + value + "\n" + delim + "\n", nil
}

// appendFileCommands appends the pairs to a runner file (GITHUB_OUTPUT,
// GITHUB_ENV, GITHUB_STATE) in one write, so a failure leaves no half-written pair.
func appendFileCommands(path string, pairs []kv) error {
	var b strings.Builder
	for _, p := range pairs {
		s, err := formatFileCommand(p.key, p.value)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open the runner's file %s: %w", path, err)
	}
	_, werr := io.WriteString(f, b.String())
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("write the runner's file %s: %w", path, err)
	}
	return nil
}

type kv struct{ key, value string }

// printOutputs writes outputs for a person or a script outside Actions:
// name=value, or heredoc form for values with line breaks.
func printOutputs(w io.Writer, pairs []kv) error {
	var b strings.Builder
	for _, p := range pairs {
		if strings.ContainsAny(p.value, "\r\n") {
			// A person reads these: a plain EOF unless the value has such a line.
			if !strings.Contains("\n"+p.value+"\n", "\nEOF\n") {
				b.WriteString(p.key + "<<EOF\n" + p.value + "\nEOF\n")
				continue
			}
			s, err := formatFileCommand(p.key, p.value)
			if err != nil {
				return err
			}
			b.WriteString(s)
			continue
		}
		b.WriteString(p.key + "=" + p.value + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ParseFileCommands decodes a GITHUB_OUTPUT-style file the way the runner
// does: name=value lines and name<<DELIM heredocs. Tests use it to read back
// exactly what the runner would see.
func ParseFileCommands(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		if hd >= 0 && (eq < 0 || hd < eq) {
			key, delim := line[:hd], line[hd+2:]
			if key == "" || delim == "" {
				return nil, fmt.Errorf("line %d: malformed heredoc %q", i+1, line)
			}
			var val []string
			closed := false
			for i++; i < len(lines); i++ {
				if lines[i] == delim {
					closed = true
					break
				}
				val = append(val, lines[i])
			}
			if !closed {
				return nil, fmt.Errorf("heredoc for %q is not closed by %q", key, delim)
			}
			out[key] = strings.Join(val, "\n")
			continue
		}
		if eq <= 0 {
			return nil, fmt.Errorf("line %d: neither name=value nor heredoc: %q", i+1, line)
		}
		out[line[:eq]] = line[eq+1:]
	}
	return out, nil
}

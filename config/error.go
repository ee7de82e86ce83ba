package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem in a config file. Parse and Validate return every
// problem they find as *Error values joined with errors.Join.
type Error struct {
	File string // as given to Parse; may be empty
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key path, e.g. "slack.bot_token" or "teams[1].members"
	Msg  string
}

// Error formats e as "file:LINE: key.path: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.File == "" {
			b.WriteString("line ")
		} else {
			b.WriteString(":")
		}
		b.WriteString(strconv.Itoa(e.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// source remembers where a Config came from: the file name, the line of
// every key path, and the environment variable each secret was read from.
type source struct {
	file  string
	lines map[string]int
	envs  map[string]string // key path -> variable name, for secrets

	// expanded maps each value read from the environment to its variable.
	expanded map[string]string
}

// minScrub is the length from which a value read from the environment is
// taken out of messages: shorter values ("8080", "true") are not secrets,
// and replacing them would garble messages.
const minScrub = 8

// scrub replaces in msg every secret with "[redacted]" and every long
// enough value read from the environment with its ${VAR}.
func (p *problems) scrub(msg string) string {
	for _, s := range p.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	if p.src == nil {
		return msg
	}
	// Longest first, so that a value containing another is replaced whole.
	vals := slices.SortedFunc(maps.Keys(p.src.expanded), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	for _, v := range vals {
		if len(v) >= minScrub {
			msg = strings.ReplaceAll(msg, v, "${"+p.src.expanded[v]+"}")
		}
	}
	return msg
}

// line returns the line of key, or of its nearest ancestor in the file.
func (s *source) line(key string) int {
	if s == nil {
		return 0
	}
	for key != "" {
		if l, ok := s.lines[key]; ok {
			return l
		}
		key = parent(key)
	}
	return 0
}

// parent strips the last ".name" or "[i]" from a key path.
func parent(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

// problems collects errors for one Parse or Validate call.
type problems struct {
	src     *source
	errs    []*Error
	secrets []string // scrubbed from every message
}

func (p *problems) add(key string, line int, format string, args ...any) {
	file := ""
	if p.src != nil {
		file = p.src.file
		if line == 0 {
			line = p.src.line(key)
		}
	}
	p.errs = append(p.errs, &Error{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// at adds a problem at key, finding its line in the source.
func (p *problems) at(key, format string, args ...any) { p.add(key, 0, format, args...) }

// err returns the problems sorted by line and joined, or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		e.Msg = p.scrub(e.Msg)
		errs[i] = e
	}
	return errors.Join(errs...)
}

package hookbridge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// CursorStore keeps a subscription's position across restarts. With a
// store, a subscription resumes after the stored sequence when there is
// one (its start position applies only when there is none), and saves the
// position once the application has handled each event (it calls Next
// again, or Commit) and on heartbeats and gaps.
//
// Store the cursor in the same transaction as the effect of the event
// (implement CursorStore over your database) and a restart never applies
// an event twice; with a separate file, a crash between the effect and the
// save delivers that event again (Event.Id is stable: make the effect
// idempotent with it).
type CursorStore interface {
	// Load returns the stored sequence, or ok false when there is none.
	Load() (sequence uint64, ok bool, err error)
	// Save replaces the stored sequence.
	Save(sequence uint64) error
}

// FileCursorStore keeps the cursor in a file, as a decimal number and a
// newline. Save is atomic: it writes a temporary file in the same
// directory, fsyncs it and renames it over the old one (then fsyncs the
// directory), so a crash leaves the old or the new cursor, never a torn
// one.
type FileCursorStore struct {
	path string
}

// NewFileCursorStore returns a store for the file at path; the file need
// not exist (Load then finds no cursor), its directory must.
func NewFileCursorStore(path string) *FileCursorStore {
	return &FileCursorStore{path: path}
}

// Path is the cursor file.
func (s *FileCursorStore) Path() string { return s.path }

// Load reads the cursor. A missing or empty file holds none; anything but a
// decimal sequence is an error.
func (s *FileCursorStore) Load() (uint64, bool, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading the cursor: %w", err)
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return 0, false, nil
	}
	seq, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("cursor file %s does not hold a sequence number: %q", s.path, text)
	}
	return seq, true, nil
}

// Save replaces the cursor file atomically.
func (s *FileCursorStore) Save(seq uint64) error {
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("saving the cursor: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.WriteString(strconv.FormatUint(seq, 10) + "\n")
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		return fmt.Errorf("saving the cursor: %w", err)
	}
	// Make the rename itself durable. Not every file system can sync a
	// directory; the cursor is written either way.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// MemoryCursorStore keeps the cursor in memory: for tests, and for
// subscriptions that restart within one process. Safe for concurrent use.
type MemoryCursorStore struct {
	mu  sync.Mutex
	seq uint64
	ok  bool
}

// Load returns the saved sequence, if any.
func (s *MemoryCursorStore) Load() (uint64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq, s.ok, nil
}

// Save keeps seq.
func (s *MemoryCursorStore) Save(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq, s.ok = seq, true
	return nil
}

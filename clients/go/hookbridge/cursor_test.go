package hookbridge

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func TestFileCursorStoreLoadAndSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.cursor")
	s := NewFileCursorStore(path)
	if seq, ok, err := s.Load(); err != nil || ok {
		t.Fatalf("missing file: %d %v %v", seq, ok, err)
	}
	for _, seq := range []uint64{0, 5, 18446744073709551615, 7} {
		if err := s.Save(seq); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Load()
		if err != nil || !ok || got != seq {
			t.Fatalf("after Save(%d): %d %v %v", seq, got, ok, err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "7\n" {
		t.Errorf("file content %q %v", data, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v %v", info.Mode(), err)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries: %v", len(entries), entries)
	}
}

func TestFileCursorStoreEmptyAndMalformed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c")
	if err := os.WriteFile(path, []byte(" \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := NewFileCursorStore(path).Load(); ok || err != nil {
		t.Errorf("empty file: %v %v", ok, err)
	}
	if err := os.WriteFile(path, []byte("50\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if seq, ok, err := NewFileCursorStore(path).Load(); !ok || err != nil || seq != 50 {
		t.Errorf("hand-written cursor: %d %v %v", seq, ok, err)
	}
	for _, bad := range []string{"abc", "-1", "1 2", "99999999999999999999"} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := NewFileCursorStore(path).Load(); err == nil {
			t.Errorf("%q loaded without error", bad)
		}
	}
	if err := NewFileCursorStore(filepath.Join(dir, "missing", "c")).Save(1); err == nil {
		t.Error("saved into a missing directory")
	}
}

// A reader never sees a torn or empty cursor while it is being replaced.
func TestFileCursorStoreSaveIsAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c")
	s := NewFileCursorStore(path)
	if err := s.Save(1000000); err != nil {
		t.Fatal(err)
	}
	const saves = 100
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("read: %v", err)
				return
			}
			n, err := strconv.ParseUint(string(data[:len(data)-1]), 10, 64)
			if err != nil || data[len(data)-1] != '\n' || n < 1000000 || n > 1000000+saves {
				t.Errorf("torn cursor %q", data)
				return
			}
		}
	}()
	for i := uint64(1); i <= saves; i++ {
		if err := s.Save(1000000 + i); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
}

func TestMemoryCursorStore(t *testing.T) {
	var s MemoryCursorStore
	if _, ok, _ := s.Load(); ok {
		t.Fatal("new store holds a cursor")
	}
	_ = s.Save(3)
	if seq, ok, err := s.Load(); seq != 3 || !ok || err != nil {
		t.Errorf("after Save(3): %d %v %v", seq, ok, err)
	}
}

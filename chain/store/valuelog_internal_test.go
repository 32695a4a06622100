package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// Large values overwritten leave garbage in Badger's value log, which an
// Open after Badger compacted them rewrites away; every value reads the
// same after it.
func TestValueLogCollectedAtOpen(t *testing.T) {
	opts := Options{Dir: t.TempDir(), valueLogFileSize: 1 << 20}
	value := func(round, i int) []byte {
		v := bytes.Repeat([]byte{byte(round)}, 2*valueThreshold)
		copy(v, fmt.Sprintf("round %d value %d", round, i))
		return v
	}
	// Each round overwrites every key, ~2 MiB: over two 1 MiB value log
	// files. Closing after each writes its memtable out as a level 0 table
	// of its own; from 5 of them Badger compacts them into level 1 (see
	// compacted).
	const keys, rounds = 1500, 6
	for round := range rounds {
		s := openTest(t, opts)
		writes := map[string][]byte{}
		for i := range keys {
			writes[fmt.Sprintf("big/%04d", i)] = value(round, i)
		}
		commitTest(t, s, writes)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s := openTest(t, opts)
	for deadline := time.Now().Add(time.Minute); !compacted(s); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Badger has not compacted level 0: tables by level %v", tablesByLevel(s))
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Every Open collects, so part of the garbage may be gone before this
	// one, which collects at least what that compaction made known: the
	// values of the first four rounds or more. What is left is then at most
	// the last two rounds' files and the ones they share with a neighbour,
	// ~6.4 of the 12.6 MB written; with nothing collected, all of it and
	// more (entry headers) is left.
	s = openTest(t, opts)
	defer s.Close()
	written := rounds * keys * len(value(0, 0))
	if size := valueLogSize(t, opts.Dir); size > written*2/3 {
		t.Errorf("the value log holds %d bytes of the %d written: nothing collected", size, written)
	}
	err := s.View(func(r chain.Reader) error {
		for i := range keys {
			k := fmt.Sprintf("big/%04d", i)
			if got := r.Get([]byte(k)); !bytes.Equal(got, value(rounds-1, i)) {
				return fmt.Errorf("%s after the value log was collected: %.20q…", k, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// compacted reports whether Badger has compacted level 0 into level 1,
// which drops the overwritten versions and tells the value log which of its
// files hold garbage. Compactions run in the background: when one takes the
// first five rounds' tables while the sixth is still being written, that
// last table stays in level 0 alone, too few to be compacted.
func compacted(s *Store) bool {
	levels := tablesByLevel(s)
	return len(levels) > 1 && levels[0] <= 1
}

// tablesByLevel counts Badger's tables in each level, up to the deepest
// holding one.
func tablesByLevel(s *Store) []int {
	var levels []int
	for _, t := range s.db.Tables() {
		for len(levels) <= t.Level {
			levels = append(levels, 0)
		}
		levels[t.Level]++
	}
	return levels
}

// valueLogSize returns the bytes of the value log files in dir.
func valueLogSize(t *testing.T, dir string) int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, name := range names {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		size += int(info.Size())
	}
	return size
}

package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chancery/chancery/chain"
)

// Large values overwritten leave garbage in Badger's value log, which the
// next Open rewrites away; every value reads the same after it.
func TestValueLogCollectedAtOpen(t *testing.T) {
	opts := Options{Dir: t.TempDir(), valueLogFileSize: 1 << 20}
	value := func(round, i int) []byte {
		v := bytes.Repeat([]byte{byte(round)}, 2*valueThreshold)
		copy(v, fmt.Sprintf("round %d value %d", round, i))
		return v
	}
	// Each round overwrites every key, ~2 MiB: over two 1 MiB value log
	// files. Closing after each writes its memtable out as a level 0 table
	// of its own; from 5 of them Badger compacts them into level 1, which
	// drops the overwritten versions and tells the value log which of its
	// files hold garbage.
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
	for deadline := time.Now().Add(time.Minute); levelZeroTables(s) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Badger left %d tables in level 0", levelZeroTables(s))
		}
	}
	before := valueLogFiles(t, opts.Dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, opts)
	defer s.Close()
	if after := valueLogFiles(t, opts.Dir); after >= before {
		t.Errorf("%d value log files after reopening, %d before: nothing collected", after, before)
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

func levelZeroTables(s *Store) int {
	n := 0
	for _, t := range s.db.Tables() {
		if t.Level == 0 {
			n++
		}
	}
	return n
}

func valueLogFiles(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	return len(files)
}

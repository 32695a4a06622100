package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// op is one write of a commit.
type op struct {
	key, value []byte
	deleted    bool
}

// writer is what a commit writes through: a Badger transaction, or a write
// batch when the writes are too many for one.
type writer interface {
	Set(key, value []byte) error
	Delete(key []byte) error
}

func applyOps(w writer, ops []op) error {
	for _, o := range ops {
		var err error
		if o.deleted {
			err = w.Delete(o.key)
		} else {
			err = w.Set(o.key, o.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// commitLarge commits a write set too large for one Badger transaction: the
// whole set is first written as one redo record (a single key, so atomic),
// then applied in batches, then the record is removed. If the process dies
// in between, Open applies the record again; the writes are absolute values,
// so applying them twice is the same as once. Readers read the block from
// pending meanwhile, and Badger's snapshot of the block before.
//
// An in-memory store writes no redo record: no crash can leave it half
// applied, since it dies with the process, and Badger keeps no value over
// 1 MB in memory.
func (s *Store) commitLarge(ops []op) error {
	if s.db.Opts().InMemory {
		return s.apply(ops)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyRedo, encodeOps(ops)) }); err != nil {
		return fmt.Errorf("write redo record: %w", err)
	}
	return s.applyRedo(ops)
}

// applyRedo applies the redo record's writes, then removes the record.
func (s *Store) applyRedo(ops []op) error {
	if err := s.apply(ops); err != nil {
		return fmt.Errorf("apply redo record: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(keyRedo) }); err != nil {
		return fmt.Errorf("remove redo record: %w", err)
	}
	return nil
}

// apply writes ops in as many batches as Badger needs.
func (s *Store) apply(ops []op) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	if err := applyOps(wb, ops); err != nil {
		return err
	}
	return wb.Flush()
}

// finishRedo completes a large commit that a crash interrupted.
func (s *Store) finishRedo() error {
	var rec []byte
	err := s.db.View(func(txn *badger.Txn) (err error) {
		rec, err = getValue(txn, keyRedo)
		return err
	})
	if err != nil || rec == nil {
		return err
	}
	ops, err := decodeOps(rec)
	if err != nil {
		return fmt.Errorf("state database: corrupt redo record: %w", err)
	}
	s.logger.Warn("finishing a commit interrupted by a crash", "writes", len(ops))
	return s.applyRedo(ops)
}

// The redo record is a sequence of: 1 byte (1 set, 0 delete), key length
// (uvarint), key, value length (uvarint), value.
func encodeOps(ops []op) []byte {
	var out []byte
	for _, o := range ops {
		flag := byte(1)
		if o.deleted {
			flag = 0
		}
		out = append(out, flag)
		out = binary.AppendUvarint(out, uint64(len(o.key)))
		out = append(out, o.key...)
		out = binary.AppendUvarint(out, uint64(len(o.value)))
		out = append(out, o.value...)
	}
	return out
}

var errTruncated = errors.New("truncated")

func decodeOps(b []byte) ([]op, error) {
	var ops []op
	for len(b) > 0 {
		flag := b[0]
		if flag > 1 {
			return nil, fmt.Errorf("bad op flag %d", flag)
		}
		b = b[1:]
		key, rest, err := readChunk(b)
		if err != nil {
			return nil, err
		}
		value, rest, err := readChunk(rest)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op{key: key, value: value, deleted: flag == 0})
		b = rest
	}
	return ops, nil
}

func readChunk(b []byte) (chunk, rest []byte, err error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n {
		return nil, nil, errTruncated
	}
	return b[w : w+int(n)], b[w+int(n):], nil
}

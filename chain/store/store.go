package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cometbft/cometbft/crypto/merkle"
	"github.com/dgraph-io/badger/v4"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
)

// Key spaces of the Badger database. Only state keys count in the app hash;
// the transaction index and the commit metadata are this node's bookkeeping.
const (
	prefixState = 's'
	prefixIndex = 'i'
)

var (
	keyHeight  = []byte("m/height")
	keyAppHash = []byte("m/app_hash")
	keyTime    = []byte("m/time")
	keyRedo    = []byte("m/redo") // a commit too large for one Badger transaction, being applied
)

// Options configure a store.
type Options struct {
	Dir      string // database directory; ignored when InMemory
	InMemory bool   // for tests: nothing touches the disk
	Logger   *slog.Logger
}

// Store is the committed application state and the transaction index.
type Store struct {
	db     *badger.DB
	logger *slog.Logger

	// large is held for writing while a commit too large for one Badger
	// transaction is applied in parts, so that no reader sees half a block.
	large sync.RWMutex

	mu         sync.RWMutex
	height     int64
	appHash    []byte
	time       time.Time
	committing bool // a block's writes are being made durable

	recent *recent // committed values read lately
}

// Open opens (creating if needed) the state database, finishing any commit
// that a crash interrupted.
func Open(opts Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bopts := badger.DefaultOptions(opts.Dir).
		WithInMemory(opts.InMemory).
		// One fsync per block is cheap, and it makes "committed" mean on disk.
		WithSyncWrites(!opts.InMemory).
		WithNumVersionsToKeep(1).
		// Commit waits while Badger inserts the block's writes into the
		// memtable's skiplist, on one goroutine and with the mempool
		// locked; a smaller skiplist takes them faster (docs/benchmarks.md).
		// A block's writes fit one Badger transaction up to 15% of the
		// memtable, ~9.6 MB here (about 8,000 deposits); a larger block is
		// committed through the redo record (commitLarge): atomically, but
		// slower.
		WithMemTableSize(64 << 20).
		WithLogger(badgerLogger{logger.With("component", "badger")})
	db, err := badger.Open(bopts)
	if err != nil {
		return nil, fmt.Errorf("open state database %s: %w", opts.Dir, err)
	}
	s := &Store{db: db, logger: logger}
	if err := s.finishRedo(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadMeta(); err != nil {
		db.Close()
		return nil, err
	}
	s.recent = newRecent(s.height)
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Last returns the height and app hash of the last committed block (0 and nil
// before the first).
func (s *Store) Last() (height int64, appHash []byte) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.height, bytes.Clone(s.appHash)
}

// LastTime returns the time of the last committed block (zero before the
// first).
func (s *Store) LastTime() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.time
}

// View runs fn over a consistent snapshot of committed state.
func (s *Store) View(fn func(chain.Reader) error) error {
	s.large.RLock()
	defer s.large.RUnlock()
	snap := s.read()
	defer snap.txn.Discard()
	return fn(snap)
}

// read opens a snapshot of committed state. It uses the recent-reads cache
// when no commit came between the heights read before and after the Badger
// transaction opened, so that the transaction reads that height.
func (s *Store) read() snapshot {
	before, busy := s.commitState()
	txn := s.db.NewTransaction(false)
	after, busyAfter := s.commitState()
	snap := snapshot{txn: txn, height: after}
	if !busy && !busyAfter && before == after {
		snap.recent = s.recent
	}
	return snap
}

func (s *Store) commitState() (height int64, committing bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.height, s.committing
}

// TxResult returns the indexed result of a committed transaction.
func (s *Store) TxResult(hash chain.Hash) (*chain.TxResult, bool, error) {
	var res *chain.TxResult
	s.large.RLock()
	defer s.large.RUnlock()
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(indexKey(hash))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			res = new(chain.TxResult)
			return canon.Unmarshal(v, res)
		})
	})
	if err != nil {
		return nil, false, fmt.Errorf("read tx index %s: %w", hash, err)
	}
	return res, res != nil, nil
}

// NewBlock starts buffering the writes of the block at height over the
// committed state. The caller must Commit or Discard it.
func (s *Store) NewBlock(height int64) *Block {
	snap := s.read()
	return &Block{Cache: NewCache(snap), height: height, txn: snap.txn, indexed: map[chain.Hash]bool{}}
}

// Block is the write set of one block under execution.
type Block struct {
	*Cache
	height  int64
	time    time.Time
	txn     *badger.Txn // the committed state the block reads
	index   []*chain.TxResult
	indexed map[chain.Hash]bool
	appHash []byte

	// Prepared by Finish, so that Commit, which CometBFT runs with the
	// mempool locked, only writes.
	ops        []op
	newResults []*chain.TxResult // the results ops index
}

// Height is the block's height.
func (b *Block) Height() int64 { return b.height }

// SetTime sets the block's time, committed with it as the state's time.
func (b *Block) SetTime(t time.Time) { b.time = t.UTC() }

// Index records a transaction result for the tx index. The first result for a
// hash wins: a copy of a transaction included again (which then fails as a
// replay) never hides the original.
func (b *Block) Index(r *chain.TxResult) {
	if b.indexed[r.Hash] {
		return
	}
	b.indexed[r.Hash] = true
	b.index = append(b.index, r)
}

// Finish computes the block's app hash from the previous one and the write
// set, and prepares what Commit writes. Writes after Finish are a
// programming error.
func (b *Block) Finish(prevAppHash []byte) []byte {
	keys := b.sortedKeys(chain.Range{})
	leaves := make([][]byte, len(keys))
	for i, k := range keys {
		w := b.writes[k]
		leaf := binary.AppendUvarint(nil, uint64(len(k)))
		leaf = append(leaf, k...)
		if w.deleted {
			leaf = append(leaf, 0)
		} else {
			leaf = append(leaf, 1)
			leaf = append(leaf, w.value...)
		}
		leaves[i] = leaf
	}
	root := merkle.HashFromByteSlices(leaves)
	h := sha256.New()
	h.Write([]byte("chancery/apphash/v1"))
	h.Write(prevAppHash)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(b.height)))
	h.Write(root)
	b.appHash = h.Sum(nil)
	b.prepareOps()
	return bytes.Clone(b.appHash)
}

// prepareOps builds the Badger writes of the block: its state writes, index
// entries for the results not committed before, height, app hash and time.
func (b *Block) prepareOps() {
	b.newResults = make([]*chain.TxResult, 0, len(b.index))
	b.ops = make([]op, 0, len(b.writes)+len(b.index)+3)
	for k, w := range b.writes {
		b.ops = append(b.ops, op{key: stateKey([]byte(k)), value: w.value, deleted: w.deleted})
	}
	for _, r := range b.index {
		// A transaction committed before fails if it is included again
		// (replayed or expired), so only a failure can be such a copy; the
		// index is read for those alone.
		if !r.OK() && b.alreadyIndexed(r.Hash) {
			continue // committed earlier; the first result stands
		}
		b.newResults = append(b.newResults, r)
		b.ops = append(b.ops, op{key: indexKey(r.Hash), value: canon.MustMarshal(r)})
	}
	b.ops = append(b.ops,
		op{key: keyHeight, value: binary.BigEndian.AppendUint64(nil, uint64(b.height))},
		op{key: keyAppHash, value: b.appHash},
		op{key: keyTime, value: []byte(b.time.Format(time.RFC3339Nano))})
}

// Discard drops the block's writes.
func (b *Block) Discard() { b.txn.Discard() }

// alreadyIndexed reports whether hash is in the committed index.
func (b *Block) alreadyIndexed(hash chain.Hash) bool {
	_, err := b.txn.Get(indexKey(hash))
	return err == nil
}

// Commit makes the block's writes, index entries, height and app hash durable
// at once. The block must have been Finished. It returns the results it
// indexed: those of the block's transactions that were not committed before.
func (s *Store) Commit(b *Block) ([]*chain.TxResult, error) {
	defer b.Discard()
	if b.appHash == nil {
		return nil, errors.New("commit: block was not finished")
	}
	s.setCommitting(true)
	defer s.setCommitting(false)
	err := s.db.Update(func(txn *badger.Txn) error { return applyOps(txn, b.ops) })
	if errors.Is(err, badger.ErrTxnTooBig) {
		err = s.commitLarge(b.ops)
	}
	if err != nil {
		s.recent.forget(s.height)
		return nil, fmt.Errorf("commit block %d: %w", b.height, err)
	}
	s.recent.commit(b.height, b.writes)
	s.mu.Lock()
	s.height, s.appHash, s.time = b.height, bytes.Clone(b.appHash), b.time
	s.mu.Unlock()
	return b.newResults, nil
}

func (s *Store) setCommitting(on bool) {
	s.mu.Lock()
	s.committing = on
	s.mu.Unlock()
}

func (s *Store) loadMeta() error {
	return s.db.View(func(txn *badger.Txn) error {
		h, err := getValue(txn, keyHeight)
		if err != nil || h == nil {
			return err
		}
		if len(h) != 8 {
			return fmt.Errorf("state database: corrupt height record")
		}
		s.height = int64(binary.BigEndian.Uint64(h))
		if s.appHash, err = getValue(txn, keyAppHash); err != nil {
			return err
		}
		t, err := getValue(txn, keyTime)
		if err != nil || t == nil {
			return err
		}
		s.time, err = time.Parse(time.RFC3339Nano, string(t))
		return err
	})
}

func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

func stateKey(k []byte) []byte {
	out := make([]byte, 1+len(k))
	out[0] = prefixState
	copy(out[1:], k)
	return out
}

func indexKey(h chain.Hash) []byte {
	out := make([]byte, 1+len(h))
	out[0] = prefixIndex
	copy(out[1:], h[:])
	return out
}

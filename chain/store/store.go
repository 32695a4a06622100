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

	valueLogFileSize int64 // for tests: Badger's default when zero
}

// Store is the committed application state and the transaction index.
//
// Commit returns once the block is the state every reader sees, and Badger
// writes it in the background while the next block runs (docs/benchmarks.md,
// "Asynchronous commit"): until the write ends, readers read the block's
// write set over the Badger snapshot of the block before (pending). One block
// at most is being written; Commit waits for it before taking the next. A
// crash may lose that write, never the block: CometBFT has stored the block
// before the application executes it, and its handshake replays to the
// application every block past the height Badger holds (Info).
type Store struct {
	db     *badger.DB
	logger *slog.Logger

	mu      sync.RWMutex
	height  int64
	appHash []byte
	time    time.Time
	base    *reader  // Badger's snapshot of the last block it has written
	pending *pending // the last committed block while Badger writes it

	recent *recent // committed values read lately

	// writeHook, when set (by tests), runs before Badger writes a block;
	// an error fails the write as Badger's would.
	writeHook func(height int64) error
}

// pending is a committed block that Badger is writing.
type pending struct {
	height int64
	writes map[string]write // by state key, read-only
	index  map[chain.Hash]*chain.TxResult
	done   chan struct{} // closed when the write has ended
	err    error         // why the write failed; set before done is closed
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
		// One fsync per block is cheap, and it makes a block Badger has
		// written (Flush) a block on disk.
		WithSyncWrites(!opts.InMemory).
		WithNumVersionsToKeep(1).
		// Badger inserts a block's writes into the memtable's skiplist on
		// one goroutine, and the next Commit waits for it with the mempool
		// locked; a smaller skiplist takes them faster (docs/benchmarks.md).
		// A block's writes fit one Badger transaction up to 15% of the
		// memtable, ~9.6 MB here, where a value in the value log
		// (valueThreshold) counts as its pointer (more than the ~8,000
		// deposits that fitted when their results were in the LSM tree). A
		// larger block is committed through the redo record (commitLarge):
		// atomically, but slower.
		WithMemTableSize(64 << 20).
		// Commits are one at a time (Commit waits for the previous write)
		// and write only, so Badger has no conflicts to detect; tracking
		// every key written for that costs CPU a block.
		WithDetectConflicts(false).
		// Nothing reads Badger's expvar counters, which it bumps on every
		// read and write.
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{logger.With("component", "badger")})
	if !opts.InMemory { // in memory, Badger keeps every value in the LSM tree
		bopts = bopts.WithValueThreshold(valueThreshold)
	}
	if opts.valueLogFileSize > 0 {
		bopts = bopts.WithValueLogFileSize(opts.valueLogFileSize)
	}
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
	if err := s.collectValueLog(); err != nil {
		db.Close()
		return nil, err
	}
	s.recent = newRecent(s.height)
	s.base = newReader(db)
	return s, nil
}

// valueThreshold is the size from which Badger keeps a value in its value
// log, the LSM tree holding only a pointer to it, so that memtable flushes
// and compactions do not copy it again and again: the transaction results
// of the index (~800 bytes a deposit, written once and never changed) and
// the few state values as large. A large state value that is overwritten
// or deleted leaves its old copy in the value log until collectValueLog
// reclaims it at the next start. 12 % more committed tx/s
// (docs/benchmarks.md, "Large values in the value log").
const valueThreshold = 700

// collectValueLog rewrites the value log files that are mostly garbage,
// until none is. It runs only at Open: a Badger read transaction holds no
// claim on the value log files it points into, so one rewritten and
// deleted under a reader would fail its read. Before the store serves any
// reader, nothing can.
func (s *Store) collectValueLog() error {
	if s.db.Opts().InMemory {
		return nil
	}
	for n := 0; ; n++ {
		err := s.db.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) {
			if n > 0 {
				s.logger.Info("state database: value log files rewritten", "files", n)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("state database: collect value log: %w", err)
		}
	}
}

// Close waits for the last committed block to be written and closes the
// database.
func (s *Store) Close() error {
	err := s.Flush()
	s.base.release()
	return errors.Join(err, s.db.Close())
}

// Flush waits until Badger has written the last committed block. It returns
// the write's error if it failed; then every later Commit fails too.
func (s *Store) Flush() error {
	s.mu.RLock()
	p := s.pending
	s.mu.RUnlock()
	if p == nil {
		return nil
	}
	<-p.done
	if p.err != nil {
		return fmt.Errorf("write block %d: %w", p.height, p.err)
	}
	return nil
}

// Last returns the height and app hash of the last committed block (0 and nil
// before the first).
func (s *Store) Last() (height int64, appHash []byte) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.height, bytes.Clone(s.appHash)
}

// Height returns the last committed height: Last without copying the app
// hash, for the checks every transaction makes.
func (s *Store) Height() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.height
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
	snap := s.read()
	defer snap.close()
	return fn(snap)
}

// read opens a snapshot of the state committed now. The caller must close
// it.
func (s *Store) read() snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.base.acquire()
	return snapshot{base: s.base, pending: s.pending, height: s.height, recent: s.recent}
}

// TxResult returns the indexed result of a committed transaction.
func (s *Store) TxResult(hash chain.Hash) (*chain.TxResult, bool, error) {
	snap := s.read()
	defer snap.close()
	res, err := snap.txResult(hash)
	if err != nil {
		return nil, false, fmt.Errorf("read tx index %s: %w", hash, err)
	}
	return res, res != nil, nil
}

// NewBlock starts buffering the writes of the block at height over the
// committed state. The caller must Commit or Discard it.
func (s *Store) NewBlock(height int64) *Block {
	snap := s.read()
	return &Block{Cache: NewCache(snap), height: height, snap: snap, indexed: map[chain.Hash]bool{}}
}

// Block is the write set of one block under execution.
type Block struct {
	*Cache
	height    int64
	time      time.Time
	snap      snapshot // the committed state the block reads
	discarded bool
	index     []*chain.TxResult
	indexed   map[chain.Hash]bool
	appHash   []byte

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

// Discard drops the block's writes. Discarding twice is harmless.
func (b *Block) Discard() {
	if !b.discarded {
		b.discarded = true
		b.snap.close()
	}
}

// alreadyIndexed reports whether hash is in the committed index.
func (b *Block) alreadyIndexed(hash chain.Hash) bool {
	res, err := b.snap.txResult(hash)
	if err != nil {
		panic(chain.StorageError{Err: err})
	}
	return res != nil
}

// Commit makes the block the committed state: its writes, index entries,
// height and app hash, seen by every reader from now on. The block must have
// been Finished. Commit first waits for the previous block to be written,
// then has Badger write this one in the background, at once, synced to disk;
// Flush waits for that write. It returns the results it indexed: those of
// the block's transactions that were not committed before.
func (s *Store) Commit(b *Block) ([]*chain.TxResult, error) {
	b.Discard()
	if b.appHash == nil {
		return nil, errors.New("commit: block was not finished")
	}
	if err := s.Flush(); err != nil {
		return nil, fmt.Errorf("commit block %d: %w", b.height, err)
	}
	p := &pending{
		height: b.height,
		writes: b.writes,
		index:  make(map[chain.Hash]*chain.TxResult, len(b.newResults)),
		done:   make(chan struct{}),
	}
	for _, r := range b.newResults {
		p.index[r.Hash] = r
	}
	s.recent.commit(b.height, b.writes)
	s.mu.Lock()
	s.pending = p
	s.height, s.appHash, s.time = b.height, bytes.Clone(b.appHash), b.time
	s.mu.Unlock()
	go s.write(p, b.ops)
	return b.newResults, nil
}

// write has Badger write a committed block, then lets readers read it from
// Badger.
func (s *Store) write(p *pending, ops []op) {
	var err error
	if s.writeHook != nil {
		err = s.writeHook(p.height)
	}
	if err == nil {
		err = s.db.Update(func(txn *badger.Txn) error { return applyOps(txn, ops) })
		if errors.Is(err, badger.ErrTxnTooBig) {
			err = s.commitLarge(ops)
		}
	}
	if err != nil {
		// Readers go on reading the block from pending; Commit and Close
		// report the error.
		s.logger.Error("state database: block not written", "height", p.height, "err", err)
		p.err = err
		close(p.done)
		return
	}
	// No other write is in flight, so Badger opens the snapshot at once.
	base := newReader(s.db)
	s.mu.Lock()
	old := s.base
	s.base, s.pending = base, nil
	s.mu.Unlock()
	old.release()
	close(p.done)
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

// Package store keeps the application state in Badger v4.
//
// State changes only in Commit. While a block executes, its writes collect in
// a Block: reads see the block's earlier writes over the last committed state,
// and each transaction writes into a Cache of its own that is merged into the
// block only if the transaction succeeds. Commit makes the block the state
// every reader sees and returns; Badger then writes the block's whole write
// set, its transaction index entries, the height and the app hash in one
// atomic transaction, synced to disk, while the next block executes. Until
// that write ends, readers read the block's writes over Badger's snapshot of
// the block before. A crash therefore leaves Badger at the end of some
// committed block, never between two — at most one block behind what was
// committed, never a block that CometBFT has not stored — and CometBFT's
// handshake replays exactly the blocks that are missing.
//
// The app hash chains blocks together:
//
//	app_hash(H) = SHA-256("chancery/apphash/v1" ‖ app_hash(H-1) ‖ H as 8 bytes big-endian ‖ root)
//
// where root is the Merkle root (RFC 6962, as CometBFT computes it) over the
// block's write set in key order, one leaf per key: its length as a uvarint,
// the key, one byte 1 (set) or 0 (delete), and the value. Two nodes that agree
// on the hash agree on every write of every block.
package store

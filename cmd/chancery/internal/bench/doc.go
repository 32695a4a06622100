// Package bench measures a Chancery chain under load: committed
// transactions per second counted from the blocks, submit→commit latency,
// CPU and memory of the node, block size and rhythm; the same load against
// CometBFT's kvstore example application for comparison; and batched
// anchoring.
//
// The load is signed (or, for kvstore, padded) in advance into a Pool, so
// that the measured window spends the machine on the node's work, as clients
// on their own machines would leave it. A Target is the chain under load: a
// node in this process (NodeTarget) or nodes reached over HTTP
// (HTTPTarget). cmd/chancery wires the nodes; this package drives, counts
// and reports.
package bench

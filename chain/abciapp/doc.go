// Package abciapp is the ABCI application: it decodes transactions, checks
// their envelope and signature, routes their messages to modules and keeps
// state, the transaction index and the app hash through chain/store.
//
// CometBFT drives it over two connections at once (the mempool's and
// consensus'), so CheckTx reads only committed state through snapshots while
// FinalizeBlock writes into the block's buffer; nothing here relies on a
// global lock.
//
// Every signature is verified once: CheckTx remembers the hashes of the
// transactions whose signatures it verified, and FinalizeBlock batch-verifies
// only the ones it has not seen (those another validator proposed).
package abciapp

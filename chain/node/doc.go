// Package node embeds a CometBFT v0.38 node in the chancery process.
//
// A Node runs CometBFT's consensus, mempool and peer-to-peer layers in
// process, talking to the ABCI application through a connection-synchronised
// local client: the mempool connection (CheckTx) runs concurrently with the
// consensus connection (FinalizeBlock), and the application guards its own
// state. CometBFT's configuration is built in code from our small Config
// (CometConfig); CometBFT's own config.toml is never read.
//
// The package also owns the node home: InitHome and WriteGenesis create the
// keys and the genesis file, and CheckHome validates them before they reach
// CometBFT, whose loaders exit the process on a bad file.
//
// Writes go through Submit, which hands a transaction to the mempool and waits,
// for a bounded time, for the application to report it committed. Reads
// (Status, Block, Blocks) come straight from CometBFT's block and state
// stores; CometClient exposes the in-process RPC client for everything else,
// such as the commits and block results that receipts are built from.
package node

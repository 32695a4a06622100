// Package chain declares what the state machine is made of: messages and the
// modules that handle them, the key-value state they read and write, the
// context of a transaction and the events it emits.
//
// It holds interfaces and small value types only. The envelope that carries a
// message is in chain/tx, the ABCI application that drives modules in
// chain/abciapp, the Badger-backed state in chain/store and the embedded
// CometBFT node in chain/node. Apps (apps/...) depend on this package and on
// nothing else of the chain.
package chain

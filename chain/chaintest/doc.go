// Package chaintest runs modules through the real ABCI application and state
// store, without consensus: each Submit is checked as CheckTx would, executed
// in a block of its own and committed, with block time under the test's
// control. Keepers can also be tested directly over a MemKV.
package chaintest

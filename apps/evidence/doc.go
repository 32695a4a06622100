// Package evidence is the justice evidence registry.
//
// A party or a notary (evidence.depositor) deposits evidence: the SHA-256 of
// a file — uploaded to the blob store, or computed by the depositor and sent
// alone — with its size, media type and a title. Only the hash and these
// facts go on chain; the block time of the deposit is its proof of existence.
// Other organisations attest a deposit (co-sign it), custodians
// (evidence.custodian) record handovers in its custody log, every download is
// logged there too, and courts (evidence.verifier) verify a file or hash by
// looking it up. Evidence is never deleted: a depositor may withdraw it with a
// reason, and it stays visible as withdrawn.
//
// A deposit's file opens for its organisation, attesting organisations,
// custodians and courts; and a file is the content of its hash, which
// belongs to whoever deposited it first: another organisation's later
// deposit of the same hash opens it only to those who may open the first.
//
// High-volume depositors anchor batches: one transaction carries the Merkle
// root of up to 100,000 hashes, and each hash is proven by its path to that
// root.
package evidence

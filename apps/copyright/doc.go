// Package copyright is the copyright registry.
//
// Authors, studios and publishers (copyright.registrant) register a work: the
// SHA-256 of its content — uploaded to the blob store, or computed by the
// registrant and sent alone — with its title, kind, authors, the accounts that
// hold it with their royalty shares in basis points (10,000 in all) and the
// date of creation they claim. A content hash is registered once chain-wide,
// so the block time of the first registration is its priority proof: a second
// attempt is refused naming the original.
//
// Holders change only with everyone's consent: a holder proposes new holders
// and every current holder approves with their own account, or one rejects
// and the proposal lapses. Holders grant licenses for a scope, a territory
// and a period; an exclusive license may not overlap any live license of the
// same scope and territory, nor a non-exclusive one an exclusive one. Licenses
// are revoked by a holder or expire by block time. Anyone may open a dispute
// citing an evidence deposit; an arbiter (copyright.arbiter) of an
// organisation that is no party to it (neither the claimant's nor a holder's)
// upholds it, marking the registration disputed-upheld with the reasoning, or
// dismisses it. While a dispute is open the holders cannot change, so no
// transfer can make an arbiter a party, or a party's arbiter eligible. Every
// step is kept in the work's append-only history.
//
// Works are found without scanning: the app keeps a token index of titles,
// author names and holders (copyright/idx/<token>/<id>), searched by prefix,
// and a hash index for exact lookups.
package copyright

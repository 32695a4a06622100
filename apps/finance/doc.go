// Package finance is supply-chain finance: receivables that a core enterprise
// owes its suppliers, passed down the chain in pieces, financed by banks and
// settled at maturity.
//
// A core enterprise (finance.core) issues a receivable to a supplier
// (finance.supplier): a face amount in integer minor units of an ISO 4217
// currency, a due date, and the SHA-256 of the invoice and the contract, whose
// files live in the blob store. An invoice's hash backs at most one receivable
// that its supplier has not rejected nor its issuer cancelled, whoever issues
// it: the same invoice file cannot be issued, and so financed, twice. The
// supplier accepts it or rejects it with a reason, and until then its issuer
// may cancel it with a reason; only accepted receivables move. The holder may
// split a piece into 2 to MaxPieces pieces that sum exactly to it (the piece
// closes, its pieces carry on), transfer a piece to another supplier, or ask a
// bank (finance.bank) to finance it, naming the highest discount rate it
// accepts if it will. The bank declines with a reason or approves with a
// discount rate (no higher than that) and its payment reference, and the
// piece becomes the bank's. A request binds the holder for WithdrawAfterDays (or
// until the due date, if sooner); after that, the holder may withdraw a
// request the bank has not answered. A bank may pay before it approves on
// chain, so the core enterprise cannot settle a piece while a request on it
// binds; after that, settling ends a request still open. The core enterprise
// settles: naming a piece settles it, naming a split
// piece (the original receivable, say) settles every unpaid piece under it at
// once, each paid to its current holder with the payment reference.
//
// Holding is by organisation: the account a piece was issued or transferred
// to is recorded, and any account of that organisation with the role acts for
// it. Every piece keeps its place in the lineage tree (root, parent,
// children), so the core enterprise's obligation — the root's face amount — is
// the sum of the tree's leaves whatever happens to them.
//
// Money is never a float. The discount of a financing is
//
//	discount = face × rate_bps × days / (10,000 × 360)
//
// (ACT/360: days are the calendar days from the block date of the approval to
// the due date), computed exactly with math/big and rounded half up to the
// minor unit: a remainder of half a minor unit or more rounds up, anything
// less rounds down. The bank pays face − discount.
//
// Dates are UTC calendar days of block time, never a local clock. A piece is
// overdue from the day after its due date while it is unpaid: that status is
// derived from block time at each read, not stored. Financing and transfers
// need a piece that is not overdue (a transfer's recipient has no say);
// settlement may come early or late.
package finance

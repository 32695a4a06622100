// Package financeweb serves the supply-chain finance app over HTTP: the JSON
// API under /api/v1/receivables, the pages of each role under /finance, and
// a receivable's lineage drawn as SVG on the server.
//
// Amounts. Clients send amounts as JSON strings in major units of the
// piece's currency — "100000.00", or "100000" — read exactly by
// finance.ParseAmount: at most the currency's decimals (2 for CNY, 0 for
// JPY, 3 for KWD), no sign, grouping or exponent. A JSON number is refused
// (400 finance.invalid_amount): it may have passed through a float, and a
// number of minor units would read the same as one of major units. Answers
// carry the records as the chain keeps them, amounts in integer minor units
// (amount: 10000000), beside amount_text in major units ("100000.00").
// Forms on the pages also take thousands separators ("100,000.00") when
// they group the whole part in threes.
//
// Writes answer 201 (issue) or 200 with the transaction, its receipt URL and
// the pieces it created or changed; 202 with the transaction hash while it
// is pending; or the pinned error body {"error":{"code","message"}} with 400
// (bad input: amounts, split sums, too many pieces, dates, currencies,
// overflow), 403 (no role, not the holder, not the issuer), 404 or 409
// (closed, settled, rejected, cancelled, already financed, overdue pieces;
// an invoice already in use; a financing request withdrawn while it binds).
//
//	POST /api/v1/receivables                       issue (core): JSON, or multipart with the files "invoice" and "contract"
//	GET  /api/v1/receivables/{id}                  a piece with its ancestors and children
//	GET  /api/v1/receivables/{id}/tree             every piece of its receivable
//	GET  /api/v1/receivables/{id}/quote?rate_bps=&date=   financing preview (ACT/360, as the chain computes it)
//	GET  /api/v1/receivables/{id}/receipt[?of=created]    receipt of its last change (or creation)
//	POST /api/v1/receivables/{id}/accept|reject|cancel|split|transfer|settle
//	POST /api/v1/receivables/{id}/financing        request (holder) {"bank"}
//	POST /api/v1/receivables/{id}/financing/approve|decline   (bank asked)
//	POST /api/v1/receivables/{id}/financing/withdraw          (holder, once the request no longer binds) {"reason"?}
//	GET  /api/v1/receivables/held?state=           the caller's organisation's pieces
//	GET  /api/v1/receivables/issued                receivables it issued
//	GET  /api/v1/receivables/due?days=30           unpaid pieces it owes falling due
//	GET  /api/v1/receivables/overdue               unpaid pieces it holds past due (?owed=true: it owes)
//	GET  /api/v1/receivables/financing-requests    requests awaiting its bank
//
// Listings page with ?limit= (1 to 200) and ?after= (the next cursor of the
// page before). Dates — due soon, overdue, quotes — count from the time of
// the last block, never from the server's clock.
package financeweb

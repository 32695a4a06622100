package chain

// TxResult is what the chain recorded for a transaction in a committed block:
// where it is, whether it succeeded, what it returned and emitted. Failed
// transactions have results too (Code ≠ 0); the code is an errs.Kind and
// Codespace the error's stable code, such as "evidence.duplicate".
type TxResult struct {
	Hash      Hash    `json:"hash"`
	Height    int64   `json:"height"`
	Index     uint32  `json:"index"`
	Code      uint32  `json:"code"`
	Codespace string  `json:"codespace"`
	Log       string  `json:"log"`
	Data      []byte  `json:"data"`
	Events    []Event `json:"events"`
	Module    string  `json:"module"`
	Type      string  `json:"type"`
	Signer    Address `json:"signer"`
}

// OK reports whether the transaction succeeded.
func (r *TxResult) OK() bool { return r.Code == 0 }

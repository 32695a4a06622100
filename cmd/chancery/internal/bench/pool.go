package bench

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/tx"
)

// Generate makes one transaction of the load.
type Generate func() ([]byte, error)

// Pool hands out transactions made in advance and, once they run out, makes
// more as they are asked for (counted in Live, since that work then competes
// with the node for the CPU).
//
// The transactions live in a few large byte slices rather than one
// allocation each, so that the garbage collector does not scan a million
// small objects while the node is measured.
type Pool struct {
	chunks []chunk
	total  int64
	bytes  int64
	next   atomic.Int64
	live   atomic.Int64
	gen    Generate
}

type chunk struct {
	data []byte
	ends []int
}

// NewPool makes n transactions with gen on workers goroutines.
func NewPool(n, workers int, gen Generate) (*Pool, error) {
	workers = max(1, min(workers, n))
	p := &Pool{gen: gen, total: int64(n)}
	if n <= 0 {
		return p, nil
	}
	sample, err := gen()
	if err != nil {
		return nil, err
	}
	p.chunks = make([]chunk, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		count := n / workers
		if w < n%workers {
			count++
		}
		wg.Go(func() {
			c := chunk{data: make([]byte, 0, count*(len(sample)+8)), ends: make([]int, 0, count)}
			for range count {
				raw, err := gen()
				if err != nil {
					errs[w] = err
					return
				}
				c.data = append(c.data, raw...)
				c.ends = append(c.ends, len(c.data))
			}
			p.chunks[w] = c
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, c := range p.chunks {
		p.bytes += int64(len(c.data))
	}
	return p, nil
}

// Next returns the next transaction.
func (p *Pool) Next() ([]byte, error) {
	i := p.next.Add(1) - 1
	if i >= p.total {
		p.live.Add(1)
		return p.gen()
	}
	c := &p.chunks[i%int64(len(p.chunks))]
	j := int(i / int64(len(p.chunks)))
	start := 0
	if j > 0 {
		start = c.ends[j-1]
	}
	return c.data[start:c.ends[j]:c.ends[j]], nil
}

// Size is how many transactions were made in advance, and their bytes.
func (p *Pool) Size() (txs, bytes int64) { return p.total, p.bytes }

// Live is how many transactions were made during the run, after the pool ran
// out.
func (p *Pool) Live() int64 { return p.live.Load() }

// Depositor signs evidence deposits of fresh random hashes (hash only, no
// file), as the account Key of chain ChainID.
type Depositor struct {
	ChainID string
	Key     ed25519.PrivateKey
	// validUntil is the valid_until of the transactions it signs; see
	// SetHeight.
	validUntil atomic.Int64
}

// DepositTitle is the title of every deposit of the load.
const DepositTitle = "chancery bench"

// NewDepositor returns a depositor signing for a chain at height.
func NewDepositor(chainID string, key ed25519.PrivateKey, height int64) *Depositor {
	d := &Depositor{ChainID: chainID, Key: key}
	d.SetHeight(height)
	return d
}

// SetHeight makes the next transactions valid for as long as the chain
// allows from height.
func (d *Depositor) SetHeight(h int64) { d.validUntil.Store(ValidUntil(h)) }

// PubKey is the signer's public key.
func (d *Depositor) PubKey() chain.PubKey { return PubKey(d.Key) }

// Deposit signs a deposit of a fresh random hash.
func (d *Depositor) Deposit() ([]byte, error) {
	var h chain.Hash
	if _, err := rand.Read(h[:]); err != nil {
		return nil, err
	}
	return d.Sign(evidence.TypeDeposit, evidence.Deposit{SHA256: h, Title: DepositTitle})
}

// Sign signs an evidence message.
func (d *Depositor) Sign(typ string, msg any) ([]byte, error) {
	body, err := tx.NewBody(d.ChainID, evidence.ModuleName, typ, msg, d.PubKey(), d.validUntil.Load())
	if err != nil {
		return nil, err
	}
	return tx.Sign(body, d.Key)
}

// ValidUntil is the valid_until that keeps a transaction signed at height h
// valid for as long as the chain allows (abciapp.MaxValidity blocks ahead),
// less a margin for heights passing while it is in flight.
func ValidUntil(h int64) int64 { return h + abciapp.MaxValidity - 20 }

// PubKey returns key's public half.
func PubKey(key ed25519.PrivateKey) chain.PubKey {
	var pub chain.PubKey
	copy(pub[:], key.Public().(ed25519.PublicKey))
	return pub
}

// KVStoreTx returns a generator of kvstore transactions "key=value" of
// exactly size bytes: a random 32-character key, the value padded.
func KVStoreTx(size int) (Generate, error) {
	const keyLen = 32
	if size < keyLen+2 {
		return nil, fmt.Errorf("kvstore transactions need at least %d bytes, got %d", keyLen+2, size)
	}
	return func() ([]byte, error) {
		var k [keyLen / 2]byte
		if _, err := rand.Read(k[:]); err != nil {
			return nil, err
		}
		out := make([]byte, size)
		hex.Encode(out, k[:])
		out[keyLen] = '='
		for i := keyLen + 1; i < size; i++ {
			out[i] = 'v'
		}
		return out, nil
	}, nil
}

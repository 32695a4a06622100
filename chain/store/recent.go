package store

import "sync"

// recentMax is how many keys each generation of the recent-reads cache
// holds: enough for every key the transactions of a few seconds read twice,
// once when admitted and once in their block.
const recentMax = 1 << 17

// recent remembers committed state that was read lately, by state key, so
// that the reads which every transaction repeats — its signer's account and
// organisation, a module's counter, the keys its checks found missing when
// it was admitted and that its block reads again — are answered from memory
// instead of Badger. It holds the state of one committed height, at: Commit
// writes the block's changes of keys it holds before moving it on, and a
// snapshot uses it only while it is at the snapshot's height.
//
// Like verifiedSet it is bounded by two generations: when the young one is
// full it becomes the old one and the previous old one is dropped.
type recent struct {
	mu         sync.RWMutex
	at         int64
	young, old map[string]recentValue
}

// recentValue is a key's committed value, or that it has none.
type recentValue struct {
	value   []byte
	present bool
}

// copy returns the value as chain.Reader.Get does: a copy the caller owns,
// nil if the key has no value.
func (v recentValue) copy() []byte {
	if !v.present {
		return nil
	}
	return append([]byte{}, v.value...)
}

func newRecent(height int64) *recent {
	return &recent{at: height, young: map[string]recentValue{}, old: map[string]recentValue{}}
}

// get returns key's value at height, if it is held for that height.
func (c *recent) get(key []byte, height int64) (recentValue, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.at != height {
		return recentValue{}, false
	}
	if v, ok := c.young[string(key)]; ok {
		return v, true
	}
	v, ok := c.old[string(key)]
	return v, ok
}

// put remembers key's value read from the state committed at height, unless
// a later height was committed meanwhile.
func (c *recent) put(key []byte, v recentValue, height int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at != height {
		return
	}
	if len(c.young) >= recentMax {
		c.old, c.young = c.young, make(map[string]recentValue, recentMax)
	}
	c.young[string(key)] = v
}

// commit moves the cache to height, whose block wrote writes (by state key,
// without the key-space prefix). Keys the cache does not hold are left out.
func (c *recent) commit(height int64, writes map[string]write) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, w := range writes {
		v := recentValue{value: w.value, present: !w.deleted}
		if _, ok := c.young[k]; ok {
			c.young[k] = v
		}
		if _, ok := c.old[k]; ok {
			c.old[k] = v
		}
	}
	c.at = height
}

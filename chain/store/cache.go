package store

import (
	"bytes"
	"sort"

	"github.com/chancery/chancery/chain"
)

// write is a buffered change of one key: a new value, or a deletion.
type write struct {
	value   []byte
	deleted bool
}

// Cache buffers writes over a parent reader. Reads see the buffered writes
// first. Write hands them on to a parent Cache; a Cache that is dropped
// without Write changes nothing.
type Cache struct {
	parent chain.Reader
	writes map[string]write
}

// NewCache returns an empty cache over parent.
func NewCache(parent chain.Reader) *Cache {
	return &Cache{parent: parent, writes: make(map[string]write)}
}

var _ chain.KV = (*Cache)(nil)

func (c *Cache) Get(key []byte) []byte {
	if w, ok := c.writes[string(key)]; ok {
		if w.deleted {
			return nil
		}
		return bytes.Clone(w.value)
	}
	return c.parent.Get(key)
}

// Written returns the buffered write of key, if there is one: its value, nil
// for a deletion. The parent is not read.
func (c *Cache) Written(key []byte) (value []byte, ok bool) {
	w, ok := c.writes[string(key)]
	if !ok || w.deleted {
		return nil, ok
	}
	return bytes.Clone(w.value), true
}

func (c *Cache) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	c.writes[string(key)] = write{value: bytes.Clone(value)}
}

func (c *Cache) Delete(key []byte) {
	c.writes[string(key)] = write{deleted: true}
}

// Len is the number of keys written.
func (c *Cache) Len() int { return len(c.writes) }

// WriteTo applies the buffered writes to dst, the parent this cache was made
// over, and empties the cache.
func (c *Cache) WriteTo(dst *Cache) {
	for k, w := range c.writes {
		dst.writes[k] = w
	}
	clear(c.writes)
}

// Iterate merges the buffered writes with the parent's keys in order.
func (c *Cache) Iterate(r chain.Range, fn func(key, value []byte) bool) {
	local := c.sortedKeys(r)
	i := 0
	// emitLocal passes on buffered keys that come before key in iteration
	// order (all remaining ones when key is nil).
	emitLocal := func(key []byte) bool {
		for ; i < len(local); i++ {
			k := local[i]
			if key != nil && !before(k, string(key), r.Reverse) {
				return true
			}
			if w := c.writes[k]; !w.deleted && !fn([]byte(k), w.value) {
				return false
			}
		}
		return true
	}
	stopped := false
	c.parent.Iterate(r, func(key, value []byte) bool {
		if !emitLocal(key) {
			stopped = true
			return false
		}
		if w, ok := c.writes[string(key)]; ok {
			// The buffered version of this key replaces the parent's. The
			// check keeps the merge right if fn wrote a key ahead of it.
			if i < len(local) && local[i] == string(key) {
				i++
			}
			if w.deleted {
				return true
			}
			value = w.value
		}
		if !fn(key, value) {
			stopped = true
			return false
		}
		return true
	})
	if !stopped {
		emitLocal(nil)
	}
}

func before(a, b string, reverse bool) bool {
	if reverse {
		return a > b
	}
	return a < b
}

// sortedKeys returns the buffered keys in r, in iteration order.
func (c *Cache) sortedKeys(r chain.Range) []string {
	var keys []string
	for k := range c.writes {
		if r.Contains([]byte(k)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if r.Reverse {
		for a, b := 0, len(keys)-1; a < b; a, b = a+1, b-1 {
			keys[a], keys[b] = keys[b], keys[a]
		}
	}
	return keys
}

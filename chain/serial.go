package chain

import (
	"fmt"
	"strconv"
)

// Serial numbers the records of one kind in the order the chain created
// them, from 1: evidence deposits, works, receivables. In keys it is written
// as 20 decimal digits, so keys sort by number and a reverse range lists the
// newest first.
type Serial uint64

func (s Serial) String() string { return strconv.FormatUint(uint64(s), 10) }

// Key is the serial's fixed-width form for state keys.
func (s Serial) Key() string {
	var buf [20]byte // the digits of the largest uint64
	for i := len(buf) - 1; i >= 0; i-- {
		buf[i] = '0' + byte(s%10)
		s /= 10
	}
	return string(buf[:])
}

// ParseSerial reads a serial from its decimal form: a positive whole number
// without sign or leading zeros.
func ParseSerial(s string) (Serial, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || s != strconv.FormatUint(n, 10) {
		return 0, false
	}
	return Serial(n), true
}

// SerialAt reads the serial at the end of an index key.
func SerialAt(key []byte) (Serial, error) {
	const width = 20
	if len(key) < width {
		return 0, fmt.Errorf("index key %q is too short to end in a serial", key)
	}
	n, err := strconv.ParseUint(string(key[len(key)-width:]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("index key %q does not end in a serial", key)
	}
	return Serial(n), nil
}

// NextSerial advances the counter stored at key and returns the new serial.
func NextSerial(kv KV, key []byte) Serial {
	var n uint64
	if v := kv.Get(key); v != nil {
		n, _ = strconv.ParseUint(string(v), 10, 64)
	}
	n++
	kv.Set(key, []byte(strconv.FormatUint(n, 10)))
	return Serial(n)
}

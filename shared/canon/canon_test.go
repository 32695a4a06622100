package canon_test

import (
	"bytes"
	"testing"

	"github.com/chancery/chancery/shared/canon"
)

// record has the kinds of field canonical values hold.
type record struct {
	Name  string   `json:"name"`
	N     int64    `json:"n"`
	OK    bool     `json:"ok"`
	Tags  []string `json:"tags"`
	Bytes []byte   `json:"bytes,omitempty"`
	Inner *record  `json:"inner,omitempty"`
}

func TestUnmarshal(t *testing.T) {
	good := `{"name":"a<b>&","n":-3,"ok":true,"tags":["x"],"bytes":"AQI=","inner":{"name":"","n":0,"ok":false,"tags":null}}`
	var r record
	if err := canon.Unmarshal([]byte(good), &r); err != nil {
		t.Fatalf("canonical input refused: %v", err)
	}
	if r.Name != "a<b>&" || r.N != -3 || !bytes.Equal(r.Bytes, []byte{1, 2}) || r.Inner == nil {
		t.Fatalf("decoded %+v", r)
	}
	for _, tc := range []struct{ name, in string }{
		{"white space", `{"name":"", "n":0,"ok":false,"tags":null}`},
		{"fields out of order", `{"n":0,"name":"","ok":false,"tags":null}`},
		{"a field left out", `{"name":"","n":0,"ok":false}`},
		{"an unknown field", `{"name":"","n":0,"ok":false,"tags":null,"x":1}`},
		{"a field spelled otherwise", `{"Name":"","n":0,"ok":false,"tags":null}`},
		{"a field twice", `{"name":"","name":"","n":0,"ok":false,"tags":null}`},
		{"HTML escaped", `{"name":"\u003c","n":0,"ok":false,"tags":null}`},
		{"an escaped letter", `{"name":"\u0061","n":0,"ok":false,"tags":null}`},
		{"a number with an exponent", `{"name":"","n":1e0,"ok":false,"tags":null}`},
		{"data after the value", `{"name":"","n":0,"ok":false,"tags":null}{}`},
		{"a closing brace after the value", `{"name":"","n":0,"ok":false,"tags":null}}`},
		{"a trailing newline", "{\"name\":\"\",\"n\":0,\"ok\":false,\"tags\":null}\n"},
		{"not an object", `[]`},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r record
			if err := canon.Unmarshal([]byte(tc.in), &r); err == nil {
				t.Fatalf("accepted %s", tc.in)
			}
		})
	}
}

// FuzzUnmarshal checks the promise: what Unmarshal accepts is exactly the
// canonical encoding of what it decoded.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"name":"x","n":1,"ok":true,"tags":["a","b"],"bytes":"AQI=","inner":{"name":"","n":0,"ok":false,"tags":null}}`))
	f.Add([]byte(`{"name":"\u00e9","n":1,"ok":true,"tags":[]}`))
	f.Add([]byte(`{"name":"","n":0,"ok":false,"tags":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r record
		if err := canon.Unmarshal(data, &r); err != nil {
			return
		}
		again, err := canon.Marshal(r)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted %q, whose canonical encoding is %q (%v)", data, again, err)
		}
	})
}

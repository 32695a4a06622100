package chain

import (
	"encoding/json"
	"time"

	"github.com/chancery/chancery/shared/canon"
)

// Msg is a module's message: a struct decoded strictly from the canonical JSON
// in a transaction's "msg" field.
type Msg interface {
	// ValidateBasic checks what can be checked without state: formats,
	// lengths, ranges. It runs in CheckTx, before any state is read.
	ValidateBasic() error
}

// Context is what a message handler knows about the transaction it runs in.
// Everything in it is the same on every validator: time is the block's, never
// the local clock.
type Context struct {
	ChainID string
	Height  int64
	Time    time.Time // block time, UTC
	TxHash  Hash      // zero during genesis
	Signer  Address   // zero during genesis
	State   KV

	events []Event
}

// NewContext returns a context over state for one transaction.
func NewContext(chainID string, height int64, t time.Time, txHash Hash, signer Address, state KV) *Context {
	return &Context{ChainID: chainID, Height: height, Time: t.UTC(), TxHash: txHash, Signer: signer, State: state}
}

// Emit records an event. Events of a failed transaction are dropped with its
// writes.
func (c *Context) Emit(typ string, attrs ...Attr) {
	c.events = append(c.events, Event{Type: typ, Attrs: attrs})
}

// Events returns the events emitted so far.
func (c *Context) Events() []Event { return c.events }

// Event is a typed notice of a state change, such as "evidence.deposited".
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attrs"`
}

// Attr is one key-value attribute of an event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// A builds an attribute.
func A(key, value string) Attr { return Attr{Key: key, Value: value} }

// Handler runs a decoded message against state and returns the value that
// goes, canonically encoded, into the transaction result's data — what a
// receipt proves — or nil for no data.
type Handler func(ctx *Context, msg Msg) (any, error)

// Route binds a message type of a module to its decoder, the role its signer
// must hold and its handler.
type Route struct {
	Type string
	// Role is the role the signer needs; "" lets any active account send it.
	// Finer rules (being the holder of a record, say) are the handler's.
	Role   string
	Decode func(raw []byte) (Msg, error)
	Handle Handler
}

// NewRoute builds a route for message type M. The decoder is strict (see
// package canon) and runs M's ValidateBasic.
func NewRoute[M any, P interface {
	*M
	Msg
}](typ, role string, handle func(*Context, P) (any, error)) Route {
	return Route{
		Type: typ,
		Role: role,
		Decode: func(raw []byte) (Msg, error) {
			p := P(new(M))
			if err := canon.Unmarshal(raw, p); err != nil {
				return nil, err
			}
			if err := p.ValidateBasic(); err != nil {
				return nil, err
			}
			return p, nil
		},
		Handle: func(ctx *Context, msg Msg) (any, error) { return handle(ctx, msg.(P)) },
	}
}

// Module is a named set of message routes: an app's state machine.
type Module interface {
	Name() string
	Routes() []Route
}

// GenesisModule is a module with initial state in the genesis file, under its
// name in the app state object.
type GenesisModule interface {
	Module
	InitGenesis(ctx *Context, raw json.RawMessage) error
}

// Authorizer decides whether an account may sign a message: that it exists,
// is active and holds the route's role. The members module implements it.
type Authorizer interface {
	Authorize(r Reader, signer Address, role string) error
}

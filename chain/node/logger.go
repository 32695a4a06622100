package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// NewCometLogger returns a CometBFT logger that writes to l, keeping lines at
// level and above: "debug", "info", "error" or "none" (a bad level counts as
// "error").
func NewCometLogger(l *slog.Logger, level string) cmtlog.Logger {
	floor := slog.LevelError
	switch level {
	case "none":
		return cmtlog.NewNopLogger()
	case "debug":
		floor = slog.LevelDebug
	case "info":
		floor = slog.LevelInfo
	}
	return cometLogger{l: l, floor: floor}
}

type cometLogger struct {
	l     *slog.Logger
	floor slog.Level
}

func (c cometLogger) Debug(msg string, keyvals ...any) { c.log(slog.LevelDebug, msg, keyvals) }
func (c cometLogger) Info(msg string, keyvals ...any)  { c.log(slog.LevelInfo, msg, keyvals) }
func (c cometLogger) Error(msg string, keyvals ...any) { c.log(slog.LevelError, msg, keyvals) }

func (c cometLogger) With(keyvals ...any) cmtlog.Logger {
	attrs := toAttrs(keyvals)
	args := make([]any, len(attrs))
	for i, a := range attrs {
		args[i] = a
	}
	return cometLogger{l: c.l.With(args...), floor: c.floor}
}

// benign are lines CometBFT logs as errors on every clean shutdown.
var benign = map[string]bool{
	"Stopped accept routine, as transport is closed": true,
}

func (c cometLogger) log(level slog.Level, msg string, keyvals []any) {
	if level == slog.LevelError && benign[msg] {
		level = slog.LevelInfo
	}
	// CometBFT logs at debug level on hot paths: drop those lines before
	// converting anything.
	if level < c.floor || !c.l.Enabled(context.Background(), level) {
		return
	}
	c.l.LogAttrs(context.Background(), level, msg, toAttrs(keyvals)...)
}

// badKey names a value without a key, as slog does.
const badKey = "!BADKEY"

// toAttrs turns CometBFT's alternating keys and values into attributes. A
// trailing value without its key gets badKey; keys that are not strings are
// printed.
func toAttrs(keyvals []any) []slog.Attr {
	attrs := make([]slog.Attr, 0, (len(keyvals)+1)/2)
	for i := 0; i < len(keyvals); i += 2 {
		if i+1 == len(keyvals) {
			attrs = append(attrs, attr(badKey, keyvals[i]))
			break
		}
		key, ok := keyvals[i].(string)
		if !ok {
			key = fmt.Sprint(keyvals[i])
		}
		switch key {
		case slog.TimeKey, slog.LevelKey, slog.MessageKey, slog.SourceKey:
			// CometBFT passes "msg" alongside its message; keep both.
			key = "cmt_" + key
		}
		attrs = append(attrs, attr(key, keyvals[i+1]))
	}
	return attrs
}

func attr(key string, v any) slog.Attr {
	switch v := v.(type) {
	case nil:
		return slog.String(key, "<nil>")
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, time.Time, time.Duration, slog.LogValuer:
		return slog.Any(key, v)
	case error:
		return slog.Any(key, lazy{v.Error})
	case fmt.Stringer:
		// Often a lazy formatter (log.NewLazySprintf, block hashes): format
		// it only if the line is written.
		return slog.Any(key, lazy{v.String})
	case []byte:
		return slog.String(key, hex.EncodeToString(v))
	default:
		return slog.Any(key, v)
	}
}

// lazy formats a value when a handler asks for it, surviving a String or
// Error method that panics (a nil pointer inside an interface).
type lazy struct{ fn func() string }

func (z lazy) LogValue() (v slog.Value) {
	defer func() {
		if r := recover(); r != nil {
			v = slog.StringValue(fmt.Sprintf("<panic formatting value: %v>", r))
		}
	}()
	return slog.StringValue(z.fn())
}

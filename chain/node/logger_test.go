package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

type stringer struct{ s string }

func (s *stringer) String() string { return s.s } // panics on a nil *stringer

// logLines runs fn against a CometBFT logger at level and returns the JSON
// lines written.
func logLines(t *testing.T, level string, fn func(cmtlog.Logger)) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	fn(NewCometLogger(slog.New(h), level))
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("bad line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestCometLoggerLevels(t *testing.T) {
	all := func(l cmtlog.Logger) {
		l.Debug("d")
		l.Info("i")
		l.Error("e")
	}
	for level, want := range map[string][]string{
		"debug": {"d", "i", "e"},
		"info":  {"i", "e"},
		"error": {"e"},
		"none":  nil,
	} {
		var got []string
		for _, l := range logLines(t, level, all) {
			got = append(got, l["msg"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("level %s wrote %v, want %v", level, got, want)
		}
	}
}

func TestCometLoggerAttrs(t *testing.T) {
	var nilStringer *stringer
	lines := logLines(t, "debug", func(l cmtlog.Logger) {
		l = l.With("module", "consensus", "odd")
		l.Info("msg", "msg", "detail", "height", int64(7), "err", errors.New("boom"), "hash", &stringer{"ABCD"},
			"nil", nilStringer, "bytes", []byte{1, 2}, 42, "numeric key", "dangling")
	})
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1", len(lines))
	}
	want := map[string]any{
		"msg":     "msg",
		"cmt_msg": "detail",
		"level":   "INFO",
		"module":  "consensus",
		badKey:    "dangling", // the last one wins in a JSON object
		"height":  float64(7),
		"err":     "boom",
		"hash":    "ABCD",
		"bytes":   "0102",
		"42":      "numeric key",
	}
	for k, v := range want {
		if lines[0][k] != v {
			t.Errorf("%s = %#v, want %#v (line %v)", k, lines[0][k], v, lines[0])
		}
	}
	if s, _ := lines[0]["nil"].(string); !strings.HasPrefix(s, "<panic") {
		t.Errorf("nil stringer logged as %#v", lines[0]["nil"])
	}
}

func TestCometLoggerBenignErrors(t *testing.T) {
	lines := logLines(t, "error", func(l cmtlog.Logger) {
		l.Error("Stopped accept routine, as transport is closed")
		l.Error("real trouble")
	})
	if len(lines) != 1 || lines[0]["msg"] != "real trouble" {
		t.Errorf("wrote %v, want only the real error", lines)
	}
}

func TestCometLoggerLazy(t *testing.T) {
	called := false
	lazy := cmtlog.NewLazySprintf("%v", funcStringer(func() string { called = true; return "x" }))
	logLines(t, "info", func(l cmtlog.Logger) { l.Debug("dropped", "v", lazy) })
	if called {
		t.Error("a dropped debug line formatted its values")
	}
}

type funcStringer func() string

func (f funcStringer) String() string { return f() }

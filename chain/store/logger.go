package store

import (
	"fmt"
	"log/slog"
	"strings"
)

// badgerLogger sends Badger's printf-style logs to slog. Badger reports
// routine compactions at INFO; those go to DEBUG so a node's log stays about
// the chain.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error(msg(f, a)) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn(msg(f, a)) }
func (b badgerLogger) Infof(f string, a ...any)    { b.l.Debug(msg(f, a)) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.l.Debug(msg(f, a)) }

func msg(f string, a []any) string { return strings.TrimSpace(fmt.Sprintf(f, a...)) }

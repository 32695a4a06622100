package fs

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/chancery/chancery/storage"
)

// A disk that is full, over quota or read-only makes the store unavailable
// (503, retry later); other failures stay what they are.
func TestDiskErr(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS} {
		err := diskErr(fmt.Errorf("fs: write temp file: %w", &fs.PathError{Op: "write", Path: "/x", Err: errno}))
		if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, errno) {
			t.Errorf("%v: %v, want storage unavailable keeping the cause", errno, err)
		}
	}
	other := errors.New("fs: sync blob directory: I/O error")
	if diskErr(other) != other {
		t.Error("another error was marked unavailable")
	}
}

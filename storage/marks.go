package storage

import (
	"bytes"
	"context"
	"errors"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Upload marks record, in the blob store itself, which organisations
// uploaded a blob through this software. Blobs are content-addressed and
// shared by every app, and their hashes are public on the chain: a mark is
// what tells the content an organisation brought from a hash it only read
// somewhere (evidence opens a stored file only to the organisation that
// uploaded it, docs/evidence.md).
//
// A mark is a small blob of its own, whose content names the organisation
// and the hash, so every backend keeps it as it keeps files, and a node that
// shares an S3 bucket with others sees the marks they wrote. Uploads refuse
// content that begins like a mark (RefuseMarks), so only the node writes
// them.
const markPrefix = "chancery upload mark v1\n"

// uploadMark is the content of org's mark of h.
func uploadMark(org string, h chain.Hash) []byte {
	return []byte(markPrefix + "org " + org + "\nsha256 " + h.String() + "\n")
}

// marksKept is the content of the mark every upload leaves beside its
// organisation's: a blob without it was stored before uploads were marked.
func marksKept(h chain.Hash) []byte {
	return []byte(markPrefix + "sha256 " + h.String() + "\n")
}

// ErrReservedContent refuses an upload that begins like an upload mark.
var ErrReservedContent = errs.New(errs.KindInvalid, "storage.reserved_content", "content that begins \"chancery upload mark\" is reserved for the node's own records")

// IsMark reports whether content that begins with head is an upload mark;
// head holds at least MarkPrefixLen bytes, or the whole content.
func IsMark(head []byte) bool { return bytes.HasPrefix(head, []byte(markPrefix)) }

// MarkPrefixLen is how many leading bytes IsMark needs to decide.
const MarkPrefixLen = len(markPrefix)

// MarkUpload records that org uploaded the blob h.
func MarkUpload(ctx context.Context, s BlobStore, org string, h chain.Hash) error {
	for _, m := range [][]byte{uploadMark(org, h), marksKept(h)} {
		if _, err := s.Put(ctx, bytes.NewReader(m), PutOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// UploadedBy reports whether org uploaded the blob h. A blob stored before
// uploads were marked has no marks at all, and counts as every
// organisation's, as it did then.
func UploadedBy(ctx context.Context, s BlobStore, org string, h chain.Hash) (bool, error) {
	if _, err := s.Stat(ctx, chain.SumHash(marksKept(h))); errors.Is(err, ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	_, err := s.Stat(ctx, chain.SumHash(uploadMark(org, h)))
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
)

// A blob stored before uploads were marked counts as every organisation's;
// once marked, only as the marking organisations'.
func TestUploadMarks(t *testing.T) {
	ctx := context.Background()
	store, err := fs.Open(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := store.Put(ctx, strings.NewReader("an invoice"), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uploaded := func(org string) bool {
		t.Helper()
		ok, err := storage.UploadedBy(ctx, store, org, blob.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !uploaded("bank") || !uploaded("lab") {
		t.Fatal("an unmarked blob is refused to some organisation")
	}
	if err := storage.MarkUpload(ctx, store, "bank", blob.SHA256); err != nil {
		t.Fatal(err)
	}
	if !uploaded("bank") || uploaded("lab") || uploaded("ban") {
		t.Fatalf("marked by the bank: bank %v, lab %v, ban %v; want only the bank", uploaded("bank"), uploaded("lab"), uploaded("ban"))
	}
	if !storage.IsMark([]byte("chancery upload mark v1\nsha256 x\n")) || storage.IsMark([]byte("chancery upload")) {
		t.Fatal("IsMark")
	}
}

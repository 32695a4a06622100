package keyring

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// TestNoPlainKeysAtRest writes users and tokens to disk, closes the store
// and searches every byte it left for the keys, raw or in the encodings a
// record could carry them in. A canary written in the clear proves the
// search would find them.
func TestNoPlainKeysAtRest(t *testing.T) {
	dir := t.TempDir()
	k, err := Open(dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	var keys []ed25519.PrivateKey
	for _, name := range []string{"alice", "bob", "carol"} {
		_, key := createUser(t, k, name, "password-"+name)
		keys = append(keys, key)
		createToken(t, k, name, key, "ci")
		_, tok := createToken(t, k, name, key, "old")
		if err := k.RevokeToken(name, tok.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.ChangePassword("alice", "password-alice", "new password"); err != nil {
		t.Fatal(err)
	}
	canary := make([]byte, ed25519.SeedSize)
	rand.Read(canary)
	if err := k.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("canary"), canary) }); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}

	files := readAll(t, dir)
	if !contains(files, canary) {
		t.Fatal("search does not find a key written in the clear: the test is blind")
	}
	for i, key := range keys {
		for _, secret := range [][]byte{key.Seed(), key} {
			for _, needle := range encodings(secret) {
				if contains(files, needle) {
					t.Errorf("key %d found at rest as %q", i, needle)
				}
			}
		}
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files in the store directory")
	}
	return files
}

func contains(files map[string][]byte, needle []byte) bool {
	for _, b := range files {
		if bytes.Contains(b, needle) {
			return true
		}
	}
	return false
}

// encodings returns b raw, in hex and in base64. Base64 is cut to whole
// 3-byte groups so padded and unpadded forms both match.
func encodings(b []byte) [][]byte {
	whole := b[:len(b)/3*3]
	return [][]byte{
		b,
		[]byte(hex.EncodeToString(b)),
		[]byte(base64.StdEncoding.EncodeToString(whole)),
		[]byte(base64.URLEncoding.EncodeToString(whole)),
	}
}

// Package storage keeps the files that chain records point to.
//
// A BlobStore is content-addressed: a blob's name is the SHA-256 of its bytes,
// stored under "sha256/<hex>", so the same content is stored once and a hash
// on the chain is enough to find and check it. Put streams its input into a
// temporary object while hashing it and moves it to its name only once the
// whole stream is read, is within the size limit and matches the hash the
// caller expected; a failed or cancelled Put leaves nothing that Get or Stat
// can see. Callers store the blob before they submit the transaction that
// references it, so a failed transaction leaves at most an unreferenced blob,
// never a chain record without its blob.
//
// The implementations live in storage/fs (the default, under the node home)
// and storage/s3 (any S3-compatible server through minio-go); both pass the
// conformance suite in storage/storagetest. This package holds what they
// share: the interface, the errors, the configuration and HashingReader,
// which hashes, counts and limits a Put's input.
package storage

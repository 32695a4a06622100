// Package s3 stores blobs in a bucket of an S3-compatible server, such as
// MinIO, through minio-go.
//
// A Put uploads to tmp/<random> in parts of PartSize while hashing, so memory
// stays at one part whatever the blob's size; once the hash is known and
// accepted, a server-side copy gives the object its name sha256/<hex> and the
// temporary object is deleted. A failed upload is aborted, so neither a
// partial object nor its parts remain.
//
// Any failure to get an answer from the server is storage.ErrUnavailable.
package s3

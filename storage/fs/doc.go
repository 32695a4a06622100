// Package fs stores blobs as files in a local directory, by default under the
// node home.
//
// A Put writes to a new file in tmp/, syncs it, renames it to sha256/<hex> and
// syncs the directory, so after a crash a name under sha256/ always holds its
// complete content and anything else is in tmp/. Open empties tmp/: a Store
// owns its directory, as the node owns its home, so nothing in tmp/ at that
// point belongs to a Put still running.
package fs

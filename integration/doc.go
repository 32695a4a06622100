// Package integration tests Chancery as it is deployed: the chancery image
// (built FROM scratch from this tree) running as a consortium of four
// validators in Docker, with MinIO as the blob store, through faults a
// consortium meets — validators stopped, killed and partitioned away, the
// blob store gone — asserting on what the nodes' HTTP APIs answer.
//
// The tests use testcontainers-go with Ryuk disabled (its image would have to
// be pulled); every container and network is removed by the test that made
// it. Images are built locally, so nothing is pulled: chancery/chancery:it-
// <hash of the binary> from deploy/Dockerfile (rebuilt only when the binary
// changes) and chancery/minio from deploy/minio/build.sh.
//
// Without a reachable Docker engine the tests skip, unless CI=true, where
// that fails them.
package integration

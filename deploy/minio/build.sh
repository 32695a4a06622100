#!/usr/bin/env bash
# Builds the chancery/minio image without pulling anything: no container
# registry is reachable, so the MinIO server is compiled from its Go module and
# copied into a scratch image.
#
# The binary is cached under ${CHANCERY_BUILD_DIR:-<repo>/.build}/minio/ so only
# the first run pays the 2-3 minute compile; the docker build is skipped when
# an image with the pinned tag exists. The image tag is the last line of stdout.
#
#   deploy/minio/build.sh                # build (or reuse) the image
#   deploy/minio/build.sh --print-image  # print the tag only, so tests keep
#                                        # the pin in this one place
set -euo pipefail

# Pinned: bump the version and the tag follows.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
IMAGE="chancery/minio:${MINIO_VERSION##*-}"

if [[ "${1:-}" == "--print-image" ]]; then
	echo "$IMAGE"
	exit 0
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_dir="${CHANCERY_BUILD_DIR:-$repo/.build}/minio"
bin_dir="$build_dir/$MINIO_VERSION"
mkdir -p "$bin_dir"

# Test packages run in parallel and may all find the image missing: one builds,
# the others wait and then reuse its result.
exec 9>"$build_dir/.lock"
flock 9

# The image is all the tests need: with it in place (a second checkout on
# the same machine, say) there is nothing to build.
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
	echo "$IMAGE"
	exit 0
fi

if [[ ! -x "$bin_dir/minio" ]]; then
	echo "building minio $MINIO_VERSION into $bin_dir (takes a few minutes)" >&2
	# Static, because scratch has no libc. go install writes the binary only
	# once it is complete, so an interrupted build leaves no half binary.
	CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN="$bin_dir" \
		go install "github.com/minio/minio@$MINIO_VERSION"
fi

# The context is assembled fresh so it holds exactly what the image needs;
# scratch has no mkdir, so the empty directories travel in it.
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs/data" "$ctx/rootfs/tmp" "$ctx/rootfs/home/minio"
chmod 1777 "$ctx/rootfs/tmp"
cp "$bin_dir/minio" "$ctx/minio"
echo "building image $IMAGE" >&2
docker build --quiet -t "$IMAGE" \
	--label "org.chancery.minio.version=$MINIO_VERSION" \
	-f "$here/Dockerfile" "$ctx" >&2
echo "$IMAGE"

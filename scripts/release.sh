#!/usr/bin/env bash
# Prepares a release of the three modules at one version: sets liveconfigotel's and liveconfigredis's (and the
# example receiver's) requirement of the root module, and of liveconfigredis, to VERSION, checks that every
# module is tidy and builds, and prints the tags to push. It tags nothing itself.
#
#   scripts/release.sh v0.4.0
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh vX.Y.Z}
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: $version is not a semantic version (vX.Y.Z)" >&2
  exit 2
fi
root=github.com/go-tuilive/liveconfig
for m in liveconfigotel liveconfigredis examples/webhook-receiver; do
  (cd "$m" && go mod edit -require="$root@$version")
done
(cd examples/webhook-receiver && go mod edit -require="$root/liveconfigredis@$version")
for m in . liveconfigotel liveconfigredis examples/webhook-receiver; do
  (cd "$m" && go mod tidy -diff && go build ./...)
done
echo "Commit the go.mod changes, then:"
echo "  git tag $version && git tag liveconfigotel/$version && git tag liveconfigredis/$version"
echo "  git push origin $version liveconfigotel/$version liveconfigredis/$version"

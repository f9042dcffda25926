#!/bin/sh
# Sets package.json's (and package-lock.json's) version from a release tag,
# v1.2.3 → 1.2.3, before anything is built: the binaries (src/version.ts reads
# package.json when they are compiled) and the npm package then print the tag's
# version. In GitHub Actions it also names the repository in package.json,
# which npm compares with the provenance statement of `npm publish --provenance`.
#
#   scripts/set-version.sh v1.2.3
set -eu
# npm would print its "new version available" notice on stderr now and then.
export npm_config_update_notifier=false

tag=${1:-}
case $tag in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "set-version.sh: \"$tag\" is not a release tag (vX.Y.Z, e.g. v1.2.3 or v1.3.0-rc.1)." >&2; exit 2 ;;
esac
npm version "${tag#v}" --no-git-tag-version --allow-same-version >/dev/null
if [ -n "${GITHUB_REPOSITORY:-}" ]; then
  npm pkg set repository.type=git "repository.url=git+https://github.com/$GITHUB_REPOSITORY.git"
fi
echo "package.json: version ${tag#v}"

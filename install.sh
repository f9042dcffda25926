#!/bin/sh
# Installs the stairway binary from a GitHub release:
#
#   curl -fsSL https://raw.githubusercontent.com/stairwaydb/stairway/main/install.sh | sh
#   sh install.sh [--to DIR] [--version vX.Y.Z] [--base-url URL]
#
# It picks the archive for this OS and CPU (uname), downloads it with curl or
# wget, checks it against the release's SHA256SUMS, runs the binary once, and
# only then puts it in DIR (default ~/.local/bin), replacing an older one.
#
#   --to DIR          where to install (default: ~/.local/bin)
#   --version vX.Y.Z  which release (default: the latest)
#   --base-url URL    where the release's files are (default: the GitHub release;
#                     also STAIRWAY_BASE_URL): a mirror, or a test's server
#   STAIRWAY_REPO     the GitHub repository (default: stairwaydb/stairway)
#
# Exit codes: 0 installed, 1 refused (no release for this platform, checksum
# mismatch, a binary that does not run here), 2 usage, 3 a download failed.
# Plain POSIX sh: it must run under dash, busybox sh and macOS's sh alike.
set -eu

repo=${STAIRWAY_REPO:-stairwaydb/stairway}
to=
version=
base=${STAIRWAY_BASE_URL:-}

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }
usage() {
  cat <<EOF
Installs the stairway binary from a GitHub release, checked against its SHA256SUMS.

  sh install.sh [--to DIR] [--version vX.Y.Z] [--base-url URL]

  --to DIR          where to install (default: ~/.local/bin)
  --version vX.Y.Z  which release (default: the latest)
  --base-url URL    where the release's files are (default: the GitHub release of
                    $repo; also STAIRWAY_BASE_URL; STAIRWAY_REPO names another repository)
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    --to) [ $# -ge 2 ] || die 2 "--to needs a directory."; to=$2; shift 2 ;;
    --to=*) to=${1#*=}; shift ;;
    --version) [ $# -ge 2 ] || die 2 "--version needs a release, e.g. --version v0.1.0."; version=$2; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --base-url) [ $# -ge 2 ] || die 2 "--base-url needs a URL."; base=$2; shift 2 ;;
    --base-url=*) base=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown option $1 (the options are --to DIR, --version vX.Y.Z and --base-url URL)." ;;
  esac
done
if [ -z "$to" ]; then
  [ -n "${HOME:-}" ] || die 2 "HOME is not set: name the directory to install into with --to DIR."
  to=$HOME/.local/bin
fi
case $version in
  '' | latest) version= ;;
  v*) ;;
  *) version=v$version ;;
esac

# ------------------------------------------------------------- the platform
os=$(uname -s)
arch=$(uname -m)
case $os in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) die 1 "this script installs on Linux and macOS; on Windows, download stairway-windows-x64.zip from https://github.com/$repo/releases and put stairway.exe on your PATH." ;;
esac
case $arch in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
esac
# A shell under Rosetta 2 reports x86_64 on Apple silicon: the native build is faster.
if [ "$os-$arch" = darwin-x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
  arch=arm64
fi
case $os-$arch in
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64) ;;
  *) die 1 "stairway has no release binary for $(uname -s) $(uname -m) (there are linux-x64, linux-arm64, darwin-x64, darwin-arm64 and windows-x64); build it from source with make build." ;;
esac
archive=stairway-$os-$arch.tar.gz

if [ -z "$base" ]; then
  if [ -n "$version" ]; then base=https://github.com/$repo/releases/download/$version
  else base=https://github.com/$repo/releases/latest/download
  fi
fi
base=${base%/}

# ------------------------------------------------------------- the tools
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die 1 "neither curl nor wget is installed: install one of them and run this again."
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  die 1 "neither sha256sum nor shasum is installed, so the download cannot be verified: install one of them and run this again."
fi
command -v tar >/dev/null 2>&1 || die 1 "tar is not installed: install it and run this again."

# ------------------------------------------------------------- download, verify, try
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t stairway)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

say "downloading $base/$archive"
fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" || die 3 "could not download $base/SHA256SUMS: check the version and the URL."
fetch "$base/$archive" "$tmp/$archive" || die 3 "could not download $base/$archive: check the version and the URL."

# sha256sum writes "<hash>  <file>", or "<hash> *<file>" in binary mode.
want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$want" ] || die 1 "$base/SHA256SUMS has no line for $archive: nothing was installed."
got=$(sha256 "$tmp/$archive")
[ "$got" = "$want" ] || die 1 "$archive does not match SHA256SUMS (sha256 $got, expected $want): the download is corrupt or was tampered with; nothing was installed."

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die 1 "$archive could not be unpacked: nothing was installed."
bin=$tmp/x/stairway-$os-$arch/stairway
[ -f "$bin" ] || die 1 "$archive holds no stairway-$os-$arch/stairway: nothing was installed."
chmod 755 "$bin"
# Run it before it replaces anything: a binary for another CPU or libc stops here.
got_version=$("$bin" --version 2>&1) || die 1 "the downloaded stairway does not run on this machine ($got_version): nothing was installed."
if [ -n "$version" ] && [ "$got_version" != "stairway ${version#v}" ]; then
  die 1 "asked for $version but the archive at $base holds $got_version: nothing was installed."
fi

# ------------------------------------------------------------- install
mkdir -p "$to" || die 1 "could not create $to: pick another directory with --to DIR."
# Copy beside the old binary, then rename over it: atomic, and a stairway that
# is running at the time keeps its file.
cp "$bin" "$to/.stairway.$$" || die 1 "could not write to $to: pick another directory with --to DIR."
chmod 755 "$to/.stairway.$$"
mv -f "$to/.stairway.$$" "$to/stairway" || { rm -f "$to/.stairway.$$"; die 1 "could not replace $to/stairway."; }

printf '%s installed in %s\n' "$("$to/stairway" --version)" "$to/stairway"
case ":${PATH:-}:" in
  *":$to:"* | *":${to%/}:"*) ;;
  *) say "$to is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$to:\$PATH\"" ;;
esac

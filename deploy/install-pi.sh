#!/usr/bin/env bash
# Install the massage assistant as a kiosk service on Raspberry Pi OS (bookworm or later,
# Lite is enough) or Debian. Run from a checkout, as root:  sudo deploy/install-pi.sh
# Safe to run again (an update: it copies the new code and restarts the service).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dest=/opt/massage-assistant
user=massage
unit=massage-assistant.service

if [ "$(id -u)" -ne 0 ]; then
  echo "Please run as root: sudo $0" >&2
  exit 1
fi

echo "1/5 A system user '$user' (no login, no home) in the audio and input groups"
if ! id "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /var/lib/massage-assistant \
    --shell /usr/sbin/nologin "$user"
fi
usermod -a -G audio,input "$user"

echo "2/5 The program in $dest (owned by root: the service can read it, not change it)"
if [ "$src" != "$dest" ]; then
  mkdir -p "$dest"
  tar -C "$src" --exclude=./.venv --exclude=./.git -cf - . | tar -C "$dest" -xf -
fi
chown -R root:root "$dest"
chmod -R go-w,go+rX "$dest"

echo "3/5 System packages and the Python environment, with foot pedal support"
# setup.sh waits for the apt lock that a freshly booted Pi holds for its own updates
"$dest/scripts/setup.sh" --pedal

echo "4/5 Speech models: Whisper's were made by setup; a vosk model as a fallback (network)"
if ! "$dest/.venv/bin/massage-assistant" models pull en; then
  echo "   No vosk model: should Whisper fail to start, the kiosk listens with PocketSphinx." >&2
fi
chmod -R go+rX "$dest/models"
"$dest/.venv/bin/massage-assistant" models show en

echo "5/5 The service: started now and at every boot"
install -m 0644 "$dest/deploy/$unit" "/etc/systemd/system/$unit"
systemctl daemon-reload
systemctl enable "$unit"
systemctl restart "$unit"
echo "Done. Follow it with: journalctl -u $unit -f"

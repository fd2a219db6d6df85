#!/usr/bin/env bash
# Retakes docs/screenshot.png from the real program: the demo in tmux at
# 120x28, on the MX step right after publishing its plan, when the record
# is on the first nameserver only. Needs tmux, python3 and ImageMagick (Debian:
# apt-get install tmux imagemagick fonts-dejavu-core).
set -euo pipefail
cd "$(dirname "$0")/.."

cols=120 rows=28 session=mailwizard-shot
work=$(mktemp -d)
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/mailwizard" ./cmd/mailwizard
tmux kill-session -t "$session" 2>/dev/null || true
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "cd '$work' && ./mailwizard demo"

# screen_has waits up to 10 s for text on the screen.
screen_has() {
	for _ in $(seq 100); do
		tmux capture-pane -p -t "$session" | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshot: \"$1\" never appeared; the screen was:" >&2
	tmux capture-pane -p -t "$session" >&2
	return 1
}

screen_has "Mail domain"
# Keep every answer the demo proposes until the first step shows.
for _ in $(seq 30); do
	tmux capture-pane -p -t "$session" | grep -qF "Step 1 of " && break
	tmux send-keys -t "$session" Enter
	sleep 0.3
done
screen_has "Step 1 of "
tmux send-keys -t "$session" Enter
screen_has "· MX record"
tmux send-keys -t "$session" p
screen_has "y publishes"
tmux send-keys -t "$session" y
screen_has "On 1 of 2 nameservers"
sleep 0.5
tmux capture-pane -e -p -t "$session" > "$work/screen.ansi"
python3 scripts/ansi2png.py "$work/screen.ansi" docs/screenshot.png "$cols" "$rows"
rm -f docs/screenshot.png.mvg
echo "wrote docs/screenshot.png"

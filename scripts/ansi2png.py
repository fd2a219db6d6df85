#!/usr/bin/env python3
"""Render a tmux `capture-pane -e` dump (text with SGR colour codes) to a
PNG through ImageMagick: every cell is drawn at its grid position with its
colour, in DejaVu Sans Mono."""
import re, subprocess, sys

src, dst = sys.argv[1], sys.argv[2]
cols, rows = int(sys.argv[3]), int(sys.argv[4])
BG, FG = (0x1e, 0x1e, 0x2e), (0xe8, 0xe8, 0xe8)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
PT, CW, LH, PAD, BAR = 15, 9.0, 17.5, 18, 30

def xterm256(n):
    base = [(0,0,0),(205,49,49),(13,188,121),(229,229,16),(36,114,200),(188,63,188),(17,168,205),(229,229,229),
            (102,102,102),(241,76,76),(35,209,139),(245,245,67),(59,142,234),(214,112,214),(41,184,219),(255,255,255)]
    if n < 16: return base[n]
    if n < 232:
        n -= 16; lv = [0, 95, 135, 175, 215, 255]
        return (lv[n // 36], lv[(n // 6) % 6], lv[n % 6])
    v = 8 + 10 * (n - 232); return (v, v, v)

cells = []  # (row, col, char, fg, bold)
sgr = re.compile(r'\x1b\[([0-9;]*)m')
with open(src, encoding="utf-8") as f:
    lines = f.read().split("\n")[:rows]
for r, line in enumerate(lines):
    fg, bold, col, pos = FG, False, 0, 0
    for m in list(sgr.finditer(line)) + [None]:
        end = m.start() if m else len(line)
        for ch in line[pos:end]:
            if ch != " ":
                # DejaVu Sans Mono has no rounded box corners: the nearest
                # square ones stand in, as a terminal's font fallback would.
                ch = {"╭": "┌", "╮": "┐", "╰": "└", "╯": "┘"}.get(ch, ch)
                cells.append((r, col, ch, fg, bold))
            col += 1
        if not m: break
        pos = m.end()
        codes = [int(c) if c else 0 for c in m.group(1).split(";")] or [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0: fg, bold = FG, False
            elif c == 1: bold = True
            elif c == 22: bold = False
            elif c == 39: fg = FG
            elif c == 38 and i + 2 < len(codes) and codes[i+1] == 5: fg = xterm256(codes[i+2]); i += 2
            elif c == 38 and i + 4 < len(codes) and codes[i+1] == 2: fg = tuple(codes[i+2:i+5]); i += 4
            elif 30 <= c <= 37: fg = xterm256(c - 30)
            elif 90 <= c <= 97: fg = xterm256(c - 90 + 8)
            i += 1

W, H = int(2 * PAD + cols * CW), int(BAR + 2 * PAD + rows * LH)
mvg = [f"viewbox 0 0 {W} {H}", "fill '#11111b' rectangle 0,0 %d,%d" % (W, H),
       "fill 'rgb(%d,%d,%d)' roundrectangle 0,0 %d,%d 10,10" % (*BG, W - 1, H - 1),
       "fill '#ff5f57' circle 22,15 28,15", "fill '#febc2e' circle 42,15 48,15", "fill '#28c840' circle 62,15 68,15",
       f"font-size {PT}"]
for r, c, ch, fg, bold in cells:
    esc = ch.replace("\\", "\\\\").replace("'", "\\'")
    x, y = PAD + c * CW, BAR + PAD + r * LH + LH * 0.78
    mvg.append("font '%s' fill 'rgb(%d,%d,%d)' text %.1f,%.1f '%s'" % (BOLD if bold else FONT, *fg, x, y, esc))
with open(dst + ".mvg", "w", encoding="utf-8") as f:
    f.write("\n".join(mvg) + "\n")
subprocess.run(["/usr/bin/convert", "mvg:" + dst + ".mvg", dst], check=True)

#!/usr/bin/env python3
"""Turns a terminal screen captured with colours (`tmux capture-pane -e -p`) into an SVG: one
monospace cell per character, the SGR colours and bold/reverse of the real screen. Standard
library only, so the screenshots need nothing beyond Python and rsvg-convert.

Usage: ansi2svg.py COLS ROWS < capture.ansi > screen.svg
"""

import html
import re
import sys

CELL_W, CELL_H, FONT = 9.0, 18.0, 15
BG, FG = "#1c1c1c", "#d0d0d0"
# xterm's 16 colours.
BASE16 = [
    "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg, self.bg, self.bold, self.reverse = None, None, False, False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 22:
                self.bold = False
            elif c == 7:
                self.reverse = True
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    value = color256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    value = "#%02x%02x%02x" % tuple(codes[i + 2 : i + 5])
                    i += 4
                else:
                    value = None
                if c == 38:
                    self.fg = value
                else:
                    self.bg = value
            i += 1

    def colors(self):
        fg, bg = self.fg or FG, self.bg or BG
        return (bg, fg) if self.reverse else (fg, bg)


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(text, cols, rows):
    """The screen as rows of (char, fg, bg, bold)."""
    pen = Pen()
    grid = []
    for line in text.split("\n")[:rows]:
        row, pos = [], 0
        for m in SGR.finditer(line):
            for ch in line[pos : m.start()]:
                fg, bg = pen.colors()
                row.append((ch, fg, bg, pen.bold))
            pen.apply(m.group(1))
            pos = m.end()
        for ch in line[pos:]:
            fg, bg = pen.colors()
            row.append((ch, fg, bg, pen.bold))
        grid.append(row[:cols])
    while len(grid) < rows:
        grid.append([])
    return grid


def svg(grid, cols, rows):
    w, h = cols * CELL_W, rows * CELL_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}">',
        f'<rect width="100%" height="100%" fill="{BG}"/>',
        f'<g font-family="DejaVu Sans Mono, monospace" font-size="{FONT}" '
        'xml:space="preserve">',
    ]
    for y, row in enumerate(grid):
        for x, (ch, fg, bg, bold) in enumerate(row):
            if bg != BG:
                out.append(
                    f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H:.1f}" width="{CELL_W + 0.5:.1f}" '
                    f'height="{CELL_H + 0.5:.1f}" fill="{bg}"/>'
                )
        # Runs of one style become one <text>, so the file stays small.
        x = 0
        while x < len(row):
            ch, fg, bg, bold = row[x]
            run = ch
            end = x + 1
            while end < len(row) and row[end][1] == fg and row[end][3] == bold:
                run += row[end][0]
                end += 1
            if run.strip():
                weight = ' font-weight="bold"' if bold else ""
                # One x per glyph pins every character to its cell, whatever the font's advance.
                xs = " ".join(f"{(x + i) * CELL_W:.1f}" for i in range(len(run)))
                out.append(
                    f'<text x="{xs}" y="{y * CELL_H + CELL_H * 0.75:.1f}" '
                    f'fill="{fg}"{weight}>{html.escape(run)}</text>'
                )
            x = end
    out.append("</g></svg>")
    return "\n".join(out)


def main():
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    text = sys.stdin.read()
    sys.stdout.write(svg(cells(text, cols, rows), cols, rows))


if __name__ == "__main__":
    main()

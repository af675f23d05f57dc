"""Illustrations for the demo articles, drawn with Pillow: no photos, no fonts, no text.

Each picture is an abstract scene (a factory, fields, greenhouses, the sea, a town, a dashboard,
a network, a road works site) with colours and shapes chosen by a seeded random generator, so the
same article always gets the same picture. JPEG bytes; the media library strips and resizes them.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 800
Colour = tuple[int, int, int]

# (sky top, sky bottom, ground, accent, dark) per palette: calm, contrasting colours.
PALETTES: tuple[tuple[Colour, Colour, Colour, Colour, Colour], ...] = (
    ((32, 86, 150), (196, 222, 240), (74, 128, 76), (235, 150, 40), (38, 52, 70)),
    ((240, 160, 90), (252, 226, 180), (112, 140, 70), (200, 70, 50), (70, 50, 60)),
    ((20, 40, 90), (90, 130, 190), (40, 90, 110), (250, 200, 70), (15, 25, 45)),
    ((110, 170, 210), (230, 242, 248), (150, 180, 90), (40, 110, 170), (50, 70, 80)),
    ((60, 120, 110), (200, 230, 215), (90, 150, 90), (240, 120, 80), (30, 60, 60)),
    ((150, 110, 170), (240, 220, 235), (110, 120, 80), (250, 180, 60), (60, 40, 70)),
)


def _mix(a: Colour, b: Colour, t: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _sky(top: Colour, bottom: Colour) -> Image.Image:
    mask = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    return Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), bottom), Image.new("RGB", (WIDTH, HEIGHT), top), mask
    )


def _hills(
    draw: ImageDraw.ImageDraw, rng: random.Random, base: int, colour: Colour, amp: int
) -> None:
    phase, freq = rng.uniform(0, math.tau), rng.uniform(1.2, 2.6)
    points = [
        (x, base - amp * (0.5 + 0.5 * math.sin(phase + freq * math.tau * x / WIDTH)))
        for x in range(0, WIDTH + 40, 40)
    ]
    draw.polygon([*points, (WIDTH, HEIGHT), (0, HEIGHT)], fill=colour)


def _sun(draw: ImageDraw.ImageDraw, rng: random.Random, colour: Colour) -> None:
    x, y, r = rng.randint(120, WIDTH - 120), rng.randint(90, 220), rng.randint(45, 80)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _factory(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _hills(draw, rng, 520, _mix(p[2], p[0], 0.35), 60)
    ground = 620
    draw.rectangle((0, ground, WIDTH, HEIGHT), fill=p[2])
    x = rng.randint(40, 120)
    while x < WIDTH - 200:
        w, h, teeth = rng.randint(220, 340), rng.randint(130, 200), rng.randint(3, 5)
        body = _mix(p[4], p[1], rng.uniform(0.15, 0.4))
        draw.rectangle((x, ground - h, x + w, ground), fill=body)
        tooth = w / teeth
        for i in range(teeth):  # the saw-tooth roof of a workshop
            left = x + i * tooth
            draw.polygon(
                [(left, ground - h), (left + tooth, ground - h - 50), (left + tooth, ground - h)],
                fill=_mix(body, p[3], 0.25),
            )
        for i in range(teeth * 2):  # windows
            wx = x + 14 + i * (w - 28) / (teeth * 2)
            draw.rectangle(
                (wx, ground - h + 40, wx + 18, ground - h + 70), fill=_mix(p[1], p[3], 0.3)
            )
        if rng.random() < 0.7:  # chimney
            cx = x + w - 40
            draw.rectangle((cx, ground - h - 160, cx + 26, ground - h), fill=p[4])
            draw.rectangle((cx, ground - h - 150, cx + 26, ground - h - 138), fill=p[3])
        x += w + rng.randint(40, 90)
    for i in range(3):  # gears in the foreground
        gx, gy, r = (
            rng.randint(100, WIDTH - 100),
            rng.randint(ground + 40, HEIGHT - 40),
            rng.randint(26, 44),
        )
        teeth_points = []
        for k in range(24):
            angle = k * math.tau / 24
            radius = r if k % 2 else r * 0.78
            teeth_points.append((gx + radius * math.cos(angle), gy + radius * math.sin(angle)))
        draw.polygon(teeth_points, fill=_mix(p[3], p[4], 0.2 * i))
        draw.ellipse((gx - r * 0.3, gy - r * 0.3, gx + r * 0.3, gy + r * 0.3), fill=p[2])


def _field(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _sun(draw, rng, _mix(p[3], (255, 255, 255), 0.3))
    _hills(draw, rng, 430, _mix(p[2], p[0], 0.45), 90)
    _hills(draw, rng, 500, _mix(p[2], p[4], 0.1), 50)
    horizon, vanish = 500, rng.randint(400, 800)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=_mix(p[2], (255, 255, 255), 0.15))
    rows = rng.randint(9, 14)
    for i in range(rows + 1):  # crop rows converging on the horizon
        x = -600 + i * (WIDTH + 1200) / rows
        draw.line((vanish, horizon, x, HEIGHT), fill=_mix(p[2], p[4], 0.35), width=10)
    for _ in range(rng.randint(2, 4)):  # trees
        tx, ty = rng.randint(40, WIDTH - 40), rng.randint(440, 490)
        draw.rectangle((tx - 4, ty, tx + 4, ty + 30), fill=p[4])
        draw.ellipse((tx - 26, ty - 44, tx + 26, ty + 8), fill=_mix(p[2], p[4], 0.3))


def _greenhouse(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _hills(draw, rng, 420, _mix(p[2], p[0], 0.5), 80)
    ground = 560
    draw.rectangle((0, ground, WIDTH, HEIGHT), fill=_mix(p[2], p[4], 0.2))
    count = rng.randint(3, 5)
    width = WIDTH / count
    for i in range(count):  # arched plastic houses
        left = i * width + 10
        right = left + width - 20
        top = ground - rng.randint(150, 190)
        film = _mix(p[1], (255, 255, 255), 0.5)
        draw.rectangle((left, top + 60, right, ground), fill=film)
        draw.chord((left, top, right, top + 120), 180, 360, fill=film)
        for k in range(1, 6):
            x = left + k * (right - left) / 6
            draw.line((x, top + 30, x, ground), fill=_mix(film, p[4], 0.25), width=3)
        for k in range(6):  # plants inside
            x = left + 20 + k * (right - left - 40) / 5
            draw.ellipse((x - 12, ground - 40, x + 12, ground - 10), fill=p[2])
            draw.ellipse((x - 5, ground - 52, x + 5, ground - 42), fill=p[3])
    for _ in range(5):  # sensor poles
        x = rng.randint(30, WIDTH - 30)
        draw.line((x, ground + 20, x, ground + 110), fill=p[4], width=5)
        draw.rectangle((x - 14, ground + 10, x + 14, ground + 32), fill=p[3])


def _sea(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _sun(draw, rng, _mix(p[3], (255, 255, 255), 0.4))
    horizon = rng.randint(380, 440)
    for _ in range(rng.randint(2, 3)):  # islands
        cx, w, h = rng.randint(100, WIDTH - 100), rng.randint(160, 360), rng.randint(40, 110)
        draw.ellipse((cx - w, horizon - h, cx + w, horizon + h), fill=_mix(p[2], p[0], 0.3))
    water = _mix(p[0], (20, 90, 150), 0.5)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=water)
    for row in range(8):  # waves
        y = horizon + 30 + row * 50
        colour = _mix(water, (255, 255, 255), 0.12 + 0.03 * row)
        points = [(x, y + 8 * math.sin(x / 40 + row)) for x in range(0, WIDTH + 20, 20)]
        draw.line(points, fill=colour, width=4)
    for _ in range(rng.randint(1, 3)):  # boats
        bx, by = rng.randint(100, WIDTH - 200), rng.randint(horizon + 60, HEIGHT - 120)
        draw.polygon([(bx, by), (bx + 180, by), (bx + 150, by + 40), (bx + 20, by + 40)], fill=p[4])
        draw.rectangle((bx + 50, by - 40, bx + 120, by), fill=_mix(p[1], (255, 255, 255), 0.5))
        draw.rectangle((bx + 60, by - 30, bx + 110, by - 18), fill=p[3])
    for _ in range(rng.randint(4, 7)):  # rafts of the farms
        rx, ry = rng.randint(0, WIDTH - 80), rng.randint(horizon + 40, HEIGHT - 30)
        draw.rectangle((rx, ry, rx + 70, ry + 10), fill=_mix(water, p[3], 0.5))


def _town(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _hills(draw, rng, 420, _mix(p[2], p[0], 0.45), 120)
    ground = 600
    x = -20
    while x < WIDTH:  # buildings with lit windows
        w, h = rng.randint(70, 150), rng.randint(120, 340)
        colour = _mix(p[4], p[1], rng.uniform(0.2, 0.55))
        draw.rectangle((x, ground - h, x + w, ground), fill=colour)
        for wy in range(ground - h + 20, ground - 20, 34):
            for wx in range(x + 12, x + w - 20, 28):
                lit = rng.random() < 0.55
                draw.rectangle(
                    (wx, wy, wx + 14, wy + 18), fill=p[3] if lit else _mix(colour, p[4], 0.4)
                )
        x += w + rng.randint(6, 24)
    draw.rectangle((0, ground, WIDTH, HEIGHT), fill=_mix(p[4], p[2], 0.3))
    draw.rectangle((0, ground + 70, WIDTH, ground + 120), fill=_mix(p[4], (255, 255, 255), 0.2))
    for k in range(0, WIDTH, 90):  # road markings
        draw.rectangle((k, ground + 92, k + 50, ground + 98), fill=(240, 240, 235))
    for _ in range(rng.randint(4, 7)):  # street trees
        tx = rng.randint(20, WIDTH - 20)
        draw.rectangle((tx - 4, ground + 10, tx + 4, ground + 60), fill=p[4])
        draw.ellipse((tx - 26, ground - 30, tx + 26, ground + 24), fill=p[2])


def _dashboard(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    panel = (80, 80, WIDTH - 80, HEIGHT - 80)
    draw.rounded_rectangle(panel, radius=28, fill=(250, 250, 252))
    left, top, right, bottom = 160, 170, 760, 640
    for k in range(6):  # grid lines
        y = top + k * (bottom - top) / 5
        draw.line((left, y, right, y), fill=(214, 220, 228), width=2)
    bars = rng.randint(6, 10)
    step = (right - left) / bars
    values = [rng.uniform(0.25, 0.6) + i * 0.04 for i in range(bars)]
    for i, value in enumerate(values):  # a simple bar chart that rises
        x = left + i * step + step * 0.2
        draw.rectangle((x, bottom - value * (bottom - top), x + step * 0.6, bottom), fill=p[0])
    line = [
        (left + (i + 0.5) * step, bottom - (v + 0.15) * (bottom - top) * 0.9)
        for i, v in enumerate(values)
    ]
    draw.line(line, fill=p[3], width=6)
    for x, y in line:
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=p[3])
    cx, cy, r = 960, 300, 120  # a donut chart
    start = -90.0
    for share, colour in zip((0.45, 0.3, 0.25), (p[0], p[3], p[2]), strict=True):
        draw.pieslice((cx - r, cy - r, cx + r, cy + r), start, start + share * 360, fill=colour)
        start += share * 360
    draw.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), fill=(250, 250, 252))
    for k in range(3):  # indicator cards
        y = 480 + k * 45
        draw.rounded_rectangle(
            (850, y, 1070, y + 30), radius=8, fill=_mix(p[0], (255, 255, 255), 0.75)
        )
        draw.rounded_rectangle(
            (850, y, 850 + rng.randint(80, 210), y + 30), radius=8, fill=p[k % 2 * 3]
        )


def _network(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    nodes = [
        (rng.randint(80, WIDTH - 80), rng.randint(80, HEIGHT - 80))
        for _ in range(rng.randint(16, 24))
    ]
    line_colour = _mix(p[1], p[4], 0.35)
    for x, y in nodes:
        nearest = sorted(nodes, key=lambda n: (n[0] - x) ** 2 + (n[1] - y) ** 2)[1:4]
        for nx, ny in nearest:
            draw.line((x, y, nx, ny), fill=line_colour, width=3)
    for i, (x, y) in enumerate(nodes):
        r = 26 if i % 5 == 0 else 14
        draw.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=p[3] if i % 5 == 0 else _mix(p[1], (255, 255, 255), 0.4),
        )
    for _ in range(3):  # devices: a laptop shape and tablets
        x, y = rng.randint(100, WIDTH - 260), rng.randint(100, HEIGHT - 200)
        draw.rounded_rectangle((x, y, x + 160, y + 100), radius=8, fill=p[4])
        draw.rectangle((x + 10, y + 10, x + 150, y + 90), fill=_mix(p[0], (255, 255, 255), 0.5))
        draw.polygon(
            [(x - 20, y + 100), (x + 180, y + 100), (x + 200, y + 116), (x - 40, y + 116)],
            fill=p[4],
        )


def _roadworks(draw: ImageDraw.ImageDraw, rng: random.Random, p: tuple[Colour, ...]) -> None:
    _hills(draw, rng, 430, _mix(p[2], p[0], 0.4), 100)
    horizon = 470
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=_mix(p[2], (180, 160, 120), 0.5))
    vanish = rng.randint(500, 700)
    draw.polygon(
        [(vanish - 20, horizon), (vanish + 20, horizon), (WIDTH - 150, HEIGHT), (150, HEIGHT)],
        fill=(90, 94, 100),
    )
    for k in range(6):  # centre line
        t0, t1 = k / 6, k / 6 + 0.07
        draw.line(
            (vanish, horizon + t0 * (HEIGHT - horizon), vanish, horizon + t1 * (HEIGHT - horizon)),
            fill=(245, 245, 240),
            width=2 + 3 * k,
        )
    cx = rng.choice((180, 900))  # a crane
    draw.rectangle((cx, 180, cx + 20, horizon + 60), fill=p[3])
    draw.rectangle((cx - 160, 180, cx + 220, 196), fill=p[3])
    draw.line((cx + 200, 196, cx + 200, 320), fill=p[4], width=3)
    draw.rectangle((cx + 185, 320, cx + 215, 345), fill=p[4])
    for _ in range(5):  # traffic cones
        x, y = rng.randint(200, WIDTH - 200), rng.randint(HEIGHT - 200, HEIGHT - 40)
        draw.polygon([(x, y - 50), (x + 18, y), (x - 18, y)], fill=(230, 110, 30))
        draw.rectangle((x - 10, y - 26, x + 10, y - 18), fill=(250, 250, 250))
    dx, dy = rng.randint(300, 900), rng.randint(120, 260)  # a survey drone
    draw.rectangle((dx - 30, dy - 8, dx + 30, dy + 8), fill=p[4])
    for ox in (-50, 50):
        draw.line((dx, dy, dx + ox, dy - 12), fill=p[4], width=4)
        draw.ellipse(
            (dx + ox - 22, dy - 18, dx + ox + 22, dy - 8), fill=_mix(p[4], (255, 255, 255), 0.5)
        )


SCENES: dict[str, Callable[[ImageDraw.ImageDraw, random.Random, tuple[Colour, ...]], None]] = {
    "factory": _factory,
    "field": _field,
    "greenhouse": _greenhouse,
    "sea": _sea,
    "town": _town,
    "dashboard": _dashboard,
    "network": _network,
    "roadworks": _roadworks,
}


def illustration(scene: str, seed: str) -> bytes:
    """A 1200x800 JPEG of the scene; the same seed always gives the same picture."""
    rng = random.Random(f"{scene}:{seed}")
    palette = PALETTES[rng.randrange(len(PALETTES))]
    image = _sky(palette[0], palette[1])
    if scene in ("dashboard", "network"):
        image = _sky(_mix(palette[4], palette[0], 0.3), _mix(palette[0], palette[1], 0.5))
    SCENES[scene](ImageDraw.Draw(image), rng, palette)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()

"""Illustrations for the demo articles, drawn here with Pillow (nothing is downloaded).

Each key names a scene; the same key always gives the same picture, so reloading the demo
does not change the images.
"""

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 900


def _gradient(top, bottom):
    image = Image.new("RGB", (WIDTH, HEIGHT), top)
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        color = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (WIDTH, y)], fill=color)
    return image


def _stars(draw, rng, count, max_y=HEIGHT):
    for _ in range(count):
        x, y = rng.randrange(WIDTH), rng.randrange(max_y)
        r = rng.choice([1, 1, 1, 2, 2, 3])
        shade = rng.randrange(170, 256)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade, min(255, shade + 20)))


def moon_surface(rng):
    image = _gradient((8, 10, 24), (22, 26, 48))
    draw = ImageDraw.Draw(image)
    _stars(draw, rng, 260, max_y=HEIGHT // 2)
    draw.ellipse([1150, 90, 1330, 270], fill=(90, 150, 230))  # the Earth
    draw.ellipse([1190, 120, 1280, 200], fill=(70, 170, 110))
    draw.polygon(
        [(0, 560), (400, 500), (900, 540), (1300, 480), (WIDTH, 530), (WIDTH, HEIGHT), (0, HEIGHT)],
        fill=(128, 128, 136),
    )
    for _ in range(40):
        x, y = rng.randrange(WIDTH), rng.randrange(580, HEIGHT)
        r = rng.randrange(10, 70)
        draw.ellipse(
            [x - r, y - r // 3, x + r, y + r // 3],
            fill=(100, 100, 108),
            outline=(160, 160, 168),
            width=3,
        )
    return image


def rocket_launch(rng):
    image = _gradient((20, 60, 130), (250, 170, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 760, WIDTH, HEIGHT], fill=(40, 44, 52))
    draw.rectangle([640, 300, 700, 760], fill=(80, 84, 92))  # tower
    for y in range(320, 760, 40):
        draw.line([(640, y), (700, y + 40)], fill=(120, 124, 130), width=4)
    draw.rectangle([760, 260, 840, 640], fill=(240, 240, 236))  # rocket body
    draw.polygon([(760, 260), (800, 170), (840, 260)], fill=(220, 60, 50))
    draw.rectangle([740, 520, 760, 640], fill=(230, 230, 226))
    draw.rectangle([840, 520, 860, 640], fill=(230, 230, 226))
    for _ in range(90):
        x = 800 + rng.gauss(0, 60)
        y = 660 + abs(rng.gauss(0, 70))
        r = rng.randrange(20, 60)
        shade = rng.randrange(200, 256)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade, shade - 10))
    draw.polygon([(775, 640), (825, 640), (800, 720)], fill=(255, 190, 60))
    return image


def telescope_deep_field(rng):
    image = Image.new("RGB", (WIDTH, HEIGHT), (4, 4, 12))
    draw = ImageDraw.Draw(image)
    _stars(draw, rng, 500)
    for _ in range(45):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        a, b = rng.randrange(8, 40), rng.randrange(4, 18)
        color = rng.choice([(255, 170, 90), (200, 120, 255), (120, 180, 255), (255, 120, 120)])
        draw.ellipse([x - a, y - b, x + a, y + b], fill=color)
    image = image.filter(ImageFilter.GaussianBlur(1.5))
    draw = ImageDraw.Draw(image)
    for _ in range(12):  # diffraction spikes of bright stars
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        for angle in range(0, 360, 60):
            dx, dy = math.cos(math.radians(angle)) * 40, math.sin(math.radians(angle)) * 40
            draw.line([(x, y), (x + dx, y + dy)], fill=(255, 250, 230), width=2)
    return image


def asteroid(rng):
    image = Image.new("RGB", (WIDTH, HEIGHT), (6, 8, 16))
    draw = ImageDraw.Draw(image)
    _stars(draw, rng, 300)
    points = []
    for i in range(36):
        angle = 2 * math.pi * i / 36
        radius = 300 + rng.randrange(-30, 30) + 40 * math.cos(2 * angle)
        points.append((800 + radius * math.cos(angle), 450 + 0.8 * radius * math.sin(angle)))
    draw.polygon(points, fill=(92, 80, 70))
    for _ in range(120):
        x, y = 800 + rng.gauss(0, 150), 450 + rng.gauss(0, 110)
        r = rng.randrange(4, 24)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rng.choice([(70, 60, 52), (120, 108, 96)]))
    draw.rectangle([1280, 160, 1340, 200], fill=(210, 190, 120))  # a spacecraft
    draw.rectangle([1200, 172, 1280, 188], fill=(60, 90, 170))
    draw.rectangle([1340, 172, 1420, 188], fill=(60, 90, 170))
    return image


def earth_orbit(rng):
    image = Image.new("RGB", (WIDTH, HEIGHT), (2, 4, 14))
    draw = ImageDraw.Draw(image)
    _stars(draw, rng, 200, max_y=500)
    draw.ellipse([-400, 520, 2000, 2400], fill=(30, 90, 180))
    for _ in range(30):
        x, y = rng.randrange(0, WIDTH), rng.randrange(600, HEIGHT)
        draw.ellipse([x - 120, y - 20, x + 120, y + 20], fill=(230, 236, 245))
    draw.arc([-420, 500, 2020, 2420], 180, 360, fill=(120, 190, 255), width=10)
    return image.filter(ImageFilter.GaussianBlur(0.8))


def lab_glassware(rng):
    image = _gradient((236, 242, 246), (196, 214, 226))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 700, WIDTH, HEIGHT], fill=(150, 160, 170))
    colors = [(80, 170, 220), (230, 120, 150), (120, 200, 140), (250, 200, 90)]
    for i, x in enumerate(range(200, 1500, 320)):
        color = colors[i % len(colors)]
        draw.polygon(
            [(x, 300), (x + 60, 300), (x + 60, 420), (x + 160, 690), (x - 100, 690), (x, 420)],
            outline=(90, 100, 110),
            fill=(250, 252, 253),
            width=5,
        )
        draw.polygon([(x - 70, 610), (x + 130, 610), (x + 160, 690), (x - 100, 690)], fill=color)
        for _ in range(6):
            bx, by = x + rng.randrange(-40, 100), rng.randrange(470, 600)
            draw.ellipse([bx - 8, by - 8, bx + 8, by + 8], outline=color, width=3)
    return image


def circuit_board(rng):
    image = Image.new("RGB", (WIDTH, HEIGHT), (14, 70, 52))
    draw = ImageDraw.Draw(image)
    for _ in range(140):
        x, y = rng.randrange(0, WIDTH, 40), rng.randrange(0, HEIGHT, 40)
        length = rng.randrange(80, 400)
        if rng.random() < 0.5:
            draw.line([(x, y), (x + length, y)], fill=(200, 170, 80), width=5)
        else:
            draw.line([(x, y), (x, y + length)], fill=(200, 170, 80), width=5)
        draw.ellipse([x - 9, y - 9, x + 9, y + 9], fill=(230, 200, 110))
    for _ in range(8):
        x, y = rng.randrange(100, WIDTH - 300), rng.randrange(100, HEIGHT - 200)
        draw.rectangle([x, y, x + 200, y + 120], fill=(24, 24, 28))
        for px in range(x + 15, x + 200, 25):
            draw.rectangle([px, y - 12, px + 8, y], fill=(190, 190, 190))
            draw.rectangle([px, y + 120, px + 8, y + 132], fill=(190, 190, 190))
    return image


def city_night(rng):
    image = _gradient((10, 14, 40), (60, 40, 90))
    draw = ImageDraw.Draw(image)
    _stars(draw, rng, 80, max_y=300)
    x = 0
    while x < WIDTH:
        width = rng.randrange(60, 160)
        height = rng.randrange(200, 620)
        draw.rectangle([x, HEIGHT - height, x + width, HEIGHT], fill=(22, 24, 40))
        for wy in range(HEIGHT - height + 20, HEIGHT - 20, 30):
            for wx in range(x + 10, x + width - 14, 24):
                if rng.random() < 0.45:
                    draw.rectangle([wx, wy, wx + 10, wy + 14], fill=(255, 214, 120))
        x += width + rng.randrange(4, 20)
    return image


def forest(rng):
    image = _gradient((200, 226, 240), (240, 232, 210))
    draw = ImageDraw.Draw(image)
    for layer, shade in enumerate([(120, 160, 130), (70, 120, 90), (30, 80, 55)]):
        base = 520 + layer * 130
        for _ in range(26):
            x = rng.randrange(-50, WIDTH + 50)
            h = rng.randrange(180, 320)
            draw.polygon([(x, base - h), (x - 70, base + 40), (x + 70, base + 40)], fill=shade)
        draw.rectangle([0, base + 30, WIDTH, HEIGHT], fill=shade)
    return image


def ocean_wave(rng):
    image = _gradient((250, 236, 206), (246, 214, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse([1150, 120, 1330, 300], fill=(226, 80, 60))
    for row in range(9):
        y0 = 430 + row * 55
        color = (20 + row * 6, 60 + row * 8, 120 + row * 6)
        points = [(0, HEIGHT)]
        for x in range(0, WIDTH + 20, 20):
            points.append((x, y0 + 30 * math.sin(x / 90 + row * 0.8) + rng.randrange(-3, 3)))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=color)
    return image


def paper_lantern(rng):
    image = _gradient((28, 20, 40), (70, 30, 40))
    draw = ImageDraw.Draw(image)
    for x in range(160, WIDTH, 260):
        y = 260 + rng.randrange(-60, 60)
        draw.line([(x, 0), (x, y - 120)], fill=(60, 50, 50), width=4)
        draw.ellipse([x - 90, y - 120, x + 90, y + 120], fill=(236, 90, 60))
        for band in range(-90, 120, 30):
            draw.arc(
                [x - 90, y + band - 10, x + 90, y + band + 10], 0, 180, fill=(190, 60, 40), width=3
            )
        draw.rectangle([x - 40, y - 130, x + 40, y - 112], fill=(40, 30, 30))
        draw.rectangle([x - 40, y + 112, x + 40, y + 130], fill=(40, 30, 30))
    return image.filter(ImageFilter.GaussianBlur(0.6))


def solar_panel(rng):
    image = _gradient((120, 180, 240), (220, 236, 250))
    draw = ImageDraw.Draw(image)
    draw.ellipse([1260, 80, 1440, 260], fill=(255, 220, 90))
    draw.rectangle([0, 720, WIDTH, HEIGHT], fill=(110, 150, 90))
    for row in range(2):
        for col in range(4):
            x0, y0 = 160 + col * 340, 430 + row * 150
            draw.polygon(
                [(x0, y0 + 120), (x0 + 60, y0), (x0 + 320, y0), (x0 + 260, y0 + 120)],
                fill=(30, 50, 110),
            )
            for i in range(1, 6):
                t = i / 6
                draw.line(
                    [
                        (x0 + 60 * (1 - t) + 0, y0 + 120 * (1 - t)),
                        (x0 + 260 + 60 * (1 - t), y0 + 120 * (1 - t)),
                    ],
                    fill=(90, 120, 190),
                    width=2,
                )
    return image


SCENES = {
    "moon-surface": moon_surface,
    "rocket-launch": rocket_launch,
    "telescope-deep-field": telescope_deep_field,
    "asteroid": asteroid,
    "earth-orbit": earth_orbit,
    "lab-glassware": lab_glassware,
    "circuit-board": circuit_board,
    "city-night": city_night,
    "forest": forest,
    "ocean-wave": ocean_wave,
    "paper-lantern": paper_lantern,
    "solar-panel": solar_panel,
}


# Alt text of each scene, for readers who cannot see it.
ALT_TEXT = {
    "moon-surface": "Grey cratered lunar ground under a starry sky, the Earth above the horizon",
    "rocket-launch": "A white rocket with a red nose lifting off beside its tower in smoke",
    "telescope-deep-field": "Dozens of small coloured galaxies and bright stars on a black sky",
    "asteroid": "A dark, lumpy asteroid covered in boulders, a small spacecraft nearby",
    "earth-orbit": "The curve of the blue Earth with white clouds, seen from orbit",
    "lab-glassware": "A row of laboratory flasks holding blue, pink, green and yellow liquids",
    "circuit-board": "A green circuit board with gold traces and black chips",
    "city-night": "City towers at night with many lit windows under a purple sky",
    "forest": "Layers of dark green conifer forest under a pale sky",
    "ocean-wave": "Rows of blue waves under a red sun on a cream sky",
    "paper-lantern": "Red paper lanterns hanging in a row against a dark evening sky",
    "solar-panel": "Rows of dark blue solar panels on green grass under a bright sun",
}


def render(key):
    """The PNG bytes of the scene ``key``; raises KeyError for an unknown key."""
    scene = SCENES[key]
    # Seeded by the scene: the same drawing on every run (not a secret).
    rng = random.Random(key)  # noqa: S311
    image = scene(rng)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

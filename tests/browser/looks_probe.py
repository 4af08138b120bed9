"""Page probes for how the figures read, shared by the browser tests and ``shots.py``.

Each runs in the page (``page.evaluate(PROBE, scope)``) over the visible
figures inside the CSS selector ``scope`` and returns plain data: an empty
list when all is well.
"""

from __future__ import annotations

from typing import Any

#: Figure titles that do not fit inside their figure: [title, its box, the figure's].
CUT_TITLES = """(scope) => {
    const root = document.querySelector(scope);
    if (root === null) return [['no ' + scope]];
    return [...root.querySelectorAll('.bqplot.figure')]
        .filter(f => f.getBoundingClientRect().width > 0)
        .flatMap(f => {
            const t = f.querySelector('text.mainheading');
            if (!t || !t.textContent) return [];
            const b = t.getBoundingClientRect(), s = f.querySelector('svg').getBoundingClientRect();
            return (b.left < s.left - 0.5 || b.right > s.right + 0.5)
                ? [[t.textContent, [b.left, b.right], [s.left, s.right]]] : [];
        })
        // The line charts' titles (js/src/lines.ts) are cut with an ellipsis.
        .concat([...root.querySelectorAll('.dashmon-lines .dashmon-stream-title')]
            .filter(t => t.getBoundingClientRect().width > 0
                         && t.scrollWidth > t.clientWidth + 1)
            .map(t => [t.textContent, [t.clientWidth], [t.scrollWidth]]));
}"""

#: Tick labels drawn (partly) outside their figure's SVG, where they are cut:
#: [figure title, label, its box, the SVG's].
CUT_TICKS = """(scope) => {
    const root = document.querySelector(scope);
    if (root === null) return [['no ' + scope]];
    return [...root.querySelectorAll('.bqplot.figure')]
        .filter(f => f.getBoundingClientRect().width > 0)
        .flatMap(f => {
            const title = (f.querySelector('text.mainheading') || {}).textContent || '';
            const s = f.querySelector('svg').getBoundingClientRect();
            return [...f.querySelectorAll('g.axis .tick text')]
                .filter(t => t.textContent !== '' && t.getBoundingClientRect().width > 0)
                .map(t => [t.textContent, t.getBoundingClientRect()])
                .filter(([_, b]) => b.left < s.left - 0.5 || b.right > s.right + 0.5
                                    || b.top < s.top - 0.5 || b.bottom > s.bottom + 0.5)
                .map(([text, b]) => [title, text, [b.left, b.right], [s.left, s.right]]);
        })
        .concat([...root.querySelectorAll('.dashmon-lines')]
            .filter(f => f.getBoundingClientRect().width > 0)
            .flatMap(f => {
                const s = f.getBoundingClientRect();
                return [...f.querySelectorAll('.dashmon-stream-ticks span')]
                    .map(t => [t.textContent, t.getBoundingClientRect()])
                    .filter(([_, b]) => b.left < s.left - 0.5 || b.right > s.right + 0.5
                                        || b.top < s.top - 0.5 || b.bottom > s.bottom + 0.5)
                    .map(([text, b]) => [f.dataset.title, text, [b.left, b.right],
                                         [s.left, s.right]]);
            }));
}"""

#: Neighbouring tick labels of one axis closer than 4 px (or overlapping):
#: [figure title, first label, second label, gap in px].
TICK_COLLISIONS = """(scope) => {
    const root = document.querySelector(scope);
    if (root === null) return [['no ' + scope]];
    const found = [];
    root.querySelectorAll('.bqplot.figure').forEach(f => {
        if (f.getBoundingClientRect().width === 0) return;
        const title = (f.querySelector('text.mainheading') || {}).textContent || '';
        f.querySelectorAll('g.axis').forEach(a => {
            const ticks = [...a.querySelectorAll('.tick text')]
                .filter(t => t.textContent !== '' && t.getBoundingClientRect().width > 0)
                .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}));
            if (ticks.length < 2) return;
            // Along the axis's line: labels of a vertical axis differ in width
            // more than they are apart when the axis is short.
            const line = a.querySelector('.domain');
            const lb = line ? line.getBoundingClientRect() : null;
            const across = lb ? lb.width > lb.height
                : Math.abs(ticks[1].box.left - ticks[0].box.left) >
                  Math.abs(ticks[1].box.top - ticks[0].box.top);
            const sorted = ticks.sort((p, q) => across ? p.box.left - q.box.left
                                                       : p.box.top - q.box.top);
            for (let i = 1; i < sorted.length; i++) {
                const p = sorted[i - 1].box, q = sorted[i].box;
                const gap = across ? q.left - p.right : q.top - p.bottom;
                if (gap < 4) found.push([title, sorted[i - 1].text, sorted[i].text, gap]);
            }
        });
    });
    // The line charts' clock labels along, value labels and line names down.
    root.querySelectorAll('.dashmon-lines').forEach(f => {
        if (f.getBoundingClientRect().width === 0) return;
        [['x', true], ['y', false], ['name', false]].forEach(([kind, across]) => {
            const ticks = [...f.querySelectorAll('.dashmon-lines-' + kind)]
                .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}))
                .sort((p, q) => across ? p.box.left - q.box.left : p.box.top - q.box.top);
            for (let i = 1; i < ticks.length; i++) {
                const p = ticks[i - 1].box, q = ticks[i].box;
                const gap = across ? q.left - p.right : q.top - p.bottom;
                const [a, b] = [ticks[i - 1].text, ticks[i].text];
                if (gap < (across ? 4 : 0)) found.push([f.dataset.title, a, b, gap]);
            }
        });
    });
    return found;
}"""

#: The tooltip shown, if any (the last one shown; bqplot's, or the one the
#: package's own charts share): its text, the box drawn (not the margins
#: around it), its colours, and the viewport's size.
TOOLTIP = """() => {
    const tips = [...document.querySelectorAll(
            '.bqplot_tooltip_div .bqplot_mark_tooltip, .dashmon-stream-tooltip')]
        .filter(t => t.getBoundingClientRect().width > 0 && getComputedStyle(t).display !== 'none'
                     && parseFloat(getComputedStyle(t).opacity) > 0 && t.textContent.trim());
    if (!tips.length) return null;
    const t = tips[tips.length - 1], b = t.getBoundingClientRect(), s = getComputedStyle(t);
    const cell = t.querySelector('td') || t;
    return {
        text: t.innerText,
        box: {left: b.left, right: b.right, top: b.top, bottom: b.bottom},
        background: s.backgroundColor,
        color: getComputedStyle(cell).color,
        viewport: [window.innerWidth, window.innerHeight],
    };
}"""


def settled(page: Any, probe: str, scope: str, tries: int = 4) -> list:
    """What ``probe`` finds in ``scope`` once the figures have settled.

    A figure whose value range grows gets its new ticks and its new range in
    two messages, and for a frame between them its tick labels stand in one
    place; a defect that stays is found on every try, a redraw in passing is not.
    """
    found: list = []
    for _ in range(tries):
        found = page.evaluate(probe, scope)
        if not found:
            return found
        page.wait_for_timeout(400)
    return found


def luminance(css: str) -> float:
    """Relative luminance (WCAG) of a CSS ``rgb()``/``rgba()`` colour."""
    import re

    channels = [float(v) / 255 for v in re.findall(r"[\d.]+", css)[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)

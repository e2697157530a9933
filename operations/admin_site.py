"""The staff site: Django's admin plus a stats dashboard (/admin/stats/)."""

from __future__ import annotations

import functools
import math
from datetime import date
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path

from operations import selectors

CHART_WIDTH, CHART_HEIGHT = 760, 220
CHART_MARGIN = {"left": 44, "right": 12, "top": 12, "bottom": 36}


def _nice_step(value: float) -> int:
    """The smallest of 1, 2, 5 x 10^k at or above ``value``: a readable axis step."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(series: list[tuple[date, int]]) -> dict[str, Any]:
    """Geometry of an SVG bar chart of ``series``, drawn by the template (no script)."""
    inner_w = CHART_WIDTH - CHART_MARGIN["left"] - CHART_MARGIN["right"]
    inner_h = CHART_HEIGHT - CHART_MARGIN["top"] - CHART_MARGIN["bottom"]
    highest = max((count for _, count in series), default=0)
    step = _nice_step(max(1, highest) / 4)
    top = step * max(1, math.ceil(highest / step))
    slot = inner_w / max(1, len(series))
    bars = []
    for i, (day, count) in enumerate(series):
        height = inner_h * count / top
        bars.append(
            {
                "x": round(CHART_MARGIN["left"] + i * slot + slot * 0.15, 1),
                "y": round(CHART_MARGIN["top"] + inner_h - height, 1),
                "width": round(slot * 0.7, 1),
                "height": round(height, 1),
                "day": day,
                "count": count,
                "label": day.strftime("%d %b") if i % 5 == 0 or i == len(series) - 1 else "",
                "label_x": round(CHART_MARGIN["left"] + (i + 0.5) * slot, 1),
            }
        )
    ticks = [
        {"value": value, "y": round(CHART_MARGIN["top"] + inner_h * (1 - value / top), 1)}
        for value in range(0, top + 1, step)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_MARGIN["left"],
        "right": CHART_WIDTH - CHART_MARGIN["right"],
        "baseline": CHART_MARGIN["top"] + inner_h,
        "label_y": CHART_HEIGHT - 12,
        "bars": bars,
        "ticks": ticks,
        "total": sum(count for _, count in series),
    }


class VoxifyAdminSite(admin.AdminSite):
    site_header = "Voxify administration"
    site_title = "Voxify admin"
    index_title = "Operations"
    index_template = "admin/operations/index.html"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """As Django's, but a signed-in user who is not staff gets 403, not the login page."""
        guarded = super().admin_view(view, cacheable)

        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        return inner

    def get_urls(self) -> list[URLResolver | URLPattern]:
        extra = [path("stats/", self.admin_view(self.stats_view), name="stats")]
        return extra + super().get_urls()

    def stats_view(self, request: HttpRequest) -> HttpResponse:
        series = selectors.syntheses_per_day(days=30)
        context = {
            **self.each_context(request),
            "title": "Service statistics",
            "stats": selectors.admin_stats(),
            "chart": bar_chart(series),
            "days": len(series),
        }
        return TemplateResponse(request, "admin/operations/stats.html", context)

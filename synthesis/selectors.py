"""Reads of syntheses. Another user's synthesis is simply not found."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from synthesis.models import Synthesis
from voxify_project.errors import NotFound


def synthesis_list(*, user: User, mode: str | None = None, status: str | None = None) -> QuerySet[Synthesis]:
    syntheses = Synthesis.objects.filter(owner=user).select_related("output_file", "job").order_by("-created_at", "-id")
    if mode:
        syntheses = syntheses.filter(mode=mode)
    if status:
        syntheses = syntheses.filter(status=status)
    return syntheses


def synthesis_get(*, user: User, synthesis_id: str) -> Synthesis:
    synthesis = (
        Synthesis.objects.select_related("output_file", "job").filter(owner=user, public_id=synthesis_id).first()
    )
    if synthesis is None:
        raise NotFound("Synthesis not found.", code="SYNTHESIS_NOT_FOUND")
    return synthesis

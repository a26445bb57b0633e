"""Template helpers of the web interface."""

from __future__ import annotations

from django import template

from congvan.dispatch.models import DeliveryState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """Show a receipt state in the interface language ("registered" -> "Đã vào sổ")."""
    try:
        return str(DeliveryState(value).label)
    except ValueError:
        return value

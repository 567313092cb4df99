"""Hooks for other apps (metrics): ``delivery_attempted`` is sent after every delivery
attempt, with ``endpoint``, ``delivery``, ``attempt`` (its ``status_code`` is None when no
HTTP answer came; its unsaved ``refused`` is True when the destination check refused the URL)
and ``succeeded`` (bool)."""

from django.dispatch import Signal

delivery_attempted = Signal()

"""Jinja2 set-up: autoescaped templates that see the viewer, the CSRF token and the permission predicates."""

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from forum import permissions
from forum.config import PROJECT_ROOT, Settings
from forum.kit import csrf
from forum.kit.humanize import exact_time, time_ago
from forum.kit.time import utcnow
from forum.moderation.models import ACTION_LABELS, COMMON_REASONS, OUTCOME_LABELS, REASON_LABELS
from forum.threads.models import VISIBILITY_LABELS


def csrf_token_for(request: Request) -> str:
    """The token this browser's forms carry (see kit/csrf.py)."""
    return csrf.token_for(request.state.csrf_seed, request.app.state.settings.resolved_secret_key)


def _context(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "viewer": getattr(request.state, "viewer", permissions.VISITOR),
        "csrf_token": csrf_token_for(request),
        "community_name": settings.community_name,
        "tagline": settings.tagline,
        "can": permissions,
    }


templates = Jinja2Templates(directory=PROJECT_ROOT / "templates", context_processors=[_context])
templates.env.autoescape = True
templates.env.filters["time_ago"] = time_ago
templates.env.filters["exact_time"] = exact_time
templates.env.globals["reason_labels"] = REASON_LABELS
templates.env.globals["outcome_labels"] = OUTCOME_LABELS
templates.env.globals["action_labels"] = ACTION_LABELS
templates.env.globals["common_reasons"] = COMMON_REASONS
templates.env.globals["utcnow"] = utcnow
templates.env.globals["visibility_labels"] = VISIBILITY_LABELS


def configure(settings: Settings) -> None:
    """Outside development, templates are compiled once: no file check on every render."""
    templates.env.auto_reload = settings.env == "development"

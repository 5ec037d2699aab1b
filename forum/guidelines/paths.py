"""Path parameters shared by the guideline pages and the API."""

from typing import Annotated

from fastapi import Path

from forum.guidelines.models import ANCHOR_MAX, SLUG_MAX

DocumentSlug = Annotated[str, Path(min_length=1, max_length=SLUG_MAX, description="The document, e.g. stop-session")]
SectionAnchor = Annotated[str, Path(min_length=1, max_length=ANCHOR_MAX, description="The section, e.g. illness")]

"""HTML pages of the search domain."""

from fastapi import APIRouter

router = APIRouter()

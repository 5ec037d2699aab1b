"""JSON API of the search domain."""

from fastapi import APIRouter

router = APIRouter(tags=["search"])

"""HTML pages of the notifications domain."""

from fastapi import APIRouter

router = APIRouter()

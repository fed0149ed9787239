"""Text detection: one small interface, and its Presidio implementation."""

from .base import TextDetector

__all__ = ["TextDetector"]

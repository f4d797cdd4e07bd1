"""Reciprocity: measure, manage and plan the reciprocity of technology flows between allies."""

from reciprocity.api import Reciprocity, connect
from reciprocity.errors import ReciprocityError

__all__ = ["Reciprocity", "ReciprocityError", "connect"]
__version__ = "0.1.0"

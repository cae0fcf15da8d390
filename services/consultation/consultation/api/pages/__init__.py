"""The public portal: server-rendered Persian pages over the same use cases as the public JSON API."""

from consultation.api.pages.routes import router

__all__ = ["router"]

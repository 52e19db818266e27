"""The web adapter (interfaces.md §5): the HTTP API, roles and the wallboard."""

from callcore.adapters.web.access import Principal, TokenBook, TokenFileError, WebRole
from callcore.adapters.web.app import create_app, wallboard_page

__all__ = ["Principal", "TokenBook", "TokenFileError", "WebRole", "create_app", "wallboard_page"]

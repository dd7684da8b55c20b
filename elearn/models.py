"""Every table, imported in one place for Alembic and for ``create_all`` in tests."""

from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User

__all__ = ["Academy", "LoginAttempt", "LoginSession", "ParentLink", "User"]

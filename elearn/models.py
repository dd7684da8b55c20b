"""Every table, imported in one place for Alembic and for ``create_all`` in tests."""

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User

__all__ = ["Academy", "AuditEntry", "LoginAttempt", "LoginSession", "ParentLink", "User"]

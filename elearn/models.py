"""Every table, imported in one place for Alembic and for ``create_all`` in tests."""

from __future__ import annotations

from elearn.admin.models import AccessNotice, CardJob
from elearn.audit.models import AuditEntry
from elearn.auth.models import (
    Academy,
    LoginAttempt,
    LoginSession,
    ParentLink,
    SsoIdentity,
    SsoSignIn,
    User,
)
from elearn.compliance.models import PolicyRelease, Reminder
from elearn.learning.models import Certificate, CourseCycle, LessonRead, PolicySignOff
from elearn.privacy.models import RetentionSetting
from elearn.quiz.models import AttemptAnswer, QuizAttempt
from elearn.roster.models import RosterUpload
from elearn.safeguarding.models import Attachment, Report, ReportEntry
from elearn.xapi.models import (
    LrsCredential,
    LrsDocument,
    StatementActivity,
    StatementAgent,
    StoredStatement,
)

__all__ = [
    "Academy",
    "AccessNotice",
    "Attachment",
    "AttemptAnswer",
    "AuditEntry",
    "CardJob",
    "Certificate",
    "CourseCycle",
    "LessonRead",
    "LoginAttempt",
    "LoginSession",
    "LrsCredential",
    "LrsDocument",
    "ParentLink",
    "PolicyRelease",
    "PolicySignOff",
    "QuizAttempt",
    "Reminder",
    "Report",
    "ReportEntry",
    "RetentionSetting",
    "RosterUpload",
    "SsoIdentity",
    "SsoSignIn",
    "StatementActivity",
    "StatementAgent",
    "StoredStatement",
    "User",
]


def import_models() -> None:
    """Make sure ``Base.metadata`` knows every table: importing this module did that."""

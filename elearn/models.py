"""Every table, imported in one place for Alembic and for ``create_all`` in tests."""

from elearn.admin.models import AccessNotice, CardJob
from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User
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
    "StatementActivity",
    "StatementAgent",
    "StoredStatement",
    "User",
]

"""Every table, imported in one place for Alembic and for ``create_all`` in tests."""

from elearn.audit.models import AuditEntry
from elearn.auth.models import Academy, LoginAttempt, LoginSession, ParentLink, User
from elearn.learning.models import Certificate, CourseCycle, LessonRead, PolicySignOff
from elearn.quiz.models import AttemptAnswer, QuizAttempt
from elearn.xapi.models import LrsCredential, StatementActivity, StatementAgent, StoredStatement

__all__ = [
    "Academy",
    "AttemptAnswer",
    "AuditEntry",
    "Certificate",
    "CourseCycle",
    "LessonRead",
    "LoginAttempt",
    "LoginSession",
    "LrsCredential",
    "ParentLink",
    "PolicySignOff",
    "QuizAttempt",
    "StatementActivity",
    "StatementAgent",
    "StoredStatement",
    "User",
]

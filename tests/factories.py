"""Test data builders: real rows through the real models, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from elearn.auth.models import Academy, ParentLink, User
from elearn.auth.passwords import hash_password
from elearn.auth.roles import Role, StaffKind

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; tests share one hash of the common password.
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def academy(self, name: str | None = None, **fields: object) -> Academy:
        n = next(_counter)
        academy = Academy(
            name=name or f"Academy {n}", code=str(fields.pop("code", f"a{n}")), **fields
        )
        self.session.add(academy)
        self.session.commit()
        return academy

    def user(
        self,
        role: Role = Role.STAFF,
        academy: Academy | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        **fields: object,
    ) -> User:
        n = next(_counter)
        defaults: dict[str, object] = {}
        if role is Role.PUPIL:
            defaults["year_group"] = 5
        if role.is_staff:
            defaults["staff_kind"] = StaffKind.TRUST if role is Role.ADMIN else StaffKind.TEACHER
            defaults["start_on"] = date(2020, 9, 1)
        defaults.update(fields)
        user = User(
            role=role,
            academy=academy,
            username=username or f"{role.value}{n}",
            display_name=str(defaults.pop("display_name", f"Person {n} {role.value.title()}")),
            password_hash=hash_password(password) if password else _PASSWORD_HASH,
            **defaults,
        )
        self.session.add(user)
        self.session.commit()
        return user

    def link(self, parent: User, pupil: User) -> ParentLink:
        link = ParentLink(parent=parent, pupil=pupil)
        self.session.add(link)
        self.session.commit()
        return link

"""Small, fully known content trees for tests that need exact questions and answers."""

from __future__ import annotations

import textwrap
from pathlib import Path

STAFF_COURSE = """\
id: test-staff
version: 1
title: Test staff course
summary: A short course for tests.
audience:
  roles: [staff, dsl, head]
lessons:
  - 01-first
  - 02-second
quiz:
  bank: test-staff
  questions: 4
  pass_mark: 75
  attempts: 2
  feedback: after_submission
recurrence:
  kind: recurring
  due_days_after_start: 28
  valid_months: 12
  window_days: 60
  expiry_from: previous_expiry
"""

PUPIL_COURSE = """\
id: test-pupil
version: 1
title: Test pupil course
summary: A short course for pupils.
audience:
  roles: [pupil]
  year_groups: [5]
lessons:
  - 01-only
quiz:
  bank: test-pupil
  questions: 2
  pass_mark: 100
  attempts: null
  feedback: immediate
"""

POLICY_COURSE = """\
id: test-policy
version: 1
title: Test policy
summary: The policy to sign.
audience:
  roles: [staff, dsl, head]
lessons:
  - 01-summary
policy:
  version: "{version}"
  statement: I have read and understood the test policy.
"""

PARENT_COURSE = """\
id: test-parent
version: 1
title: Test parent course
summary: For parents.
audience:
  roles: [parent]
lessons:
  - 01-hello
"""

STAFF_BANK = """\
$CATEGORY: rules

// [id:test-staff-choice]
::Choice::Which colour is the sky on a clear day?{
=Blue#Right, blue.
~Green#No, that is grass.
~Red#No, that is a post box.
}

// [id:test-staff-multi]
::Multi::Which of these are fruit?{
~%50%Apple#Apple is a fruit.
~%50%Pear#Pear is a fruit.
~%-100%Carrot#Carrot is a vegetable.
}

// [id:test-staff-tf]
::TF::The sea is salty.{T#It is salty.#Yes.####Sea water holds salt.}

// [id:test-staff-short]
::Short::Name the capital of France.{=Paris =paris city#Near enough.}

// [id:test-staff-match]
::Match::Match the animal to its sound.{
=Cat -> Miaow
=Dog -> Woof
=Cow -> Moo
}

// [id:test-staff-num]
::Num::How many days are in a week?{#7:0}
"""

PUPIL_BANK = """\
// [id:test-pupil-one]
::One::Should you share your home address online?{
=No#Yes! Keep it private.
~Yes#Not quite: your address is private.
}

// [id:test-pupil-two]
::Two::Who can you tell if something online worries you?{
=A trusted adult#Yes! Always tell.
~Nobody#Not quite: always tell a trusted adult.
}
"""


def lesson(title: str, body: str = "Some words to read.") -> str:
    return f"---\ntitle: {title}\nminutes: 3\nkey_points:\n  - Remember this.\n---\n{body}\n"


def write_content(root: Path, *, policy_version: str = "1.0") -> Path:
    """A content tree with a staff, a pupil, a parent and a policy course."""
    files = {
        "courses/test-staff.yaml": STAFF_COURSE,
        "courses/test-pupil.yaml": PUPIL_COURSE,
        "courses/test-parent.yaml": PARENT_COURSE,
        "courses/test-policy.yaml": POLICY_COURSE.format(version=policy_version),
        "content/test-staff/01-first.md": lesson("First lesson"),
        "content/test-staff/02-second.md": lesson("Second lesson"),
        "content/test-pupil/01-only.md": lesson("Only lesson"),
        "content/test-parent/01-hello.md": lesson("Hello parents"),
        "content/test-policy/01-summary.md": lesson("Policy summary"),
        "quizzes/test-staff.gift": STAFF_BANK,
        "quizzes/test-pupil.gift": PUPIL_BANK,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root

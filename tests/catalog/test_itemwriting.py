"""Item-writing warnings: each flaw in a small bad bank is caught, with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from elearn.catalog.itemwriting import review_content
from elearn.catalog.readability import readability, sentences, syllables
from elearn.cli import content

COURSE_YAML = """\
id: {id}
version: 1
title: A course
summary: For testing.
audience:
{audience}
lessons:
  - 01-first
quiz:
  bank: {id}
  questions: 1
  pass_mark: 80
  attempts: null
  feedback: immediate
"""
STAFF = "  roles: [staff]"
KS2 = "  roles: [pupil]\n  year_groups: [3, 4]"

LESSON = """\
---
title: First
minutes: 2
---
## Start

If a pupil shows you a worrying picture, tell the safeguarding lead straight away.

Keep it short.
"""
# The lesson sentence above is on line 7 of the file.
LESSON_SENTENCE_LINE = 7


def good_choice(n: int, *, right: str = "Tell the safeguarding lead", wrong: str = "") -> str:
    wrong = wrong or "Ask the pupil to send it on"
    return (
        f"// [id:bank-c{n}]\n"
        f"::Choice {n}::What do you do first? {{\n"
        f"={right}#Right.\n"
        f"~{wrong}#Sharing it again is the harm we are trying to stop.\n"
        "~Phone the parents tonight#The lead decides who is told, and when.\n"
        "}\n\n"
    )


def write_content(root: Path, bank: str, *, audience: str = STAFF, lesson: str = LESSON) -> None:
    (root / "courses").mkdir()
    (root / "quizzes").mkdir()
    (root / "content" / "bank").mkdir(parents=True)
    (root / "courses" / "bank.yaml").write_text(COURSE_YAML.format(id="bank", audience=audience))
    (root / "content" / "bank" / "01-first.md").write_text(lesson)
    (root / "quizzes" / "bank.gift").write_text(bank)


def warnings_for(tmp_path: Path, bank: str, **kwargs: str) -> list[str]:
    write_content(tmp_path, bank, **kwargs)
    return [str(w) for w in review_content(tmp_path).warnings]


def line_of(bank: str, needle: str) -> int:
    return next(i for i, line in enumerate(bank.splitlines(), start=1) if needle in line)


def test_a_fair_bank_has_no_warnings(tmp_path: Path) -> None:
    bank = good_choice(1) + good_choice(2, right="Tell her")

    assert warnings_for(tmp_path, bank) == []


def test_right_answer_longest_in_more_than_a_third_is_flagged_on_each_question(
    tmp_path: Path,
) -> None:
    long_right = "Tell the designated safeguarding lead at once, in person"
    bank = (
        good_choice(1, right=long_right)
        + good_choice(2, right=long_right + " ")
        + (good_choice(3, right="Tell her"))
    )

    found = warnings_for(tmp_path, bank)

    longest = [w for w in found if "longest option" in w]
    assert len(longest) == 2
    assert longest[0].startswith(f"quizzes/bank.gift:{line_of(bank, '::Choice 1::')}: warning:")
    assert "2 of 3 single-answer questions" in longest[0]


def test_right_answer_longest_in_a_third_or_fewer_passes(tmp_path: Path) -> None:
    long_right = "Tell the designated safeguarding lead at once, in person"
    bank = (
        good_choice(1, right=long_right)
        + good_choice(2, right="Tell her")
        + (good_choice(3, right="Tell him"))
    )

    assert not [w for w in warnings_for(tmp_path, bank) if "longest option" in w]


def test_an_option_copied_from_a_lesson_sentence_is_flagged(tmp_path: Path) -> None:
    copied = "Tell the safeguarding lead straight away"
    bank = good_choice(1, right=copied) + good_choice(2, right="Ask the pupil to send it on")

    found = warnings_for(tmp_path, bank)

    assert [w for w in found if "word for word" in w] == [
        f"quizzes/bank.gift:{line_of(bank, '::Choice 1::')}: warning: 'Choice 1': the option "
        f"'{copied}' repeats the lesson sentence at content/bank/01-first.md:"
        f"{LESSON_SENTENCE_LINE} word for word: put it in new words"
    ]


def test_a_true_false_statement_copied_from_the_lesson_is_flagged(tmp_path: Path) -> None:
    bank = (
        "// [id:bank-tf]\n::Copied::If a pupil shows you a worrying picture, tell the "
        "safeguarding lead straight away. {T#It is.#Yes.}\n\n"
        "// [id:bank-tf2]\n::Fine::Pupils may keep a copy of the picture as proof. "
        "{F#Copying it is harm.#Right.}\n"
    )

    found = warnings_for(tmp_path, bank)

    assert [w for w in found if "word for word" in w] == [
        "quizzes/bank.gift:2: warning: 'Copied': the statement repeats the lesson sentence "
        f"at content/bank/01-first.md:{LESSON_SENTENCE_LINE} word for word: put it in new words"
    ]


@pytest.mark.parametrize("feedback", ["", "#No.", "#Not quite."])
def test_a_wrong_option_without_an_explanation_is_flagged(tmp_path: Path, feedback: str) -> None:
    bank = good_choice(1) + (
        "// [id:bank-bare]\n"
        "::Bare::Who decides? {\n"
        "=The head teacher#Right.\n"
        f"~The class teacher{feedback}\n"
        "~The IT provider#They run the filter, but do not decide on access.\n"
        "}\n"
    )

    found = warnings_for(tmp_path, bank)

    assert found == [
        f"quizzes/bank.gift:{line_of(bank, '::Bare::')}: warning: 'Bare': the wrong option "
        "'The class teacher' has no feedback saying why it is wrong"
    ]


def test_a_true_false_question_without_wrong_answer_feedback_is_flagged(tmp_path: Path) -> None:
    bank = (
        "// [id:bank-tf]\n::Silent::Volunteers must follow the policy. {T}\n\n"
        "// [id:bank-tf2]\n::Said::Only teachers follow it. {F#Everyone does.#Right.}\n"
    )

    found = warnings_for(tmp_path, bank)

    assert found == [
        "quizzes/bank.gift:2: warning: 'Silent': a wrong answer gets no feedback: "
        "write {T#why not#…} or {F#why not#…}"
    ]


def test_a_matching_question_without_general_feedback_is_flagged(tmp_path: Path) -> None:
    bank = "// [id:bank-m]\n::Pairs::Match them. {\n=Forum -> netmums.com\n=Video -> YouTube\n}\n"

    found = warnings_for(tmp_path, bank)

    assert found == [
        "quizzes/bank.gift:2: warning: 'Pairs': a matching question needs #### feedback "
        "that explains each pair"
    ]


@pytest.mark.parametrize("stem", ["Which of these is NOT allowed?", "What should you never do?"])
def test_a_negative_stem_without_emphasis_is_flagged(tmp_path: Path, stem: str) -> None:
    bank = good_choice(1).replace("What do you do first?", stem)

    found = warnings_for(tmp_path, bank)

    word = "NOT" if "NOT" in stem else "never"
    assert found == [
        f"quizzes/bank.gift:2: warning: 'Choice 1': the question turns on the negative "
        f"'{word}' without emphasis: write **{word}** (or ask the question the positive way)"
    ]


@pytest.mark.parametrize(
    "stem",
    [
        "[markdown]Which of these is **not** allowed?",
        "Which of these is <strong>NOT</strong> allowed?",
        "She did not reply to him. What should you do?",
    ],
)
def test_an_emphasised_or_scene_setting_negative_passes(tmp_path: Path, stem: str) -> None:
    bank = good_choice(1).replace("What do you do first?", stem)

    assert warnings_for(tmp_path, bank) == []


def true_false_bank(trues: int, falses: int) -> str:
    items = [("T", i) for i in range(trues)] + [("F", trues + i) for i in range(falses)]
    return "".join(
        f"// [id:bank-tf{n}]\n::Statement {n}::Statement number {n}. {{{v}#Why.#Yes.}}\n\n"
        for v, n in items
    )


def test_a_true_false_bank_more_than_70_percent_true_is_flagged(tmp_path: Path) -> None:
    found = warnings_for(tmp_path, true_false_bank(8, 2))

    assert found == [
        "quizzes/bank.gift:2: warning: 8 of 10 true/false questions are True (more than 70%): "
        "learners who always answer True pass; rewrite some as false statements of a real "
        "misconception"
    ]


def test_a_true_false_bank_70_percent_true_passes(tmp_path: Path) -> None:
    assert warnings_for(tmp_path, true_false_bank(7, 3)) == []


HARD_LESSON = """\
---
title: Hard
minutes: 2
---
## Considerations

Communication technologies facilitate unprecedented opportunities for interpersonal
victimisation, necessitating comprehensive institutional safeguarding arrangements and
continuous professional development for educational practitioners.
"""


def test_a_ks2_lesson_above_grade_4_warns_and_every_lesson_gets_a_grade(tmp_path: Path) -> None:
    write_content(tmp_path, good_choice(1), audience=KS2, lesson=HARD_LESSON)

    report = review_content(tmp_path)

    assert [str(w) for w in report.warnings] == [
        f"content/bank/01-first.md:1: warning: reads at grade {report.grades[0].grade:.1f}, "
        "above 4 for KS2 pupils: use shorter sentences and shorter words"
    ]
    assert report.grades[0].grade > 4
    assert str(report.grades[0]).endswith("(Flesch–Kincaid) (KS2 aim: 4 or below)")


def test_the_same_hard_lesson_for_staff_is_information_only(tmp_path: Path) -> None:
    write_content(tmp_path, good_choice(1), audience=STAFF, lesson=HARD_LESSON)

    report = review_content(tmp_path)

    assert report.warnings == ()
    assert str(report.grades[0]).startswith("content/bank/01-first.md:1: reading grade ")


def test_simple_sentences_read_at_a_low_grade() -> None:
    easy = "## Be kind\n\nBe kind to your friends. Tell a grown-up if you feel sad.\n"

    assert readability(easy).grade <= 4
    assert readability(HARD_LESSON.split("---\n", 2)[2]).grade > 12


def test_sentences_keep_the_line_they_start_on() -> None:
    body = "## Title\n\nOne sentence here. Another\nthat wraps.\n\n- a list item\n"

    found = [(s.line, s.text) for s in sentences(body)]

    assert found == [
        (1, "Title"),
        (3, "One sentence here."),
        (3, "Another that wraps."),
        (6, "a list item"),
    ]


@pytest.mark.parametrize(
    ("word", "count"),
    [("cat", 1), ("table", 2), ("safeguarding", 4), ("make", 1), ("tried", 1), ("wanted", 2)],
)
def test_syllables_are_counted_by_rule(word: str, count: int) -> None:
    assert syllables(word) == count


def test_check_command_warns_but_passes_and_strict_fails(tmp_path: Path) -> None:
    write_content(tmp_path, "// [id:bank-tf]\n::Silent::Volunteers follow it. {T}\n")
    runner = CliRunner()

    relaxed = runner.invoke(content, ["check", "--root", str(tmp_path)])
    strict = runner.invoke(content, ["check", "--root", str(tmp_path), "--strict"])

    warning = "quizzes/bank.gift:2: warning: 'Silent': a wrong answer gets no feedback"
    assert relaxed.exit_code == 0, relaxed.output
    assert warning in relaxed.output
    assert "content/bank/01-first.md:1: reading grade" in relaxed.output
    assert "Content OK" in relaxed.output
    assert strict.exit_code != 0
    assert warning in strict.output
    assert "Content OK" not in strict.output


def test_an_option_may_contain_a_short_heading_or_name_from_the_lesson(tmp_path: Path) -> None:
    lesson = LESSON.replace("Keep it short.", "- **The Tell a trusted adult button**")
    bank = good_choice(1, right="Press the Tell a trusted adult button at school")
    bank += good_choice(2, right="Tell her") + good_choice(3, right="Tell him")

    assert warnings_for(tmp_path, bank, lesson=lesson) == []

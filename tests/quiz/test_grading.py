"""Marking responses: every question type, partial credit, edges, and forged input."""

from __future__ import annotations

import pytest

from elearn.catalog.gift import Question, QuestionType, parse_gift
from elearn.quiz.grading import (
    GRADERS,
    Grade,
    NotGradable,
    ResponseInvalid,
    grade,
    validate_response,
)


def q(text: str) -> Question:
    questions, errors = parse_gift(text, "quizzes/test.gift")
    assert errors == []
    return questions[0]


MC = q(
    "Who do you tell? {=A trusted adult#Yes! ~%50%A friend#Partly. ~%-50%Nobody#No. ~A stranger}"
)
MULTI = q("Which are private? {~%50%Address#Yes ~%50%Password#Yes ~%-100%Favourite colour#No ~Pet}")
THIRDS = q("Mammals? {~%33.33333%Dog ~%33.33333%Cat ~%33.33333%Cow ~%-33.33333%Frog}")
TF = q("Meet online friends alone. {F#No - take an adult.#Right.}")
SHORT = q("Who can you tell? {=teacher#Yes. =my mum =%50%friend#A grown-up is better.}")
WILD = q("Name a trusted adult. {=*teacher#Any teacher. =mr \\* smith}")
NUM = q("Pi to 2 places? {#3.14:0.01#Good.}")
RANGE = q("A number from 1 to 5. {#1..5}")
NEG = q("Coldest? {#-5..-1}")
SEVERAL = q("Year? {#\n=1989:0#Exactly.\n=%50%1989:2#Close.\n~#Have another look.\n}")
MATCH = q("Match. {=S -> Safe =M -> Meeting =A -> Accepting = -> Danger}")
MISS_CHOICE = q("Grant is {~buried =entombed ~living} in Grant's tomb.")
MISS_SHORT = q("Two plus two equals {=four =4}.")
ESSAY = q("Write about it. {}")
DESCRIPTION = q("Just reading.")


def test_every_gradable_type_has_one_registered_grader():
    gradable = {t for t in QuestionType if t not in (QuestionType.ESSAY, QuestionType.DESCRIPTION)}
    assert set(GRADERS) == gradable


@pytest.mark.parametrize("question", [ESSAY, DESCRIPTION])
def test_essays_and_descriptions_are_not_auto_graded(question):
    assert not question.is_gradable
    with pytest.raises(NotGradable, match="not marked automatically"):
        grade(question, "anything")


# --- choices --------------------------------------------------------------------------


def test_multichoice_right_partial_negative_and_wrong():
    assert grade(MC, 0) == Grade(1.0, True, ("Yes!",), "A trusted adult")
    assert grade(MC, 1) == Grade(0.5, False, ("Partly.",), "A friend")
    assert grade(MC, 2) == Grade(0.0, False, ("No.",), "Nobody")  # -50% clamps to 0
    assert grade(MC, 3) == Grade(0.0, False, (), "A stranger")


def test_multiresponse_sums_weights_and_clamps():
    assert grade(MULTI, {0, 1}) == Grade(1.0, True, ("Yes", "Yes"), "Address; Password")
    assert grade(MULTI, (0,)).fraction == 0.5
    assert grade(MULTI, (0, 1, 3)).fraction == 1.0
    assert grade(MULTI, (0, 2)).fraction == 0.0  # 50 - 100 clamps to 0
    assert grade(MULTI, (0, 1, 2)).fraction == 0.0
    assert grade(MULTI, ()).fraction == 0.0
    assert grade(MULTI, [1, 1, 0]).response_text == "Address; Password"


def test_multiresponse_thirds_add_up_to_full_marks():
    result = grade(THIRDS, (0, 1, 2))
    assert result.fraction == 1.0 and result.success
    assert grade(THIRDS, (0, 1)).fraction == pytest.approx(0.6666666)
    assert grade(THIRDS, (0, 1, 2, 3)).fraction == pytest.approx(0.6666667)


def test_true_false_feedback_for_right_and_wrong():
    assert grade(TF, False) == Grade(1.0, True, ("Right.",), "False")
    assert grade(TF, True) == Grade(0.0, False, ("No - take an adult.",), "True")


def test_choice_graders_refuse_mistyped_responses():
    for bad in (4, -1, True, "0", None):
        with pytest.raises(ResponseInvalid):
            grade(MC, bad)
    with pytest.raises(ResponseInvalid):
        grade(MULTI, (0, 9))
    with pytest.raises(ResponseInvalid):
        grade(TF, "true")


# --- typed text -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["teacher", "Teacher", "  TEACHER ", "My   Mum", "my mum"])
def test_short_answer_ignores_case_and_extra_spaces(typed):
    assert grade(SHORT, typed).success


def test_short_answer_partial_wrong_and_feedback():
    assert grade(SHORT, "Friend") == Grade(0.5, False, ("A grown-up is better.",), "Friend")
    assert grade(SHORT, "a stranger") == Grade(0.0, False, (), "a stranger")
    assert grade(SHORT, "teacher").feedback == ("Yes.",)
    assert grade(SHORT, "  my \t mum ").response_text == "my mum"


def test_short_answer_best_weighted_match_wins():
    question = q("Say it. {=%50%*cat*#Half. =black cat#Full.}")
    assert grade(question, "black cat") == Grade(1.0, True, ("Full.",), "black cat")
    assert grade(question, "a cat here").fraction == 0.5


def test_short_answer_wildcard_and_literal_star():
    assert grade(WILD, "Maths teacher").success
    assert grade(WILD, "teacher").success
    assert not grade(WILD, "teachers").success
    assert grade(WILD, "Mr * Smith").success
    assert not grade(WILD, "Mr Bob Smith").success


def test_missing_word_in_both_styles():
    assert grade(MISS_CHOICE, 1).success
    assert not grade(MISS_CHOICE, 0).success
    assert grade(MISS_SHORT, "Four").success
    assert grade(MISS_SHORT, "4").success
    assert not grade(MISS_SHORT, "five").success


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "right"),
    [("3.14", True), ("3.13", True), ("3.15", True), (" 3.150 ", True), ("3.12", False),
     ("3.1501", False), ("+3.14", True), (3.13, True), (3.16, False)],
)  # fmt: skip
def test_numerical_tolerance_edges_are_included(typed, right):
    assert grade(NUM, typed).success is right


@pytest.mark.parametrize(
    ("typed", "right"),
    [("1", True), ("5", True), ("0.999", False), ("5.0001", False), ("3", True)],
)
def test_numerical_range_edges_are_included(typed, right):
    assert grade(RANGE, typed).success is right


def test_numerical_negative_range():
    assert grade(NEG, "-5").success
    assert grade(NEG, "-1").success
    assert not grade(NEG, "1").success


def test_numerical_best_weight_wins_and_other_answer_feedback():
    assert grade(SEVERAL, "1989") == Grade(1.0, True, ("Exactly.",), "1989")
    assert grade(SEVERAL, "1991") == Grade(0.5, False, ("Close.",), "1991")
    assert grade(SEVERAL, "2000") == Grade(0.0, False, ("Have another look.",), "2000")


def test_numerical_refuses_comma_decimals_and_words():
    with pytest.raises(ResponseInvalid, match="full stop"):
        grade(NUM, "3,14")
    with pytest.raises(ResponseInvalid, match="not a number"):
        grade(NUM, "three")
    with pytest.raises(ResponseInvalid):
        grade(NUM, float("nan"))


# --- matching -------------------------------------------------------------------------


def test_matching_scores_the_share_of_right_pairs():
    all_right = {0: "Safe", 1: "Meeting", 2: "Accepting"}
    assert grade(MATCH, all_right) == Grade(1.0, True, (), "S → Safe; M → Meeting; A → Accepting")
    assert grade(MATCH, {0: "Safe", 1: "Danger", 2: "Accepting"}).fraction == pytest.approx(
        0.6666667
    )
    assert grade(MATCH, {0: "Safe"}).fraction == pytest.approx(0.3333333)
    assert grade(MATCH, {}).fraction == 0.0


def test_matching_refuses_forged_pairs():
    with pytest.raises(ResponseInvalid):
        grade(MATCH, {3: "Safe"})
    with pytest.raises(ResponseInvalid):
        grade(MATCH, {0: "Not offered"})


# --- validating what a browser posted -------------------------------------------------


def test_validate_choice_index():
    assert validate_response(MC, "2") == 2
    assert validate_response(MISS_CHOICE, " 1 ") == 1
    for forged in ("4", "-1", "1.0", "abc", "", "0x1", None):
        with pytest.raises(ResponseInvalid) as caught:
            validate_response(MC, forged)
        assert caught.value.message


def test_validate_checkboxes():
    assert validate_response(MULTI, ["2", "0", "0"]) == (0, 2)
    with pytest.raises(ResponseInvalid, match="tick at least one"):
        validate_response(MULTI, [])
    assert validate_response(MULTI, "1") == (1,)
    with pytest.raises(ResponseInvalid, match="not one of the choices"):
        validate_response(MULTI, ["0", "7"])


def test_validate_true_false():
    assert validate_response(TF, "true") is True
    assert validate_response(TF, "False") is False
    with pytest.raises(ResponseInvalid, match="True or False"):
        validate_response(TF, "yes")


def test_validate_typed_text():
    assert validate_response(SHORT, "  my   mum ") == "my mum"
    assert validate_response(MISS_SHORT, "four") == "four"
    with pytest.raises(ResponseInvalid, match="type an answer"):
        validate_response(SHORT, "   ")
    with pytest.raises(ResponseInvalid, match="too long"):
        validate_response(SHORT, "x" * 501)


def test_validate_number():
    assert validate_response(NUM, " 3.14 ") == 3.14
    assert validate_response(NEG, "-2") == -2.0
    with pytest.raises(ResponseInvalid, match="Use a full stop for decimals"):
        validate_response(NUM, " 3,14")
    with pytest.raises(ResponseInvalid, match="'pi' is not a number"):
        validate_response(NUM, "pi")
    with pytest.raises(ResponseInvalid, match="type a number"):
        validate_response(NUM, "")
    with pytest.raises(ResponseInvalid):
        validate_response(NUM, "1e999")


def test_validate_matching():
    assert validate_response(MATCH, {"0": "Safe", "1": "", "2": "Danger"}) == {
        0: "Safe",
        2: "Danger",
    }
    with pytest.raises(ResponseInvalid, match="not one of the options"):
        validate_response(MATCH, {"0": "<script>"})
    with pytest.raises(ResponseInvalid, match="not part of this question"):
        validate_response(MATCH, {"3": "Safe"})
    with pytest.raises(ResponseInvalid, match="not part of this question"):
        validate_response(MATCH, {"x": "Safe"})


def test_validated_responses_grade_as_expected():
    assert grade(MC, validate_response(MC, "0")).success
    assert grade(NUM, validate_response(NUM, "3.15")).success
    assert grade(TF, validate_response(TF, "false")).success
    answered = validate_response(MATCH, {"0": "Safe", "1": "Meeting", "2": "Accepting"})
    assert grade(MATCH, answered).success


def test_validate_essay_and_description():
    assert validate_response(ESSAY, "  My answer. ") == "My answer."
    with pytest.raises(ResponseInvalid):
        validate_response(ESSAY, "")
    with pytest.raises(ResponseInvalid, match="does not take an answer"):
        validate_response(DESCRIPTION, "x")


# --- short answers say the same thing in other words ----------------------------------

HEAD = q("Who decides on a request to unblock a site? {=head teacher#Correct.}")
CEO = q("Who hears a refusal to remove content? {=the CEO}")
DSL = q("Who do staff tell about a concern? {=designated safeguarding lead}")


@pytest.mark.parametrize(
    "typed",
    [
        "the head",
        "headteacher.",
        "Head-teacher",
        "The Headteacher!",
        "headmistress",
        "Principal",
        "  HEAD   TEACHER  ",
        "“head teacher”",
    ],
)
def test_short_answer_accepts_other_names_for_the_head(typed):
    assert grade(HEAD, typed) == Grade(1.0, True, ("Correct.",), " ".join(typed.split()))


@pytest.mark.parametrize(
    "typed", ["the Chief Executive", "CEO", "chief executive officer", "The C.E.O."]
)
def test_short_answer_accepts_other_names_for_the_chief_executive(typed):
    assert grade(CEO, typed).success


@pytest.mark.parametrize("typed", ["DSL", "the D.S.L.", "Designated Safeguarding Lead."])
def test_short_answer_accepts_the_dsl_by_initials_or_in_full(typed):
    assert grade(DSL, typed).success


@pytest.mark.parametrize(
    ("answer", "typed"),
    [("e-mail", "email"), ("E mail", "e-mail"), ("don't reply", "dont reply"), ("no one", "noone")],
)
def test_short_answer_ignores_apostrophes_hyphens_and_spaces_between_words(answer, typed):
    assert grade(q(f"Say it. {{={answer}}}"), typed).success


@pytest.mark.parametrize(
    ("answer", "typed"),
    [
        ("head teacher", "teacher"),
        ("head teacher", "deputy head teacher"),
        ("3.5", "35"),
        ("the police", "the"),
        ("CEO", "DSL"),
    ],
)
def test_short_answer_still_refuses_different_answers(answer, typed):
    assert not grade(q(f"Say it. {{={answer}}}"), typed).success


def test_short_answer_pattern_ignores_punctuation_and_case():
    assert grade(WILD, "Maths-teacher.").success
    assert grade(WILD, "mr. * smith").success

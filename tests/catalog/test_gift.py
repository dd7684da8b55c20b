"""GIFT parsing: every construct a teacher may write, and every mistake reported by line."""

from __future__ import annotations

import random
from decimal import Decimal
from textwrap import dedent

import pytest

from elearn.catalog.errors import ContentError
from elearn.catalog.gift import (
    Choice,
    MatchPair,
    MissingWordStyle,
    NumericalAnswer,
    Question,
    QuestionType,
    TextFormat,
    TrueFalseAnswer,
    parse_gift,
)

PATH = "quizzes/test.gift"


def parse(text: str) -> tuple[list[Question], list[ContentError]]:
    return parse_gift(dedent(text).lstrip("\n"), PATH)


def one(text: str) -> Question:
    questions, errors = parse(text)
    assert errors == []
    assert len(questions) == 1
    return questions[0]


def error_lines(text: str) -> list[tuple[int, str]]:
    _, errors = parse(text)
    assert all(e.path == PATH for e in errors)
    return [(e.line, e.message) for e in errors]


# --- question types -------------------------------------------------------------------


def test_single_choice_question_keeps_answers_feedback_and_general_feedback():
    q = one(
        """
        ::Sky::What colour is the sky? {=blue#Yes! ~green#No, that is grass. ####Look up.}
        """
    )
    assert q.qtype is QuestionType.MULTICHOICE
    assert q.title == "Sky"
    assert q.text == "What colour is the sky?"
    assert q.answers == (
        Choice("blue", 1.0, "Yes!"),
        Choice("green", 0.0, "No, that is grass."),
    )
    assert q.general_feedback == "Look up."
    assert q.correct_answers == (Choice("blue", 1.0, "Yes!"),)
    assert q.max_fraction == 1.0
    assert q.is_gradable and q.is_choice and q.has_correct_answer
    assert q.line == 1


def test_question_may_span_several_lines():
    q = one(
        """
        ::Thanksgiving::The American holiday of Thanksgiving
        is celebrated on the {
            ~second
            ~third
            =fourth
        } Thursday of November.
        """
    )
    assert q.qtype is QuestionType.MISSINGWORD
    assert q.text == "The American holiday of Thanksgiving\nis celebrated on the"
    assert q.text_after == "Thursday of November."
    assert [c.text for c in q.choices] == ["second", "third", "fourth"]


def test_choice_with_partial_credit_on_a_wrong_answer_stays_single_choice():
    q = one("Pick one {=best ~%50%nearly ~%-25%bad ~poor}")
    assert q.qtype is QuestionType.MULTICHOICE
    assert [c.fraction for c in q.choices] == [1.0, 0.5, -0.25, 0.0]


def test_multiple_response_weights_including_thirds_and_negatives():
    q = one(
        """
        Which are mammals? {
            ~%33.33333%Dog
            ~%33.33333%Cat
            ~%33.33333%Cow
            ~%-100%Frog#Frogs are amphibians.
        }
        """
    )
    assert q.qtype is QuestionType.MULTIRESPONSE
    assert [c.fraction for c in q.choices] == [0.3333333, 0.3333333, 0.3333333, -1.0]
    assert [c.text for c in q.correct_answers] == ["Dog", "Cat", "Cow"]
    assert q.has_correct_answer
    assert q.choices[3].feedback == "Frogs are amphibians."


def test_multiple_response_with_a_single_hundred_percent_choice():
    q = one("Tick the right one {~%100%this ~that ~other}")
    assert q.qtype is QuestionType.MULTIRESPONSE
    assert q.max_fraction == 1.0


@pytest.mark.parametrize(
    ("word", "correct"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)],
)
def test_true_false_words(word, correct):
    q = one(f"The sun rises in the east.{{{word}}}")
    assert q.qtype is QuestionType.TRUEFALSE
    assert q.truefalse == TrueFalseAnswer(correct)


def test_true_false_feedback_is_wrong_answer_first_then_right_answer():
    q = one(
        "Grant is buried in Grant's tomb.{F#No, he is entombed.#Right, he is entombed.####Tombs.}"
    )
    assert q.truefalse == TrueFalseAnswer(False, "No, he is entombed.", "Right, he is entombed.")
    assert q.general_feedback == "Tombs."


def test_short_answer_with_several_correct_answers_and_a_partial_one():
    q = one("Who's buried in Grant's tomb?{=no one =nobody#Yes. =%50%Grant#Half marks.}")
    assert q.qtype is QuestionType.SHORTANSWER
    assert q.answers == (
        Choice("no one", 1.0),
        Choice("nobody", 1.0, "Yes."),
        Choice("Grant", 0.5, "Half marks."),
    )
    assert q.is_typed_text and not q.is_choice
    assert len(q.correct_answers) == 2


def test_matching_pairs_and_an_extra_right_hand_option():
    q = one(
        """
        Match the countries with their capitals. {
            =Canada -> Ottawa
            =Italy -> Rome
            =Japan -> Tokyo
            = -> Paris
            ####Capitals.
        }
        """
    )
    assert q.qtype is QuestionType.MATCHING
    assert q.pairs == (
        MatchPair("Canada", "Ottawa"),
        MatchPair("Italy", "Rome"),
        MatchPair("Japan", "Tokyo"),
    )
    assert q.right_texts == ("Ottawa", "Rome", "Tokyo", "Paris")
    assert q.general_feedback == "Capitals."


def test_matching_with_two_pairs_is_allowed():
    assert one("Match {=a -> 1 =b -> 2}").qtype is QuestionType.MATCHING


def test_numerical_with_tolerance():
    q = one("What is pi to 2 places?{#3.14:0.01#Well done}")
    assert q.qtype is QuestionType.NUMERICAL
    assert q.answers == (NumericalAnswer(1.0, "Well done", value=3.14, tolerance=0.01),)
    assert q.answers[0].describe() == "3.14 ± 0.01"


def test_numerical_exact_value_range_and_negative_numbers():
    assert one("Year?{#1822}").answers == (NumericalAnswer(1.0, value=1822.0),)
    assert one("1 to 5?{#1..5}").answers == (NumericalAnswer(1.0, minimum=1.0, maximum=5.0),)
    assert one("Cold?{#-5..-1}").answers == (NumericalAnswer(1.0, minimum=-5.0, maximum=-1.0),)
    assert one("Debt?{#-3.5:0.5}").answers == (NumericalAnswer(1.0, value=-3.5, tolerance=0.5),)


def test_numerical_with_several_weighted_answers_and_other_answer_feedback():
    q = one(
        """
        When was Ulysses S. Grant born? {#
            =1822:0#Correct!
            =%50%1822:2#Close.
            ~#Look it up.
        }
        """
    )
    assert q.answers == (
        NumericalAnswer(1.0, "Correct!", value=1822.0, tolerance=0.0),
        NumericalAnswer(0.5, "Close.", value=1822.0, tolerance=2.0),
        NumericalAnswer(0.0, "Look it up."),
    )
    assert q.answers[2].is_catch_all


def test_missing_word_short_answer_style():
    q = one("Two plus two equals {=four =4}.")
    assert q.qtype is QuestionType.MISSINGWORD
    assert q.missing_word_style is MissingWordStyle.SHORT
    assert q.text == "Two plus two equals"
    assert q.text_after == "."
    assert q.is_typed_text


def test_missing_word_choice_style():
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.missing_word_style is MissingWordStyle.CHOICE
    assert q.is_choice
    assert q.text_after == "in Grant's tomb."


def test_essay_and_description_are_not_gradable():
    essay = one("Write about online safety.{####We will read it.}")
    assert essay.qtype is QuestionType.ESSAY
    assert essay.general_feedback == "We will read it."
    description = one("::Intro::This quiz is about the SMART rules.")
    assert description.qtype is QuestionType.DESCRIPTION
    assert description.text == "This quiz is about the SMART rules."
    assert not essay.is_gradable and not description.is_gradable
    assert one("Tell me.{}").qtype is QuestionType.ESSAY


# --- metadata -------------------------------------------------------------------------


def test_ids_from_comment_title_or_line():
    questions, errors = parse(
        """
        // [id:bank-colour] [tag:easy] [tag:ks2]
        ::Sky colour::Blue? {T}

        ::Café Rules!::Sky? {T}

        Untitled? {T}
        """
    )
    assert errors == []
    assert [q.id for q in questions] == ["bank-colour", "cafe-rules", "q6"]
    assert [q.explicit_id for q in questions] == [True, False, False]
    assert questions[0].tags == ("easy", "ks2")
    assert questions[1].tags == ()


def test_id_comment_separated_by_a_blank_line_does_not_apply():
    q = one(
        """
        // [id:lost]

        ::Kept title::Blue? {T}
        """
    )
    assert q.id == "kept-title"


def test_same_title_twice_gets_distinct_ids():
    questions, _ = parse("::Same::A? {T}\n\n::Same::B? {F}\n")
    assert [q.id for q in questions] == ["same", "same-3"]


def test_categories_apply_to_the_questions_below_them():
    questions, errors = parse(
        """
        Before? {T}

        $CATEGORY: safe

        One? {T}

        $CATEGORY: $course$/top/meeting/online

        // [id:two]
        Two? {T}

        $CATEGORY: $course$/top

        Three? {T}
        """
    )
    assert errors == []
    assert [q.category for q in questions] == ["", "safe", "meeting/online", ""]
    assert questions[2].id == "two"


@pytest.mark.parametrize(
    ("tag", "fmt"),
    [
        ("[markdown]", TextFormat.MARKDOWN),
        ("[html]", TextFormat.HTML),
        ("[plain]", TextFormat.PLAIN),
        ("[moodle]", TextFormat.MOODLE),
        ("", TextFormat.MOODLE),
    ],
)
def test_text_format_tags(tag, fmt):
    q = one(f"::T::{tag}Is **this** bold? {{T}}")
    assert q.text_format is fmt
    assert q.text == "Is **this** bold?"


def test_unknown_bracket_word_stays_in_the_text():
    assert one("[note] Read this. {T}").text == "[note] Read this."


def test_escaped_characters_are_literal():
    q = one(r"::A\:B::Is 1\=1 \{really\} \~ \# \\ ok?\nYes. {=a\~b#c\#d ~e\=f\}}")
    assert q.title == "A:B"
    assert q.text == "Is 1=1 {really} ~ # \\ ok?\nYes."
    assert q.answers == (Choice("a~b", 1.0, "c#d"), Choice("e=f}", 0.0))


def test_unknown_escape_keeps_its_backslash():
    assert one(r"Why\? {T}").text == "Why\\?"


def test_comment_lines_inside_a_question_are_ignored():
    q = one(
        """
        Pick {
            =yes
            // a note for other teachers
            ~no
        }
        """
    )
    assert [c.text for c in q.choices] == ["yes", "no"]


def test_windows_line_endings_and_byte_order_mark():
    questions, errors = parse_gift("\ufeff::A::One? {T}\r\n\r\n::B::Two? {F}\r\n", PATH)
    assert errors == []
    assert [(q.title, q.line) for q in questions] == [("A", 1), ("B", 3)]


# --- errors ---------------------------------------------------------------------------


def test_unclosed_brace_is_reported_on_its_line_and_parsing_continues():
    questions, errors = parse(
        """
        ::Good::First? {T}

        ::Broken::Which?
        {
            =a
            ~b

        ::After::Still read? {F}
        """
    )
    assert [(e.line, e.message) for e in errors] == [
        (4, "unclosed {: the answer block has no closing }")
    ]
    assert str(errors[0]) == f"{PATH}:4: unclosed {{: the answer block has no closing }}"
    assert [q.title for q in questions] == ["Good", "After"]


def test_stray_closing_brace():
    assert error_lines("Oops } here {T}") == [
        (1, "found } without a { before it (write \\} for a literal brace)")
    ]


def test_two_answer_blocks():
    lines = error_lines("Pick {=a ~b} and\nthen {=c ~d}")
    assert [line for line, _ in lines] == [2]
    assert "only one answer block" in lines[0][1]


def test_unknown_weight_syntax_points_at_the_answer_line():
    lines = error_lines(
        """
        Pick {
            =a
            ~%half%b
        }
        """
    )
    assert lines == [
        (
            3,
            "unknown weight syntax '%half%b': write a percentage between percent signs, "
            "such as %50% or %-25%",
        )
    ]


def test_weight_moodle_would_refuse():
    lines = error_lines("Pick {~%45%a ~%55%b}")
    assert len(lines) == 2
    assert "weight %45% is not one Moodle accepts" in lines[0][1]


def test_weight_after_equals_in_a_choice_question():
    lines = error_lines("Pick {=%50%a ~b}")
    assert "= always means 100%" in lines[0][1]


def test_choice_question_without_a_correct_answer():
    lines = error_lines("::Q::\nPick one\n{~a ~b ~c}")
    assert lines[0][0] == 3
    assert lines[0][1].startswith("no correct answer")


def test_multiple_response_weights_must_add_up_to_100():
    assert error_lines("Pick {~%50%a ~%25%b ~c}") == [
        (1, "the weights of the right choices add up to 75%; they must add up to 100%")
    ]


def test_short_answer_without_full_marks():
    lines = error_lines("Name it {=%50%half}")
    assert lines[0][1].startswith("no correct answer")


def test_choice_question_needs_two_choices_and_no_empty_ones():
    assert error_lines("Only {~%100%one}") == [(1, "a choice question needs at least 2 choices")]
    assert error_lines("Only {=one ~}") == [(1, "empty answer after ~")]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("{#abc}", "numerical answer 'abc' is not a number"),
        (
            "{#3,14}",
            "numerical answer '3,14' is not a number (use a full stop for decimals, not a comma)",
        ),
        ("{#3:x}", "numerical answer 'x' is not a number"),
        ("{#5..1}", "the range 5..1 starts above where it ends"),
        ("{#3:-1}", "the tolerance in 3:-1 must not be negative"),
        ("{#=%50%3}", "no correct answer: at least one number must be worth 100%"),
        ("{#~3#x}", None),
    ],
)
def test_numerical_errors(block, message):
    lines = error_lines(f"How many?\n{block}")
    assert lines and lines[0][0] == 2
    if message:
        assert lines[0][1] == message


def test_numerical_error_line_is_the_bad_answer_line():
    lines = error_lines("How many? {#\n  =3\n  =%50%three\n}")
    assert lines == [(3, "numerical answer 'three' is not a number")]


def test_matching_with_one_pair():
    assert error_lines("Match {=a -> b}") == [
        (1, "a matching question needs at least 2 pairs; it has 1")
    ]


def test_matching_mixed_with_choices():
    for block in ("{=a -> b =c -> d ~e}", "{=a -> b =c -> d =e}"):
        lines = error_lines(f"Match {block}")
        assert "do not mix them" in lines[0][1]


def test_matching_pair_without_right_side_or_with_feedback():
    assert (
        error_lines("Match {=a -> =b -> c =d -> e}")[0][1] == "a matching pair needs text after ->"
    )
    assert "cannot have # feedback" in error_lines("Match {=a -> b#no =c -> d}")[0][1]


def test_empty_question_text():
    assert error_lines("::Title only::{=a ~b}") == [
        (1, "the question has no text before its answers")
    ]
    assert error_lines("::Title only::") == [(1, "the question has no text")]


def test_duplicate_id_reports_the_second_and_keeps_the_first():
    questions, errors = parse(
        """
        // [id:same]
        First? {T}

        // [id:same]
        Second? {F}
        """
    )
    assert [(e.line, e.message) for e in errors] == [
        (4, "duplicate question id 'same' (first used on line 2)")
    ]
    assert [q.text for q in questions] == ["First?"]


def test_bad_id_and_two_ids():
    assert "question id 'has space'" in error_lines("// [id:has space]\nQ? {T}")[0][1]
    assert error_lines("// [id:a] [id:b]\nQ? {T}") == [(1, "a question can have only one [id:…]")]


# --- read as Moodle's importer reads them ---------------------------------------------


def test_lower_case_true_is_a_short_answer_as_in_moodle():
    # Moodle only takes T, TRUE, F and FALSE in capitals; anything else is typed text.
    q = one("The sun rises in the east. {true}")
    assert q.qtype is QuestionType.SHORTANSWER
    assert q.choices == (Choice("true", 1.0),)


def test_answer_written_without_a_marker_counts_as_moodle_reads_it():
    short = one("Capital of France? {Paris =%50%Lyon}")
    assert short.qtype is QuestionType.SHORTANSWER
    assert short.choices == (Choice("Paris", 1.0), Choice("Lyon", 0.5))
    choice = one("Pick one {first ~second =third}")
    assert choice.qtype is QuestionType.MULTICHOICE
    assert choice.choices == (Choice("first", 0.0), Choice("second", 0.0), Choice("third", 1.0))


@pytest.mark.parametrize(
    ("block", "qtype"),
    [
        ("{T}", QuestionType.TRUEFALSE),
        ("{#3}", QuestionType.NUMERICAL),
        ("{}", QuestionType.ESSAY),
        ("{~%50%a ~%50%b ~c}", QuestionType.MULTIRESPONSE),
        ("{=a -> b =c -> d}", QuestionType.MATCHING),
    ],
)
def test_text_after_any_answer_block_follows_the_blank(block, qtype):
    q = one(f"Before {block} after.")
    assert q.qtype is qtype
    assert (q.text, q.text_after) == ("Before", "after.")


def test_text_after_a_numerical_block():
    q = one("Days in a leap year? {#366:0}.")
    assert q.qtype is QuestionType.NUMERICAL
    assert q.text_after == "."
    assert q.numerical_answers[0].accepts(Decimal(366))


def test_numerical_answer_with_catch_all_feedback():
    q = one("Pick a number from 10 to 20. {#15:5~#That is outside 10 to 20.}")
    right, other = q.numerical_answers
    assert (right.value, right.tolerance, right.fraction) == (15.0, 5.0, 1.0)
    assert other.is_catch_all
    assert other.feedback == "That is outside 10 to 20."


def test_format_tags_on_each_part_are_read_and_not_shown():
    q = one(
        """
        ::Parts::[html]Which is <b>safe</b>?{
            =[plain]Tell a trusted adult # [html]<i>Yes</i>
            ~[markdown]Reply to the *stranger* #[moodle]No
            ~%0%[html]Share a photo#No
        }
        """
    )
    assert [c.text for c in q.choices] == [
        "Tell a trusted adult",
        "Reply to the *stranger*",
        "Share a photo",
    ]
    # A part tagged with the question's own format (here [html]) just follows the question.
    assert [c.text_format for c in q.choices] == [TextFormat.PLAIN, TextFormat.MARKDOWN, None]
    assert [c.feedback for c in q.choices] == ["<i>Yes</i>", "No", "No"]
    assert [c.feedback_format for c in q.choices] == [None, TextFormat.MOODLE, None]


def test_format_tags_on_matching_sub_questions():
    q = one(
        """
        Match each app to what it does. {
            =[html]<b>Messages</b> -> talk
            =[plain]Photos -> pictures
            = -> games
        }
        """
    )
    assert [(p.left, p.left_format) for p in q.pairs] == [
        ("<b>Messages</b>", TextFormat.HTML),
        ("Photos", TextFormat.PLAIN),
    ]
    assert q.right_texts == ("talk", "pictures", "games")


def test_multi_line_feedback_loses_its_indentation():
    q = one(
        """
        Who can you tell? {
            =A trusted adult  #Yes. A parent, a teacher
                               or another adult you trust.
            ~Nobody           #No.
        }
        """
    )
    assert q.choices[0].feedback == "Yes. A parent, a teacher\nor another adult you trust."


def test_unclosed_title_is_dropped_and_the_question_kept_as_in_moodle():
    q = one("::No end. Is this kept? {T}")
    assert q.title == ""
    assert q.text == "No end. Is this kept?"


def test_category_sharing_a_block_with_a_question_is_reported():
    # Moodle would take "Two? {T}" as part of the category's name and skip the question.
    questions, errors = parse("One? {T}\n\n$CATEGORY: safe\nTwo? {T}\n")
    assert [q.text for q in questions] == ["One?"]
    assert [(e.line, e.message) for e in errors] == [
        (
            4,
            "put a blank line between $CATEGORY: (line 3) and this question; Moodle reads "
            "lines below $CATEGORY: in the same block as part of the category name and "
            "skips the question",
        )
    ]


def test_category_inside_a_question():
    lines = error_lines("Pick {\n$CATEGORY: x\n=a ~b}")
    assert lines == [(2, "$CATEGORY: must come before a question")]


def test_every_error_is_collected_not_just_the_first():
    questions, errors = parse(
        """
        Bad one {~a ~b}

        Bad two {#x}

        Good {T}

        Bad three {=a -> b}
        """
    )
    assert [e.line for e in errors] == [1, 3, 7]
    assert [q.text for q in questions] == ["Good"]


def test_parser_never_raises_on_scrambled_input():
    rng = random.Random(1234)
    pieces = "{ } = ~ # #### :: -> %50% %x \\ T 1.. : [html] word -3 .".split()
    pieces += ["\n", "\n\n", " ", "$CATEGORY: a\n", "// [id:x]\n"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        questions, errors = parse_gift(text, PATH)
        assert all(isinstance(q, Question) for q in questions)
        assert all(e.line >= 1 for e in errors)

"""Writing banks back out: GIFT that reads back equal, and Moodle XML that Moodle imports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from textwrap import dedent

import pytest

from elearn.catalog.gift import (
    Choice,
    MatchPair,
    NumericalAnswer,
    Question,
    QuestionType,
    TextFormat,
    TrueFalseAnswer,
    parse_gift,
)
from elearn.catalog.gift_export import to_gift, to_moodle_xml

EVERY_CONSTRUCT = dedent(
    r"""
    // A bank that uses every construct the parser knows.
    ::Intro::[markdown]Welcome to the **SMART** quiz.\nTake your time.

    $CATEGORY: $course$/top/safe

    // [id:mc] [tag:ks2] [tag:easy]
    ::Single\: choice::Who should you tell? {
        =A trusted adult#Yes!
        ~%50%A friend#A friend is good, an adult is better.
        ~%-25%Nobody#Always tell someone.
        ~A stranger online
        ####Tell a trusted adult.
    }

    ::Multi::[html]<p>Which are personal information?</p> {
        ~%33.33333%Your address
        ~%33.33333%Your school
        ~%33.33333%Your phone number
        ~%-100%Your favourite colour#That one is fine to share.
    }

    $CATEGORY: meeting

    ::TF one::Meet online friends alone.{F#No — always take an adult.#Right.####Stay safe.}

    ::TF two::It is fine to say no. {TRUE}

    ::TF three::Blocking is allowed. {T##Yes, you can block.}

    ::Short::Who can you tell? {=teacher =parent#Yes =%50%friend#Partly. ####Any trusted adult.}

    ::Match::Match the letters. {
        =S -> Safe
        =M -> Meeting
        =A -> Accepting
        = -> Dangerous
        ####SMART.
    }

    // [id:numeric]
    ::Number::How old must you be for most social media? {#13:0#Yes, 13.}

    ::Range::Pick a number from 1 to 5. {#1..5}

    ::Several::When was the web invented? {#
        =1989:0#Exactly.
        =%50%1989:2#Close.
        =%-10%-5..-1#Negative?
        ~#Look it up.
    }

    ::Missing choice::Grant is {~buried =entombed ~living} in Grant's tomb.

    ::Missing short::Two plus two equals {=four =4}.

    ::Essay::[plain]Write about a time you felt unsafe online. {####A teacher will read it.}

    ::Plain essay::Tell us more. {}

    Escapes \~ \= \# \{ \} \: and a back\\slash? {=yes\=no ~no\#way}

    [moodle][html] is literal text here. {T}
    """
)


def _without_lines(questions: list[Question]) -> list[tuple]:
    return [(q.id, q.title, q.qtype, q.category) for q in questions]


def test_every_construct_bank_parses_cleanly():
    questions, errors = parse_gift(EVERY_CONSTRUCT, "quizzes/every.gift")
    assert errors == []
    assert {q.qtype for q in questions} == set(QuestionType)
    assert len(questions) == 17


def test_round_trip_gives_equal_questions():
    questions, _ = parse_gift(EVERY_CONSTRUCT, "quizzes/every.gift")
    written = to_gift(questions)
    again, errors = parse_gift(written, "quizzes/again.gift")
    assert errors == []
    assert again == questions
    # Line numbers are where the text sits and may move; they are not part of equality.
    assert [q.line for q in again] != [q.line for q in questions]
    assert to_gift(again) == written


def test_round_trip_of_built_questions_with_awkward_text():
    built = [
        Question(
            id="awkward",
            title="Colons: {braces} ~ and = # \\",
            qtype=QuestionType.MULTICHOICE,
            text="Line one\nline two with \\n literally and // slashes",
            answers=(
                Choice("a => b", 1.0, "feed#back"),
                Choice("100%", 0.0, "#"),
            ),
            general_feedback="General {feedback}",
            category="top-level/sub",
            tags=("alpha", "beta"),
        ),
        Question(
            id="sevenths",
            title="",
            qtype=QuestionType.MULTIRESPONSE,
            text="Pick",
            answers=tuple(Choice(str(i), 0.1428571) for i in range(7)),
        ),
        Question(
            id="num",
            title="N",
            qtype=QuestionType.NUMERICAL,
            text="x",
            answers=(NumericalAnswer(1.0, value=0.1, tolerance=1e-05),),
            text_format=TextFormat.HTML,
        ),
        Question(
            id="tf",
            title="T",
            qtype=QuestionType.TRUEFALSE,
            text="[html] is not a tag here",
            answers=(TrueFalseAnswer(False, "", "right"),),
        ),
    ]
    again, errors = parse_gift(to_gift(built), "x.gift")
    assert errors == []
    assert again == built


def test_line_is_ignored_by_equality_but_id_is_not():
    q = Question(id="a", title="", qtype=QuestionType.ESSAY, text="Hi", line=3)
    assert q == Question(id="a", title="", qtype=QuestionType.ESSAY, text="Hi", line=99)
    assert q != Question(id="b", title="", qtype=QuestionType.ESSAY, text="Hi", line=3)


def test_gift_output_starts_category_blocks_and_writes_ids():
    questions, _ = parse_gift(EVERY_CONSTRUCT, "quizzes/every.gift")
    written = to_gift(questions)
    assert "$CATEGORY: safe\n\n// [id:mc] [tag:ks2] [tag:easy]\n" in written
    assert "$CATEGORY: meeting\n" in written
    assert "// [id:numeric]\n::Number::" in written


# --- Moodle XML -----------------------------------------------------------------------


@pytest.fixture
def quiz() -> ET.Element:
    questions, _ = parse_gift(EVERY_CONSTRUCT, "quizzes/every.gift")
    return ET.fromstring(to_moodle_xml(questions))


def _question(quiz: ET.Element, idnumber: str) -> ET.Element:
    for node in quiz.iter("question"):
        if node.findtext("idnumber") == idnumber:
            return node
    raise AssertionError(f"no question {idnumber}")


def _fractions(node: ET.Element) -> list[str]:
    return [a.get("fraction") for a in node.findall("answer")]


def test_xml_is_well_formed_with_moodle_types(quiz):
    assert quiz.tag == "quiz"
    types = [q.get("type") for q in quiz.findall("question")]
    assert types.count("category") == 2
    assert set(types) == {
        "category",
        "description",
        "multichoice",
        "truefalse",
        "shortanswer",
        "matching",
        "numerical",
        "essay",
    }


def test_xml_categories_precede_their_questions(quiz):
    nodes = quiz.findall("question")
    categories = [
        (i, n.findtext("category/text")) for i, n in enumerate(nodes) if n.get("type") == "category"
    ]
    assert [path for _, path in categories] == ["$course$/top/safe", "$course$/top/meeting"]
    assert nodes[categories[0][0] + 1].findtext("idnumber") == "mc"


def test_xml_category_parameter_is_a_parent_for_every_category():
    questions, _ = parse_gift(EVERY_CONSTRUCT, "quizzes/every.gift")
    root = ET.fromstring(to_moodle_xml(questions, category="SMART KS2"))
    paths = [n.findtext("category/text") for n in root.findall("question[@type='category']")]
    assert paths == ["$course$/top/SMART KS2", "$course$/top/SMART KS2/safe",
                     "$course$/top/SMART KS2/meeting"]  # fmt: skip


def test_xml_single_choice_fractions_feedback_and_flags(quiz):
    node = _question(quiz, "mc")
    assert node.get("type") == "multichoice"
    assert node.findtext("single") == "true"
    assert node.findtext("shuffleanswers") == "true"
    assert _fractions(node) == ["100", "50", "-25", "0"]
    assert node.find("answer/feedback/text").text == "Yes!"
    assert node.findtext("name/text") == "Single: choice"
    assert node.findtext("generalfeedback/text") == "Tell a trusted adult."
    assert [t.text for t in node.findall("tags/tag/text")] == ["ks2", "easy"]


def test_xml_multiple_response(quiz):
    node = _question(quiz, "multi")
    assert node.findtext("single") == "false"
    assert _fractions(node) == ["33.33333", "33.33333", "33.33333", "-100"]
    assert node.find("questiontext").get("format") == "html"


def test_xml_true_false_feedback_goes_to_the_right_answers(quiz):
    node = _question(quiz, "tf-one")
    answers = {a.findtext("text"): a for a in node.findall("answer")}
    assert answers["false"].get("fraction") == "100"
    assert answers["false"].findtext("feedback/text") == "Right."
    assert answers["true"].get("fraction") == "0"
    assert answers["true"].findtext("feedback/text") == "No — always take an adult."


def test_xml_numerical_tolerance_range_and_catch_all(quiz):
    single = _question(quiz, "numeric")
    assert single.findtext("answer/text") == "13"
    assert single.findtext("answer/tolerance") == "0"
    ranged = _question(quiz, "range")
    assert (ranged.findtext("answer/text"), ranged.findtext("answer/tolerance")) == ("3", "2")
    several = _question(quiz, "several")
    assert _fractions(several) == ["100", "50", "-10", "0"]
    assert several.findall("answer")[-1].findtext("text") == "*"


def test_xml_matching_subquestions(quiz):
    node = _question(quiz, "match")
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in node.findall("subquestion")]
    assert pairs == [("S", "Safe"), ("M", "Meeting"), ("A", "Accepting"), ("", "Dangerous")]


def test_xml_missing_words_become_blanks(quiz):
    choice = _question(quiz, "missing-choice")
    assert choice.get("type") == "multichoice"
    assert choice.findtext("questiontext/text") == "Grant is _____ in Grant's tomb."
    short = _question(quiz, "missing-short")
    assert short.get("type") == "shortanswer"
    assert short.findtext("questiontext/text") == "Two plus two equals _____."
    assert _fractions(short) == ["100", "100"]


def test_xml_short_answer_essay_and_description(quiz):
    short = _question(quiz, "short")
    assert _fractions(short) == ["100", "100", "50"]
    assert short.findtext("usecase") == "0"
    essay = _question(quiz, "essay")
    assert essay.get("type") == "essay"
    assert essay.find("questiontext").get("format") == "plain_text"
    assert _question(quiz, "intro").get("type") == "description"
    assert _question(quiz, "intro").findtext("defaultgrade") == "0"


def test_xml_escapes_markup_in_text():
    question = Question(id="x", title="<b>", qtype=QuestionType.DESCRIPTION, text="a < b & c > d")
    root = ET.fromstring(to_moodle_xml([question]))
    assert root.findtext("question/questiontext/text") == "a < b & c > d"
    assert root.findtext("question/name/text") == "<b>"


def test_matching_pairs_round_trip():
    question = Question(
        id="m",
        title="M",
        qtype=QuestionType.MATCHING,
        text="Match",
        answers=(MatchPair("a", "1"), MatchPair("b", "2 -> two")),
    )
    again, errors = parse_gift(to_gift([question]), "m.gift")
    assert errors == []
    assert again == [question]


def test_part_formats_round_trip_and_reach_moodle_xml():
    question = Question(
        id="parts",
        title="Parts",
        qtype=QuestionType.MULTICHOICE,
        text="Which is safe?",
        answers=(
            Choice("Tell an adult", 1.0, "<i>Yes</i>", TextFormat.PLAIN, TextFormat.HTML),
            Choice("[html] is written, not read as a tag", 0.0, "[plain] likewise"),
        ),
    )
    gift = to_gift([question])
    assert "=[plain]Tell an adult#[html]<i>Yes</i>" in gift
    again, errors = parse_gift(gift, "parts.gift")
    assert errors == []
    assert again == [question]
    node = ET.fromstring(to_moodle_xml([question])).find("question")
    first, second = node.findall("answer")
    assert (first.get("format"), first.find("feedback").get("format")) == ("plain_text", "html")
    assert second.findtext("text") == "[html] is written, not read as a tag"
    assert second.get("format") == "moodle_auto_format"


def test_matching_left_format_reaches_moodle_xml():
    question = Question(
        id="m",
        title="M",
        qtype=QuestionType.MATCHING,
        text="Match",
        answers=(MatchPair("<b>a</b>", "1", TextFormat.HTML), MatchPair("b", "2")),
    )
    again, _ = parse_gift(to_gift([question]), "m.gift")
    assert again == [question]
    subs = ET.fromstring(to_moodle_xml([question])).findall("question/subquestion")
    assert [s.get("format") for s in subs] == ["html", "moodle_auto_format"]


def test_xml_names_untitled_questions_by_their_opening_words_as_moodle_does():
    long_text = (
        "When a message from someone you have never met asks for a photo of you in your "
        "school uniform, what should you do first?"
    )
    questions = [
        Question(
            id="q1",
            title="",
            qtype=QuestionType.TRUEFALSE,
            text="<b>Is</b> it safe?",
            answers=(TrueFalseAnswer(False),),
        ),
        Question(id="q2", title="", qtype=QuestionType.ESSAY, text=long_text),
        Question(
            id="q3",
            title="",
            qtype=QuestionType.NUMERICAL,
            text="Days in a week",
            answers=(NumericalAnswer(1.0, value=7.0),),
            text_after=".",
        ),
    ]
    names = [q.findtext("name/text") for q in ET.fromstring(to_moodle_xml(questions))]
    assert names[0] == "Is it safe?"
    assert names[1] == (
        "When a message from someone you have never met asks for a photo of you in..."
    )
    assert len(names[1]) <= 80
    assert names[2] == "Days in a week _____."

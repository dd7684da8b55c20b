"""YAML that remembers where things are: parse, validate with pydantic, report ``file:line``.

PyYAML's ``safe_load`` gives plain data with no positions, so each document is also composed
into its node tree. A pydantic error's ``loc`` (e.g. ``("quiz", "pass_mark")``) is then walked
down that tree to the line of the key or list item at fault.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from elearn.catalog.errors import ContentError

Loc = tuple[int | str, ...]

_M = TypeVar("_M", bound=BaseModel)

_SHOWN_INPUT_LIMIT = 60

_MODEL_NAME = re.compile(r" or instance of \w+")
_SUBJECTS = re.compile(r"^(?:Input|List|Tuple|Dictionary|String|Value) should ")


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the node tree it came from; ``offset`` is how many lines precede it."""

    data: Any
    node: yaml.Node | None
    path: str
    offset: int = 0

    def line(self, loc: Loc) -> int:
        """The file line of the key or item ``loc`` names, or of the nearest enclosing one."""
        node = self.node
        if node is None:
            return self.offset + 1
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next(
                    ((k, v) for k, v in node.value if getattr(k, "value", None) == part), None
                )
                if pair is None:
                    break
                line = pair[0].start_mark.line + 1
                node = pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return self.offset + line

    def error(self, loc: Loc, message: str) -> ContentError:
        """An error pinned to the line of ``loc``."""
        return ContentError(self.path, self.line(loc), message)


def parse_yaml(
    text: str, path: str, offset: int = 0
) -> tuple[YamlDocument | None, list[ContentError]]:
    """Parse one YAML document; on a syntax error return None and the error with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (mark.line + 1 if mark is not None else 1)
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        return None, [ContentError(path, line, f"YAML syntax error: {detail}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(path, offset + 1, f"YAML syntax error: {exc}")]
    document = YamlDocument(data=data, node=node, path=path, offset=offset)
    return document, list(_duplicate_keys(document))


def _duplicate_keys(document: YamlDocument) -> Iterator[ContentError]:
    # PyYAML keeps the last of two equal keys without a word; a teacher would never notice.
    stack = [document.node] if document.node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first_seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = document.offset + key.start_mark.line + 1
                    if key.value in first_seen:
                        yield ContentError(
                            document.path,
                            line,
                            f"duplicate key '{key.value}' (already set on line "
                            f"{first_seen[key.value]}; only one would be used)",
                        )
                    else:
                        first_seen[key.value] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def validate(
    document: YamlDocument,
    model: type[_M],
    context: dict[str, Any] | None = None,
    what: str = "this file",
) -> tuple[_M | None, list[ContentError]]:
    """Validate the document against ``model``; every problem comes back with its own line."""
    if not isinstance(document.data, dict):
        keys = ", ".join(f"{name}:" for name in model.model_fields)
        found = "nothing" if document.data is None else f"a {type(document.data).__name__}"
        return None, [
            ContentError(
                document.path,
                document.line(()),
                f"{what} must be a set of keys ({keys}) but holds {found}",
            )
        ]
    try:
        return model.model_validate(document.data, context=context), []
    except ValidationError as exc:
        details = exc.errors()
        return None, [
            _translate(document, model, error)
            for error in details
            if not _echo_of_item_error(error, details)
        ]


def _echo_of_item_error(error: ErrorDetails, details: list[ErrorDetails]) -> bool:
    # A list whose only item is invalid is also reported as too short; one error is enough.
    if error["type"] != "too_short":
        return False
    loc = tuple(error["loc"])
    return any(
        len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in details
    )


def _translate(document: YamlDocument, model: type[BaseModel], error: ErrorDetails) -> ContentError:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "missing":
        return document.error(loc[:-1], f"missing required key '{dotted(loc)}'")
    if kind == "extra_forbidden":
        allowed = ", ".join(_fields_at(model, loc[:-1]))
        return document.error(loc, f"unknown key '{dotted(loc)}' (allowed here: {allowed})")
    if kind == "content":
        if "at" in context:
            loc = (*loc, context["at"])
        message = str(context["message"])
    else:
        message = _plain(error)
    return document.error(loc, f"{dotted(loc)}: {message}" if loc else message)


def _plain(error: ErrorDetails) -> str:
    if error["type"] == "string_too_short":
        return "must not be empty"
    if error["type"] == "too_short":
        return "must list at least one item"
    message = _SUBJECTS.sub("must ", error["msg"])
    message = _MODEL_NAME.sub("", message)
    for pydantic_words, plain_words in (
        ("a valid integer", "a whole number"),
        ("a valid string", "text"),
        ("a valid boolean", "true or false"),
        ("a valid dictionary", "a set of keys"),
        ("a valid tuple", "a list"),
        ("a valid list", "a list"),
    ):
        message = message.replace(pydantic_words, plain_words)
    if error["type"].endswith(("_type", "_parsing", "literal_error", "enum")):
        shown = "nothing" if error["input"] is None else repr(error["input"])
        if len(shown) > _SHOWN_INPUT_LIMIT:
            shown = shown[: _SHOWN_INPUT_LIMIT - 3] + "..."
        message = f"{message} (got {shown})"
    return message


def dotted(loc: Sequence[int | str]) -> str:
    """``("audience", "roles", 0)`` -> ``audience.roles[0]``, as a teacher would read it."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    # Follow the field annotations down to the nested model the unknown key sits in.
    current = model
    for part in loc:
        if not isinstance(part, str) or part not in current.model_fields:
            continue
        nested = _model_in(current.model_fields[part].annotation)
        if nested is None:
            break
        current = nested
    return list(current.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None

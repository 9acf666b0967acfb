"""Schema and its content tree: ``Section`` > ``Datapoint`` / ``Multivalue`` > ``Tuple`` > ``Datapoint``.

Children are typed by their ``category``; a node of an unknown category is kept as the raw ``dict`` (and skipped
by ``traverse``). Every typed node knows its ``parent`` (the SDK's ``Node.parent`` is always ``None``, K23):
a datapoint's parent is its section, tuple or multivalue, a section's parent is the schema (``None`` when the
section was built on its own). Parents are not part of equality.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, SkipValidation, field_validator, model_validator

from ._base import RossumModel


class ValueSource(StrEnum):
    CAPTURED = "captured"
    DATA = "data"
    MANUAL = "manual"
    FORMULA = "formula"
    REASONING = "reasoning"
    LOOKUP = "lookup"


class MatchingQuery(RossumModel):
    aggregate: list[dict[str, Any]]
    comment: str = Field(default="", alias="//")


class MatchingVariable(RossumModel):
    formula: str = Field(default="", alias="__formula")


class MatchingConfiguration(RossumModel):
    dataset: str
    queries: list[MatchingQuery]
    variables: dict[str, MatchingVariable]


class Matching(RossumModel):
    type: str
    configuration: MatchingConfiguration


class _Node(RossumModel):
    _parent: Any = PrivateAttr(default=None)

    @property
    def parent(self) -> Any:
        """The node (or schema) that contains this one; ``None`` for a node built on its own."""
        return self._parent

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]

    def _adopt(self, children: Any) -> None:
        for child in children:
            if isinstance(child, _Node):
                child._parent = self


class Datapoint(_Node):
    id: str
    type: str | None = None
    label: str | None = None
    description: str | None = None
    category: str = "datapoint"
    disable_prediction: bool = False
    hidden: bool = False
    can_export: bool = True
    can_collapse: bool = False
    rir_field_names: list[str] | None = None
    default_value: str | None = None
    constraints: dict[str, Any] = Field(default_factory=dict)
    score_threshold: float | None = None
    options: list[dict[str, Any]] | None = None
    ui_configuration: dict[str, Any] | None = None
    width: int | None = None
    stretch: bool = False
    width_chars: int | None = None
    formula: str | None = None
    prompt: str | None = None
    context: list[str] | None = None
    matching: Matching | dict[str, Any] | None = Field(default=None, union_mode="left_to_right")
    enum_value_type: str | None = None
    format: str | None = None

    @property
    def is_button(self) -> bool:
        return self.type == "button"

    @property
    def value_source(self) -> str:
        """``ui_configuration.type`` (a ``ValueSource`` value, or a newer one as plain text); for old schemas
        without it ``manual`` when predictions are disabled, else ``captured``."""
        source = (self.ui_configuration or {}).get("type")
        if source:
            try:
                return ValueSource(source)
            except ValueError:
                return str(source)
        return ValueSource.MANUAL if self.disable_prediction else ValueSource.CAPTURED

    @property
    def is_formula(self) -> bool:
        return self.value_source == ValueSource.FORMULA

    @property
    def is_reasoning(self) -> bool:
        return self.value_source == ValueSource.REASONING

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        if ignore_buttons and self.is_button:
            return
        yield self


def _typed_child(value: Any, allowed: dict[str, type[_Node]]) -> Any:
    """A schema node dict -> the model of its ``category`` (unknown category: the dict itself)."""
    if isinstance(value, _Node):
        return value
    if not isinstance(value, dict):
        raise ValueError(f"a schema node must be an object, got {type(value).__name__}")
    model = allowed.get(str(value.get("category")))
    return model.model_validate(value) if model is not None else value


def _typed_children(value: Any, allowed: dict[str, type[_Node]]) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"children must be a list, got {type(value).__name__}")
    return [_typed_child(child, allowed) for child in value]


class Tuple(_Node):
    id: str
    children: SkipValidation[list[Datapoint | dict[str, Any]]]
    category: str = "tuple"
    label: str | None = None
    disable_prediction: bool = False
    hidden: bool = False
    rir_field_names: list[str] | None = None

    @field_validator("children", mode="before")
    @classmethod
    def _type_children(cls, value: Any) -> Any:
        return _typed_children(value, {"datapoint": Datapoint})

    @model_validator(mode="after")
    def _set_parents(self) -> Tuple:
        self._adopt(self.children)
        return self

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Tuple | Datapoint]:
        yield self
        for child in self.children:
            if isinstance(child, Datapoint):
                yield from child.traverse(ignore_buttons=ignore_buttons)


class Multivalue(_Node):
    id: str
    children: SkipValidation[Datapoint | Tuple | dict[str, Any]]
    category: str = "multivalue"
    label: str | None = None
    rir_field_names: list[str] | None = None
    min_occurrences: int | None = None
    max_occurrences: int | None = None
    grid: dict[str, Any] | None = None
    show_grid_by_default: bool = False
    hidden: bool = False

    @field_validator("children", mode="before")
    @classmethod
    def _type_children(cls, value: Any) -> Any:
        return _typed_child(value, {"datapoint": Datapoint, "tuple": Tuple})

    @model_validator(mode="after")
    def _set_parents(self) -> Multivalue:
        self._adopt([self.children])
        return self

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Multivalue | Tuple | Datapoint]:
        yield self
        if isinstance(self.children, Datapoint | Tuple):
            yield from self.children.traverse(ignore_buttons=ignore_buttons)


class Section(_Node):
    id: str
    children: SkipValidation[list[Datapoint | Multivalue | Tuple | dict[str, Any]]] = Field(default_factory=list)
    category: str = "section"
    label: str | None = None
    icon: str | None = None

    @field_validator("children", mode="before")
    @classmethod
    def _type_children(cls, value: Any) -> Any:
        return _typed_children(value, {"datapoint": Datapoint, "multivalue": Multivalue, "tuple": Tuple})

    @model_validator(mode="after")
    def _set_parents(self) -> Section:
        self._adopt(self.children)
        return self

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """All nodes below the section (not the section itself), depth first."""
        for child in self.children:
            if isinstance(child, Datapoint | Multivalue | Tuple):
                yield from child.traverse(ignore_buttons=ignore_buttons)


class Schema(RossumModel):
    id: int
    name: str | None = None
    queues: list[str] = Field(default_factory=list)
    url: str | None = None
    content: SkipValidation[list[Section | dict[str, Any]]] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    modified_by: str | None = None
    modified_at: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _type_sections(cls, value: Any) -> Any:
        return _typed_children(value, {"section": Section})

    @model_validator(mode="after")
    def _set_parents(self) -> Schema:
        for section in self.content:
            if isinstance(section, Section):
                section._parent = self
        return self

    @property
    def sections(self) -> list[Section]:
        return [section for section in self.content if isinstance(section, Section)]

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """All nodes of all sections (sections themselves excluded, as in the SDK)."""
        for section in self.sections:
            yield from section.traverse(ignore_buttons=ignore_buttons)

    def get_by_id(self, node_id: str, ignore_buttons: bool = True) -> Section | Multivalue | Tuple | Datapoint | None:
        """The node (section included) with this ``id``, or ``None``."""
        for section in self.sections:
            if section.id == node_id:
                return section
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if node.id == node_id:
                return node
        return None

    def formula_fields(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if isinstance(node, Datapoint) and node.is_formula:
                yield node

    def reasoning_fields(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if isinstance(node, Datapoint) and node.is_reasoning:
                yield node

"""Base class of every API model: lenient where the SDK's dacite models are strict.

* Unknown JSON keys are kept (``extra="allow"``) so nothing the server sends is lost; they are attributes too.
* Enum-like fields are plain ``str`` (K22): a value the server adds tomorrow never breaks deserialization. The
  ``StrEnum`` classes next to the models list the known values and compare equal to the strings.
* ``null`` sent for a field whose type has no ``None`` but which has a default (``"locale": null``) yields that
  default instead of a validation error. Required fields (sdk-required-response-fields) stay required.
"""

from __future__ import annotations

import contextlib
import types
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

JsonDict = dict[str, Any]


def _allows_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None) or annotation is Any:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_allows_none(arg) for arg in get_args(annotation))
    return False


class RossumModel(BaseModel):
    """A Rossum API object. ``model_dump(by_alias=True)`` gives the JSON shape back."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)

    _null_means_default: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        keys: set[str] = set()
        for name, info in cls.model_fields.items():
            if info.is_required() or _allows_none(info.annotation):
                continue
            keys.add(name)
            if info.alias:
                keys.add(info.alias)
        cls._null_means_default = frozenset(keys)

    @model_validator(mode="before")
    @classmethod
    def _null_to_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls._null_means_default:
            nulls = [k for k, v in data.items() if v is None and k in cls._null_means_default]
            if nulls:
                data = {k: v for k, v in data.items() if k not in nulls}
        return data


@contextlib.contextmanager
def allow_schema_field() -> Iterator[None]:
    """Wrap a model class that has a field named ``schema`` (queue, annotation: SDK attribute names).

    pydantic warns that such a field shadows the deprecated ``BaseModel.schema()`` classmethod; the field is
    what users of the SDK read, so the warning is silenced for that class definition only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message='Field name "schema" ', category=UserWarning)
        yield

"""What every engine's options dataclass shares: field metadata and the question they define.

An engine's options are one frozen dataclass (:class:`solvers.boolean.options.BooleanOptions`,
:class:`solvers.threshold.options.ThresholdOptions`, :class:`solvers.relu.options.ReLUOptions`)
whose fields are declared with :func:`option`.  A field is either part of the
*question* (``question=True``: it changes what a minimum is, e.g. a depth bound;
it is a table-spec column option, it is recorded in results and certificates and
:mod:`solvers.audit` compares it) or a choice of *method* (the SAT solver, the
number of processes: the same question, answered another way).  The ``lbt
synth`` options, the table-spec column options and the option checks of
``--claims`` lines are all read off these declarations; the modules holding the
dataclasses import nothing heavy, so the command line can read them at start-up.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import Field, field
from typing import Any, ClassVar, Self

from circuits.errors import SpecError

__all__ = ["EngineOptions", "check_int", "option"]


def option(default: Any, kind: type, *, help: str, question: bool = True, flag: str | None = None) -> Any:
    """A field of an options dataclass whose values are ``kind`` (``int``, ``bool`` or ``str``) or ``None``.

    ``help`` is its help in ``lbt synth`` (``flag`` its name there if not ``--NAME``).
    """
    return field(default=default, metadata={"kind": kind, "help": help, "question": question, "flag": flag})


def check_int(name: str, value: Any, least: int, most: int | None = None) -> int | None:
    """``value`` as an ``int`` (``None`` stays ``None``); :class:`SpecError` unless an integer in ``least..most``."""
    if value is None:
        return None
    span = f">= {least}" if most is None else f"in {least}..{most}"
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)  # int, or a numpy integer
    except TypeError:
        raise SpecError(f"{name} must be an integer {span}, got {value!r}") from None
    if number < least or (most is not None and number > most):
        raise SpecError(f"{name} must be an integer {span}, got {value!r}")
    return number


class EngineOptions:
    """Mixin of the options dataclasses (see the module docstring)."""

    #: The name of the options in messages (``"threshold"``).
    KIND: ClassVar[str] = "engine"

    @classmethod
    def question_fields(cls) -> tuple[Field[Any], ...]:
        """The fields that define the question, in declaration order."""
        return tuple(f for f in dataclasses.fields(cls) if f.metadata.get("question", True))  # type: ignore[arg-type]

    @classmethod
    def column_types(cls) -> dict[str, type]:
        """Name -> value type (``int``, ``bool`` or ``str``) of each question field: a table column may set them."""
        return {f.name: f.metadata["kind"] for f in cls.question_fields()}

    def to_dict(self) -> dict[str, Any]:
        """The question fields and their values (what results and certificates record)."""
        return {f.name: getattr(self, f.name) for f in self.question_fields()}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Inverse of :meth:`to_dict`; a non-object or a missing field is a :class:`SpecError`."""
        if not isinstance(data, dict):
            raise SpecError(f"{cls.KIND} options must be an object, got {type(data).__name__}")
        missing = [f.name for f in cls.question_fields() if f.name not in data]
        if missing:
            raise SpecError(f"{cls.KIND} options lack {missing[0]!r}")
        return cls(**{f.name: data[f.name] for f in cls.question_fields()})

"""Small form parsers: each returns cleaned values and collects one message per wrong field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from collections.abc import Iterable, Mapping

from portal import i18n, rut

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class FormErrors:
    """Messages per field name; falsy when the form is valid."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)


class Form:
    """Reads raw values from a submitted form and records errors beside each field.

    `values` keeps what the user typed (to re-render the form), `cleaned` what was parsed.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.values: dict[str, Any] = {}
        self.cleaned: dict[str, Any] = {}
        self.errors = FormErrors()

    def _raw(self, name: str) -> str:
        value = self.data.get(name)
        text = value if isinstance(value, str) else ""
        text = _CONTROL.sub("", text).strip()
        self.values[name] = text
        return text

    def text(self, name: str, *, required: bool = True, max_length: int = 200, min_length: int = 0) -> str:
        value = self._raw(name)
        if not value:
            if required:
                self.errors.add(name, i18n.gettext("Este campo es obligatorio."))
        elif len(value) > max_length:
            self.errors.add(name, i18n.gettext("Use como máximo %(n)s caracteres.", n=max_length))
        elif len(value) < min_length:
            self.errors.add(name, i18n.gettext("Use al menos %(n)s caracteres.", n=min_length))
        self.cleaned[name] = value
        return value

    def email(self, name: str, *, required: bool = True) -> str:
        value = self.text(name, required=required, max_length=254)
        if value and not _EMAIL.match(value):
            self.errors.add(name, i18n.gettext("Escriba un correo válido, como nombre@dominio.cl."))
        self.cleaned[name] = value.lower()
        return value.lower()

    def rut(self, name: str, *, required: bool = True) -> str | None:
        value = self.text(name, required=required, max_length=20)
        normalized = rut.normalize(value) if value else None
        if value and normalized is None:
            self.errors.add(name, i18n.gettext("El RUT no es válido: revise el número y el dígito verificador."))
        self.cleaned[name] = normalized
        return normalized

    def choice(self, name: str, choices: Iterable[str], *, required: bool = True) -> str | None:
        value = self._raw(name)
        allowed = set(choices)
        if not value:
            if required:
                self.errors.add(name, i18n.gettext("Elija una opción."))
            value_out = None
        elif value not in allowed:
            self.errors.add(name, i18n.gettext("Elija una de las opciones de la lista."))
            value_out = None
        else:
            value_out = value
        self.cleaned[name] = value_out
        return value_out

    def multi_choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> list[str]:
        raw = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name) or []
        picked = [v for v in raw if isinstance(v, str)]
        self.values[name] = picked
        allowed = set(choices)
        if any(v not in allowed for v in picked):
            self.errors.add(name, i18n.gettext("Elija solo opciones de la lista."))
        elif required and not picked:
            self.errors.add(name, i18n.gettext("Elija al menos una opción."))
        cleaned = [v for v in picked if v in allowed]
        self.cleaned[name] = cleaned
        return cleaned

    def integer(self, name: str, *, required: bool = True, min_value: int | None = None,
                max_value: int | None = None) -> int | None:
        value = self._raw(name)
        result: int | None = None
        if not value:
            if required:
                self.errors.add(name, i18n.gettext("Este campo es obligatorio."))
        else:
            try:
                result = int(value)
            except ValueError:
                self.errors.add(name, i18n.gettext("Escriba un número entero."))
            else:
                if (min_value is not None and result < min_value) or (max_value is not None and result > max_value):
                    self.errors.add(name, i18n.gettext("Escriba un número entre %(lo)s y %(hi)s.",
                                                       lo=min_value if min_value is not None else "…",
                                                       hi=max_value if max_value is not None else "…"))
                    result = None
        self.cleaned[name] = result
        return result

    def date(self, name: str, *, required: bool = True, not_after: date | None = None,
             not_before: date | None = None) -> date | None:
        value = self._raw(name)
        result: date | None = None
        if not value:
            if required:
                self.errors.add(name, i18n.gettext("Este campo es obligatorio."))
        else:
            try:
                result = date.fromisoformat(value)
            except ValueError:
                self.errors.add(name, i18n.gettext("Escriba una fecha válida (AAAA-MM-DD)."))
            else:
                if not_after and result > not_after:
                    self.errors.add(name, i18n.gettext("La fecha no puede ser posterior a %(d)s.", d=i18n.fmt_date(not_after)))
                    result = None
                elif not_before and result < not_before:
                    self.errors.add(name, i18n.gettext("La fecha no puede ser anterior a %(d)s.", d=i18n.fmt_date(not_before)))
                    result = None
        self.cleaned[name] = result
        return result

    def boolean(self, name: str) -> bool:
        value = self._raw(name)
        self.cleaned[name] = value in ("1", "on", "true", "yes", "si", "sí")
        return self.cleaned[name]

    def password(self, name: str, *, min_length: int = 10) -> str:
        value = self.data.get(name)
        value = value if isinstance(value, str) else ""
        self.values[name] = ""  # never echoed back
        if not value:
            self.errors.add(name, i18n.gettext("Este campo es obligatorio."))
        elif len(value) < min_length:
            self.errors.add(name, i18n.gettext("Use al menos %(n)s caracteres.", n=min_length))
        elif len(value) > 512:
            self.errors.add(name, i18n.gettext("Use como máximo %(n)s caracteres.", n=512))
        self.cleaned[name] = value
        return value

"""Unified social credit code (统一社会信用代码, GB 32100-2015).

An 18-character code:

* position 1: registration authority code (登记管理部门码),
* position 2: organisation category code (机构类别码),
* positions 3-8: administrative division code of the registering authority
  (GB/T 2260, six digits),
* positions 9-17: subject identifier (the GB 11714 organisation code),
* position 18: check character.

Characters come from a 31-symbol set (digits and upper-case letters without
I, O, S, V, Z); each character's value is its index in that set. The check
character is ``CHARSET[(31 - sum(value_i * weight_i) % 31) % 31]`` with
``weight_i = 3 ** (i - 1) mod 31`` for positions 1..17.

This module is deliberately self-contained: python-stdnum's ``cn.uscc``
requires positions 1-8 to be digits and so rejects valid codes starting with
letters such as ``Y`` or ``N``.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "CHARSET",
    "LENGTH",
    "WEIGHTS",
    "CreditCodeError",
    "check_character",
    "is_valid_credit_code",
    "make_credit_code",
    "normalize",
    "validate_credit_code",
]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i - 1, 31) for i in range(1, 18))
LENGTH = 18

_VALUES = {ch: i for i, ch in enumerate(CHARSET)}
_FORBIDDEN = "I, O, S, V, Z"
# Positions (1-based) holding the administrative division code.
_DIVISION_POSITIONS = range(3, 9)


def N_(message: str) -> str:
    """Mark a message template for extraction (pybabel); the app translates it where it is shown."""
    return message


class CreditCodeError(ValueError):
    """Raised when a unified social credit code is invalid.

    ``str(error)`` (and ``error.message``) is a human-readable English
    sentence saying exactly what is wrong; ``template`` and ``params`` are
    the same sentence as a %(name)s template and its values, so that the app
    can show it in the reader's language (enterprises/services.py).
    """

    def __init__(self, template: str, **params):
        message = template % params if params else template
        super().__init__(message)
        self.message = message
        self.template = template
        self.params = params


def normalize(code: str) -> str:
    """Trim and remove all whitespace, fold full-width to half-width (NFKC),
    and upper-case."""
    if code is None:
        return ""
    text = unicodedata.normalize("NFKC", str(code))
    return "".join(text.split()).upper()


def _check_chars(chars: str, offset: int = 0) -> None:
    for index, ch in enumerate(chars, start=1 + offset):
        if ch not in _VALUES:
            if ch in "IOSVZ":
                raise CreditCodeError(
                    N_("character %(char)r at position %(position)s is not allowed (%(forbidden)s are never used)"),
                    char=ch,
                    position=index,
                    forbidden=_FORBIDDEN,
                )
            raise CreditCodeError(
                N_(
                    "character %(char)r at position %(position)s is not allowed "
                    "(only digits and the letters %(letters)s are used)"
                ),
                char=ch,
                position=index,
                letters=CHARSET[10:],
            )


def check_character(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters.

    ``first17`` is normalized first; raises CreditCodeError if it is not
    17 characters from CHARSET.
    """
    chars = normalize(first17)
    if len(chars) != LENGTH - 1:
        raise CreditCodeError(
            N_("the first part must be %(length)s characters, got %(got)s"), length=LENGTH - 1, got=len(chars)
        )
    _check_chars(chars)
    total = sum(_VALUES[ch] * w for ch, w in zip(chars, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalized code, or raise CreditCodeError saying what is wrong.

    Checks, in order: not empty, 18 characters, every character in CHARSET,
    positions 3-8 are digits, the check character. Positions in messages are
    1-based and refer to the normalized code (whitespace removed).
    """
    normalized = normalize(code)
    if not normalized:
        raise CreditCodeError(
            N_("the unified social credit code is empty; it must be %(length)s characters"), length=LENGTH
        )
    if len(normalized) != LENGTH:
        raise CreditCodeError(
            N_("the unified social credit code must be %(length)s characters, got %(got)s"),
            length=LENGTH,
            got=len(normalized),
        )
    _check_chars(normalized)
    for position in _DIVISION_POSITIONS:
        ch = normalized[position - 1]
        if not ch.isdigit():
            raise CreditCodeError(
                N_(
                    "character %(char)r at position %(position)s must be a digit "
                    "(positions 3-8 are the administrative division code)"
                ),
                char=ch,
                position=position,
            )
    expected = check_character(normalized[:17])
    actual = normalized[17]
    if actual != expected:
        raise CreditCodeError(N_("check character should be %(expected)r, got %(got)r"), expected=expected, got=actual)
    return normalized


def is_valid_credit_code(code: str) -> bool:
    """True if ``code`` is a valid unified social credit code (after normalizing)."""
    try:
        validate_credit_code(code)
    except CreditCodeError:
        return False
    return True


def make_credit_code(first17: str) -> str:
    """Append the check character to 17 characters, giving a valid code.

    Raises CreditCodeError if ``first17`` is malformed (wrong length, a
    character outside CHARSET, or a non-digit at positions 3-8).
    """
    chars = normalize(first17)
    code = chars + check_character(chars)
    return validate_credit_code(code)


def random_credit_code(rng, county_code: str, seen: set[str] | None = None) -> str:
    """A valid code of an enterprise (类别 91) registered in a county, for generated worlds and tests;
    with `seen`, one not handed out before (and remembered)."""
    while True:
        code = make_credit_code("91" + county_code + "".join(rng.choice(CHARSET) for _ in range(9)))
        if seen is None or code not in seen:
            if seen is not None:
                seen.add(code)
            return code

"""The rules a new password must pass (PRODUCT.md §13): length, not common, not the email's name.

"Common" is judged by zxcvbn (Dropbox's estimator, maintained on PyPI): it ships the 30,000 most used
passwords and English words, names and keyboard patterns, and estimates how many guesses a password
takes with those lists, l33t substitutions, repeats, sequences and dates. A password it puts within a
million guesses (its scores 0 and 1: "password123", "1qaz2wsx3edc", "aaaaaaaaaa") is refused.

The rules apply to new passwords only: stored hashes (the demo's `demo-2024`) are never re-judged.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from helpdesk.errors import ValidationFailed

MIN_PASSWORD = 10
MAX_PASSWORD = 200
# zxcvbn scores 0..4; 2 and up means more than a million guesses (10^6).
MIN_SCORE = 2
# zxcvbn's running time grows with length; what lies beyond this adds strength anyway.
JUDGED_LENGTH = 64
# A shorter local part ("li@…") would refuse half the dictionary.
MIN_LOCAL_PART = 3


def check_new_password(password: str | None, email: str | None = None, field: str = "password") -> None:
    """Refuse, naming the rule, a password that is too short, too long, common, or contains the email's name."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("Password must be at least %(n)s characters.", field=field, n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed("Password must be at most %(n)s characters.", field=field, n=MAX_PASSWORD)
    local = (email or "").partition("@")[0].lower()
    if len(local) >= MIN_LOCAL_PART and local in password.lower():
        raise ValidationFailed(
            "Password must not contain the name of your email address (%(name)s).", field=field, name=local
        )
    if zxcvbn(password[:JUDGED_LENGTH])["score"] < MIN_SCORE:
        raise ValidationFailed(
            "This password is too common or too easy to guess (a common password, a word with digits, a "
            "keyboard pattern or a repeat). Choose a longer or less predictable one.",
            field=field,
        )

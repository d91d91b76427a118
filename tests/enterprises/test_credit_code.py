"""Tests for the GB 32100-2015 unified social credit code validator."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.enterprises.credit_code import (
    CHARSET,
    WEIGHTS,
    CreditCodeError,
    check_character,
    is_valid_credit_code,
    make_credit_code,
    normalize,
    validate_credit_code,
)

# Real, publicly registered codes (each checked against the algorithm).
REAL_CODES = [
    ("91110108551385082Q", "小米科技有限责任公司 (Xiaomi)"),
    ("914403001922038216", "华为技术有限公司 (Huawei)"),
    ("9144030071526726XG", "腾讯科技（深圳）有限公司 (Tencent)"),
    ("91330100716105852F", "阿里巴巴（中国）网络技术有限公司 (Alibaba China)"),
    ("91440300192317458F", "比亚迪股份有限公司 (BYD)"),
    ("91110000710925462X", "中国石油天然气股份有限公司 (PetroChina)"),
    ("91520000214434146R", "中航重机股份有限公司 (AVIC Heavy Machinery)"),
    ("91340111MA2RAD3M4R", "蔚来控股有限公司 (NIO, letters in the subject id)"),
    ("12100000425006133D", "华东师范大学 (a public institution, category 12)"),
]


# ---------------------------------------------------------------- constants


def test_charset_has_31_characters_without_forbidden_letters():
    assert len(CHARSET) == 31
    assert len(set(CHARSET)) == 31
    for letter in "IOSVZ":
        assert letter not in CHARSET


def test_weights_are_powers_of_three_mod_31():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(WEIGHTS) == 17


# ---------------------------------------------------------------- real codes


@pytest.mark.parametrize("code,name", REAL_CODES)
def test_real_codes_validate(code, name):
    assert validate_credit_code(code) == code
    assert is_valid_credit_code(code)
    assert check_character(code[:17]) == code[17]
    assert make_credit_code(code[:17]) == code


def test_xiaomi_check_character_is_q():
    assert check_character("91110108551385082") == "Q"


def test_code_starting_with_letter_is_accepted():
    # python-stdnum would reject this (positions 1-8 not all digits).
    code = make_credit_code("Y1411600MA0000000")
    assert code == "Y1411600MA0000000B"
    assert is_valid_credit_code(code)


def test_check_character_can_be_zero():
    # Find a body whose weighted sum is a multiple of 31 -> check '0'.
    body = "9141160000000000"
    for ch in CHARSET:
        if check_character(body + ch) == "0":
            assert is_valid_credit_code(body + ch + "0")
            break
    else:  # pragma: no cover - one of 31 choices always works
        pytest.fail("no body with check character 0 found")


# ---------------------------------------------------------------- normalization


def test_normalize_strips_folds_and_uppercases():
    assert normalize("  91110108551385082q \n") == "91110108551385082Q"
    assert normalize("９１１１０１０８５５１３８５０８２Ｑ") == "91110108551385082Q"
    assert normalize("9111 0108 5513 8508 2Q") == "91110108551385082Q"
    assert normalize("") == ""


def test_lower_case_accepted():
    assert validate_credit_code("9144030071526726xg") == "9144030071526726XG"
    assert is_valid_credit_code("91110108551385082q")


def test_full_width_accepted():
    full = "９１１１０１０８５５１３８５０８２Ｑ"
    assert validate_credit_code(full) == "91110108551385082Q"
    # full-width lower case and an ideographic space too
    assert validate_credit_code("\u3000９１１１０１０８５５１３８５０８２ｑ\u3000") == "91110108551385082Q"


def test_surrounding_whitespace_accepted():
    assert validate_credit_code("\t 91110108551385082Q \n") == "91110108551385082Q"


# ---------------------------------------------------------------- length errors


def test_too_short():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("91110108551385082")
    assert "must be 18 characters, got 17" in str(excinfo.value)


def test_too_long():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("91110108551385082QQ")
    assert "must be 18 characters, got 19" in str(excinfo.value)


@pytest.mark.parametrize("empty", ["", "   ", "\u3000", None])
def test_empty(empty):
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(empty)
    assert "empty" in str(excinfo.value)
    assert "18 characters" in str(excinfo.value)
    assert not is_valid_credit_code(empty)


def test_error_is_a_value_error_with_message():
    with pytest.raises(ValueError) as excinfo:
        validate_credit_code("123")
    assert isinstance(excinfo.value, CreditCodeError)
    assert excinfo.value.message == str(excinfo.value)


# ---------------------------------------------------------------- character errors


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter):
    # Put the forbidden letter in the subject identifier (position 12).
    code = "91110108551" + letter + "85082Q"
    assert len(code) == 18
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(code)
    assert str(excinfo.value) == (f"character '{letter}' at position 12 is not allowed (I, O, S, V, Z are never used)")


def test_forbidden_letter_position_in_message():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("9111I108551385082Q")
    assert str(excinfo.value) == ("character 'I' at position 5 is not allowed (I, O, S, V, Z are never used)")


def test_forbidden_lower_case_letter_reported_upper_case():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("91110108551385o82Q")
    assert "character 'O' at position 15 is not allowed" in str(excinfo.value)


@pytest.mark.parametrize("bad", ["-", "*", "中", "#"])
def test_other_disallowed_characters(bad):
    code = "9111010855138508" + bad + "Q"
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(code)
    message = str(excinfo.value)
    assert f"character {bad!r} at position 17 is not allowed" in message


@pytest.mark.parametrize("position", range(3, 9))
def test_non_digit_in_division_code(position):
    chars = list("91110108551385082Q")
    chars[position - 1] = "A"
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("".join(chars))
    message = str(excinfo.value)
    assert f"character 'A' at position {position} must be a digit" in message
    assert "administrative division code" in message


def test_letters_allowed_in_positions_1_2_and_9_17():
    assert is_valid_credit_code(make_credit_code("N2411600MA1234567"))


# ---------------------------------------------------------------- check character


def test_wrong_check_character():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code("91110108551385082X")
    assert str(excinfo.value) == "check character should be 'Q', got 'X'"


def test_wrong_check_character_after_normalization():
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(" 9144030071526726xa ")
    assert str(excinfo.value) == "check character should be 'G', got 'A'"


def test_transposed_digits_detected():
    assert not is_valid_credit_code("91110108553185082Q")


# ---------------------------------------------------------------- make_credit_code


def test_make_credit_code_normalizes_input():
    assert make_credit_code(" 9144030071526726x ") == "9144030071526726XG"


@pytest.mark.parametrize(
    "body,fragment",
    [
        ("9111010855138508", "got 16"),
        ("911101085513850822", "got 18"),
        ("91110108551385O82", "character 'O' at position 15 is not allowed"),
        ("911A0108551385082", "position 4 must be a digit"),
    ],
)
def test_make_credit_code_rejects_bad_bodies(body, fragment):
    with pytest.raises(CreditCodeError) as excinfo:
        make_credit_code(body)
    assert fragment in str(excinfo.value)


# ---------------------------------------------------------------- properties

_any_char = st.sampled_from(CHARSET)
_digit = st.sampled_from("0123456789")
_body = st.tuples(
    st.tuples(_any_char, _any_char),
    st.tuples(*[_digit] * 6),
    st.tuples(*[_any_char] * 9),
).map(lambda parts: "".join("".join(p) for p in parts))


@settings(max_examples=300)
@given(_body)
def test_make_credit_code_always_validates(body):
    code = make_credit_code(body)
    assert len(code) == 18
    assert code[:17] == body
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@settings(max_examples=300)
@given(
    _body,
    st.integers(min_value=0, max_value=17),
    st.integers(min_value=1, max_value=30),
)
def test_any_single_character_change_is_detected(body, position, shift):
    code = make_credit_code(body)
    original = code[position]
    replacement = CHARSET[(CHARSET.index(original) + shift) % 31]
    assert replacement != original
    mutated = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_credit_code(mutated)
    with pytest.raises(CreditCodeError):
        validate_credit_code(mutated)

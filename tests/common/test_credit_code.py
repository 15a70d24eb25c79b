"""Unified social credit code (统一社会信用代码) validation per GB 32100-2015."""

from __future__ import annotations

import pytest

from pilot_common.credit_code import (
    CHARSET,
    WEIGHTS,
    CreditCodeError,
    credit_code_check_char,
    is_valid_credit_code,
    validate_credit_code,
)

# A real code: 福建省 registration (division 350100 福州市), check character 3.
KNOWN_VALID = "91350100M000100Y43"


def test_alphabet_and_weights_are_those_of_the_standard() -> None:
    assert CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(CHARSET) == 31
    for letter in "IOZSV":
        assert letter not in CHARSET
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_a_known_real_code_is_valid() -> None:
    check = validate_credit_code(KNOWN_VALID)
    assert check.ok
    assert check.error is None
    assert check.code == KNOWN_VALID
    assert check.division_code == "350100"
    assert check.registration_authority == "9"
    assert check.organisation_type == "1"
    assert is_valid_credit_code(KNOWN_VALID)


def test_check_char_of_the_known_code() -> None:
    assert credit_code_check_char(KNOWN_VALID[:17]) == "3"


def test_generated_codes_validate() -> None:
    # Demo data is built this way: 17 characters + computed check character.
    for body in ("91110000MA01ABCD1", "12100000400000123", "5232010050000000X", "Y1650100MA7XYW000"):
        code = body + credit_code_check_char(body)
        assert is_valid_credit_code(code), code


def test_surrounding_whitespace_lower_case_and_full_width_are_normalised() -> None:
    for variant in (f"  {KNOWN_VALID}\n", KNOWN_VALID.lower(), "９１３５０１００Ｍ０００１００Ｙ４３"):
        check = validate_credit_code(variant)
        assert check.ok, variant
        assert check.code == KNOWN_VALID


def test_bad_checksum_is_reported_with_the_expected_character() -> None:
    check = validate_credit_code(KNOWN_VALID[:17] + "4")
    assert not check.ok
    assert check.error is CreditCodeError.CHECKSUM
    assert check.expected_check_char == "3"
    assert check.message_zh is not None and "校验码" in check.message_zh
    assert check.message_en is not None and "Check character" in check.message_en
    assert check.division_code is None


def test_every_single_character_substitution_is_detected() -> None:
    for position in range(18):
        for char in CHARSET:
            if char == KNOWN_VALID[position]:
                continue
            mutated = KNOWN_VALID[:position] + char + KNOWN_VALID[position + 1 :]
            assert not is_valid_credit_code(mutated), mutated


def test_swapping_two_adjacent_characters_is_detected() -> None:
    code = KNOWN_VALID
    for i in range(17):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        assert not is_valid_credit_code(swapped), swapped


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_alphabet_are_refused(letter: str) -> None:
    code = KNOWN_VALID[:9] + letter + KNOWN_VALID[10:]
    check = validate_credit_code(code)
    assert check.error is CreditCodeError.CHARSET
    assert check.message_zh is not None and letter in check.message_zh
    assert check.message_en is not None and letter in check.message_en


@pytest.mark.parametrize("char", ["-", " ", ".", "*", "中", "#"])
def test_punctuation_and_other_characters_are_refused(char: str) -> None:
    code = KNOWN_VALID[:9] + char + KNOWN_VALID[10:]
    check = validate_credit_code(code)
    assert not check.ok
    assert check.error is CreditCodeError.CHARSET


@pytest.mark.parametrize("code", ["", KNOWN_VALID[:17], KNOWN_VALID + "0", "913501"])
def test_wrong_length(code: str) -> None:
    check = validate_credit_code(code)
    assert check.error is CreditCodeError.LENGTH
    assert check.message_zh is not None and "18" in check.message_zh
    assert check.message_en is not None and "18" in check.message_en


def test_division_positions_must_be_digits_even_when_the_checksum_fits() -> None:
    body = "91A50100M000100Y4"  # letter in position 3
    code = body + credit_code_check_char(body)
    check = validate_credit_code(code)
    assert check.error is CreditCodeError.DIVISION
    assert check.message_zh is not None and "行政区划" in check.message_zh
    assert check.message_en is not None and "division" in check.message_en


def test_error_codes_are_stable_strings() -> None:
    assert [e.value for e in CreditCodeError] == ["LENGTH", "CHARSET", "DIVISION", "CHECKSUM"]


@pytest.mark.parametrize("bad", ["91350100M000100Y", "91350100M000100Y4X", "91350100M00010OY4"])
def test_check_char_needs_17_characters_of_the_alphabet(bad: str) -> None:
    with pytest.raises(ValueError):
        credit_code_check_char(bad)

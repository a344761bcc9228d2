import string

from hypothesis import given
from hypothesis import strategies as st

from connector.notices.channels.gsm7 import GSM7_BASIC, is_single_segment, to_sms_text

VIETNAMESE_LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữự"
                      "vxyỳýỷỹỵ")
VIETNAMESE = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + string.digits + " .,:;!?-()/%\n\t"


def test_a_sign_in_message_loses_its_marks_and_fits_one_sms():
    text = to_sms_text("Mã đăng nhập của bạn là 482913. Đừng đưa mã này cho ai!")
    assert text == "Ma dang nhap cua ban la 482913. Dung dua ma nay cho ai!"
    assert is_single_segment(text)


def test_quotes_dashes_money_signs_and_emoji_become_plain_or_go():
    text = to_sms_text("Đơn “DH7K3M9Q” – 150.000₫ … [OCOP] {4 sao} 😀\n\n  Cảm ơn")
    assert text == 'Don "DH7K3M9Q" - 150.000d ... (OCOP) (4 sao) Cam on'
    assert set(text) <= GSM7_BASIC


def test_one_segment_is_160_septets_and_extension_characters_count_two():
    assert is_single_segment("a" * 160)
    assert not is_single_segment("a" * 161)
    assert is_single_segment("[" * 80)  # 80 extension characters: 160 septets
    assert not is_single_segment("[" * 80 + "a")
    assert not is_single_segment("Mã")  # a marked letter is not GSM-7 at all
    assert not is_single_segment("€uro 😀")


@given(st.text(alphabet=VIETNAMESE))
def test_any_vietnamese_text_comes_out_in_the_basic_gsm7_charset(vietnamese):
    text = to_sms_text(vietnamese)
    assert set(text) <= GSM7_BASIC
    assert "  " not in text and "\n" not in text and text == text.strip()


@given(st.text())
def test_any_text_at_all_comes_out_in_the_basic_gsm7_charset(anything):
    assert set(to_sms_text(anything)) <= GSM7_BASIC


@given(st.text(alphabet=string.ascii_letters + string.digits + " ", min_size=1))
def test_plain_letters_and_digits_are_kept_as_they_are(plain):
    assert to_sms_text(plain) == " ".join(plain.split())

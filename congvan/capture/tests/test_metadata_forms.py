"""Forms the metadata reader meets in documents it has not seen: numeric dates, digits OCR read as
letters, urgency in a box."""

from __future__ import annotations

import pytest

from congvan.capture.metadata import extract

HEAD = "HUYỆN ỦY GÒ CÔNG TÂY          ĐẢNG CỘNG SẢN VIỆT NAM\n"


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Gò Công Tây, ngày 5 tháng 3 năm 2026", "2026-03-05"),
        ("Gò Công Tây, ngày 05/3/2026", "2026-03-05"),
        ("Gò Công Tây, 05-03-2026", "2026-03-05"),
        ("Gò Công Tây, ngày 05.03.2026", "2026-03-05"),
        ("Gò Công Tây, ngày 05 thúng 3 nằm 2026", "2026-03-05"),  # italics as OCR reads them
    ],
)
def test_dates_in_their_written_forms(line, date):
    found = extract(f"{HEAD}Số 12-KH/HU          {line}\nKẾ HOẠCH\nvề công tác")
    assert found.date == date and found.place == "Gò Công Tây"


@pytest.mark.parametrize(
    ("typed", "number", "symbol"),
    [("Số: l2-KH/HU", 12, "12-KH/HU"), ("Số: O5-KH/HU", 5, "05-KH/HU"), ("Số 1O7-KH/HU", 107, "107-KH/HU")],
)
def test_numbers_read_through_ocr_confusions(typed, number, symbol):
    found = extract(f"{HEAD}{typed}          Gò Công Tây, ngày 5 tháng 3 năm 2026\nKẾ HOẠCH\nvề công tác")
    assert (found.number, found.symbol) == (number, symbol)


@pytest.mark.parametrize(
    ("mark", "urgency"), [("[KHẨN]", "urgent"), ("| HỎA TỐC |", "flash"), ("MẬT - KHẨN", "urgent")]
)
def test_urgency_in_a_box(mark, urgency):
    assert extract(f"{HEAD}{mark}\nSố 12-KH/HU\nKẾ HOẠCH").urgency == urgency


@pytest.mark.parametrize("about", ["V/v", "Vw", "V/V", "Vív", "V/w", "V/"])
def test_a_letters_subject_whatever_ocr_made_of_vv(about):
    found = extract(
        "ĐẢNG ỦY XÃ BÌNH TÂN          Bình Tân, ngày 21 tháng 8 năm 2025\n"
        f"Số 190-CV/ĐU\n{about} công tác bảo vệ bí mật\nnhà nước\n      Kính gửi: Các đơn vị"
    )
    assert (found.type, found.subject) == ("CV", "V/v công tác bảo vệ bí mật nhà nước")


def test_a_motto_cut_by_a_skewed_scan_is_not_the_issuer():
    found = extract(
        " ỦY BAN NHÂN DÂN\n                     CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT\n"
        " TỈNH TIỀN GIANG                                  NAM\n"
        "                Độc lập - Tự do - Hạnh phúc\n Số: 78/QĐ-UBND\n"
    )
    assert found.issuer == "ỦY BAN NHÂN DÂN TỈNH TIỀN GIANG"


FOOT = """
Nơi nhận:                                              {competence}
- Các sở, ban, ngành tỉnh,                               BÍ THƯ
= Thường trực Tỉnh ủy,                              ⁄        % À
                 lệ   tà                                (
- {archive}.                                              )]

                                                      Châu   Quốc Việt
"""


@pytest.mark.parametrize(
    ("competence", "archive"),
    [("T/M ĐẢNG ỦY", "Lưu VT"), ("TIM ĐẢNG ỦY", "Lưu VI"), ("T|M ĐẢNG ỦY", "Lưu: VL")],
)
def test_the_foot_of_a_scan_read_by_its_columns(competence, archive):
    """Recipients on the left, the signer on the right; a seal's strokes between them; OCR's slips in the
    dashes, the competence's slash and the archive's "VT"; the name split by a wide gap."""
    found = extract(
        HEAD + "Số 12-KH/HU\nKẾ HOẠCH\nvề công tác\n" + FOOT.format(competence=competence, archive=archive)
    )
    assert found.recipients == [
        "Các sở, ban, ngành tỉnh",
        "Thường trực Tỉnh ủy",
        archive.replace("VI", "VT").replace("VL", "VT"),
    ]
    assert (found.signer_competence, found.signer_position) == ("T/M ĐẢNG ỦY", "BÍ THƯ")
    assert found.signer_name == "Châu Quốc Việt"


LIST = """
Nơi nhận:                                              KT. CHỦ TỊCH
- Ban Tuyên giáo và Dân vận,                           PHÓ CHỦ TỊCH
{second}                                                 TNNN
{archive}                                                   )]
- Thường trực Tỉnh ủy.                                   ⁄   %

                                                      Nguyễn Thị Thu Hà
"""


@pytest.mark.parametrize(
    ("second", "archive", "printed"),
    [
        ("Các sở, ban, ngành tỉnh,", "“LƯU V1;", "Lưu VT"),  # the dash lost; a quote mark, capitals
        ("    Các sở, ban, ngành tỉnh,", "- Lưu VỊ.", "Lưu VT"),  # an indent; a combining dot
        ("- Các sở, ban, ngành tỉnh,", "- LưuT", "Lưu VT"),  # the V lost
        ("- Các sở, ban, ngành tỉnh,", "- Lưu: VT, VP:", "Lưu: VT, VP"),
        ("- Các sở, ban, ngành tỉnh,", "_   Lưu VT.", "Lưu VT"),  # the dash read as "_", a gap
        (": Các sở, ban, ngành tỉnh,", "- Lưu VT.", "Lưu VT"),  # the dash read as ":"
        ("- Các sở, ban, ngành tỉnh,", "c Luử WT:", "Lưu VT"),  # the dash as "c", ư as ử, V as W
    ],
)
def test_a_scans_recipients_through_ocr_slips(second, archive, printed):
    """A recipient whose dash OCR lost, the archive line as OCR reads it (and put before the list's
    last line by a seal beside it: it is the last one), the seal's strokes under the position."""
    found = extract(
        HEAD + "Số 12-KH/HU\nKẾ HOẠCH\nvề công tác\n" + LIST.format(second=second, archive=archive)
    )
    assert found.recipients == [
        "Ban Tuyên giáo và Dân vận",
        "Các sở, ban, ngành tỉnh",
        "Thường trực Tỉnh ủy",
        printed,
    ]
    assert (found.signer_competence, found.signer_position) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")


@pytest.mark.parametrize("line", ["Căn cứ Luật Tổ chức,", "Lưu trữ hồ sơ theo quy định."])
def test_prose_after_the_list_is_not_a_recipient(line):
    """Nor a seal's strokes after a colon (": XSEEHUIN SP")."""
    foot = (
        "Nơi nhận:                                   BÍ THƯ\n- Các sở, ban, ngành,\n"
        ":    XSEEHUIN  SP\n- Lưu VT.\n" + line + "\n\n" + " " * 44 + "Châu Quốc Việt\n"
    )
    found = extract(HEAD + "Số 12-KH/HU\nKẾ HOẠCH\nvề công tác\n" + foot)
    assert found.recipients == ["Các sở, ban, ngành", "Lưu VT"]


@pytest.mark.parametrize(
    ("issuer", "typed", "symbol"),
    [
        ("ĐẢNG ỦY XÃ BÌNH TÂN", "Số 477-NQ/Đ", "477-NQ/ĐU"),
        ("ỦY BAN NHÂN DÂN", "Số: 883/CT-UBN", "883/CT-UBND"),
        ("HỘI ĐỒNG NHÂN DÂN", "Số: 666/TIr-HĐND", "666/TTr-HĐND"),
        ("ỦY BAN NHÂN DÂN", "Số: 12/QĐ-UB", "12/QĐ-UB"),  # an old form, two letters short: kept
        ("ỦY BAN NHÂN DÂN", "Số: 12/UBND-VP", "12/UBND-VP"),  # a sub-unit after the issuer: kept
    ],
)
def test_a_symbol_through_ocr_slips(issuer, typed, symbol):
    found = extract(f"{issuer}          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n{typed}\nV/v công tác")
    assert found.symbol == symbol


def test_a_motto_run_into_the_issuers_line_is_cut_off():
    found = extract(
        "            BỘ NỘI VỤ        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC Độc lập - Tự do - Hạnh phúc\n"
        "         Số: 324/VTLTNN-NVĐP                 Hà Nội, ngày 31 tháng 3 năm 2026\n"
    )
    assert found.issuer == "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"

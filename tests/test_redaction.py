"""Redaction of personal data: full recall on a generated corpus, and ordinary numbers left alone."""
from __future__ import annotations

import pytest

from cases.redaction import KINDS, Known, find_personal, redact
from cases.redaction_numbers import is_checked_id
from tests.redaction_corpus import corpus, covered


def test_every_planted_item_is_found_on_a_small_corpus() -> None:
    missed = []
    found = dict.fromkeys(KINDS, 0)
    for sample in corpus(90, seed=11):
        spans = find_personal(sample.text, sample.known)
        for item in sample.planted:
            if covered(item, spans):
                found[item.kind] += 1
            else:
                missed.append((sample.language, item.kind, item.text))
    assert missed == []
    assert all(found[kind] > 0 for kind in ("name", "phone", "email", "id", "address"))


def test_the_corpus_names_other_people_in_every_language() -> None:
    others = {}
    for sample in corpus(90, seed=11):
        for item in sample.planted:
            if item.who == "other":
                others[sample.language] = others.get(sample.language, 0) + 1
    assert set(others) == {"zh", "en", "es"} and min(others.values()) >= 20


def test_ordinary_numbers_survive_in_the_corpus() -> None:
    for sample in corpus(90, seed=11):
        text = redact(sample.text, sample.known).text
        for trap in sample.traps:
            assert trap in text, (trap, text)


@pytest.mark.parametrize("text", [
    "The bus on line 5 was late in 2026.",
    "Case 2026-000123 was received on 2026-03-15 at 10:30.",
    "La factura subió 1.500 euros; en total 1.000.000 euros desde 2025 2026.",
    "第5路公交车2026年以来晚点3次，每次20分钟。",
    "Room 101 of the library is closed on 12/05/2026.",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(("text", "kind", "item"), [
    ("请回电13812345678谢谢", "phone", "13812345678"),
    ("电话 138 1234 5678。", "phone", "138 1234 5678"),
    ("座机(0755) 2345 6789", "phone", "(0755) 2345 6789"),
    ("call +44 20 7946 0958 now", "phone", "+44 20 7946 0958"),
    ("móvil 612 345 678.", "phone", "612 345 678"),
    ("write to ana.ruiz@example.org.", "email", "ana.ruiz@example.org"),
    ("身份证号110101199003071234。", "id", "110101199003071234"),
    ("DNI 12345678Z y", "id", "12345678Z"),
    ("NIE X1234567L.", "id", "X1234567L"),
    ("住在幸福小区3号楼2单元301室。", "address", "幸福小区3号楼2单元301室"),
    ("I live at 221B Baker Street, Apt 4.", "address", "221B Baker Street, Apt 4"),
    ("vivo en Calle Mayor 5, 3º B.", "address", "Calle Mayor 5, 3º B"),
])
def test_patterns_find_each_kind(text: str, kind: str, item: str) -> None:
    spans = find_personal(text)
    assert any(s.kind == kind and item in s.text for s in spans), spans
    assert item not in redact(text).text


def test_known_details_are_removed_in_any_spelling() -> None:
    known = Known(names=("Ana Ruiz", "王芳"), phones=("+86 138 0000 1111",), addresses=("Elm Court 7, Springfield",))
    text = "ANA RUIZ wrote; Ms Ruiz called 13800001111 and 138-0000-1111. 王女士 and 王芳 agree. Elm Court 7 is hers."
    out = redact(text, known).text
    for leaked in ("ANA", "Ruiz", "13800001111", "0000-1111", "王芳", "王女士", "Elm Court 7"):
        assert leaked not in out, out


def test_check_characters() -> None:
    assert is_checked_id("11010519491231002X")
    assert not is_checked_id("110105194912310021")
    assert is_checked_id("12345678Z") and not is_checked_id("12345678A")
    assert is_checked_id("X1234567L")
    assert is_checked_id("ES91 2100 0418 4502 0005 1332") and not is_checked_id("ES92 2100 0418 4502 0005 1332")
    assert is_checked_id("4532 0151 1283 0366") and not is_checked_id("4532 0151 1283 0367")


def test_empty_and_odd_input_never_crash() -> None:
    assert redact("").text == ""
    assert redact("\x00" * 10 + "１３８１２３４５６７８").text is not None


@pytest.mark.parametrize(("text", "name"), [
    ("邻居张伟经常把垃圾堆在楼道里。", "张伟"),
    ("物业经理刘强一直不处理。", "刘强"),
    ("楼下的王建国师傅也反映过。", "王建国"),
    ("李秀英阿姨每天晚上都被吵醒。", "李秀英"),
    ("他叫赵敏，住在对门。", "赵敏"),
    ("房东欧阳明说不归他管。", "欧阳明"),
    ("邻居老王家的狗整夜叫。", "老王"),
    ("我找过居委会的李主任，他说归物业管。", "李"),
    ("快递员小刘每次都把包裹扔在门口。", "小刘"),
    ("我儿子刘洋今年上小学。", "刘洋"),
    ("Tell Mrs O'Neill I said thanks.", "O'Neill"),
    ("El Sr. García-Pardo del tercero.", "García-Pardo"),
    ("My neighbour John Clarke parks on the footpath.", "John Clarke"),
    ("the landlord, Karen Miller, refuses to fix it", "Karen Miller"),
    ("I reported it to Officer Davis on Monday.", "Davis"),
    ("My daughter Emily nearly fell.", "Emily"),
    ("A man named Robert O'Brien said so.", "Robert O'Brien"),
    ("Mi vecina Pilar Gómez aparca en la acera.", "Pilar Gómez"),
    ("El conserje, Antonio Ruiz, lo ha visto.", "Antonio Ruiz"),
    ("Hablé con don Manuel de la junta.", "Manuel"),
    ("La señora Lucía Fernández del segundo se queja.", "Lucía Fernández"),
    ("El presidente de la comunidad, Sergio López, escribió.", "Sergio López"),
])
def test_other_peoples_names_are_found_by_their_context(text: str, name: str) -> None:
    assert any(s.kind == "name" and name in s.text for s in find_personal(text)), find_personal(text)
    assert name not in redact(text).text


@pytest.mark.parametrize("text", [
    "交通局说解放路下个月维修，城管局也知道。",
    "高中老师和老师们都说小区里小孩很多。",
    "安全主任和值班经理都说高总是不来。",
    "解放路与中山路交叉口的红绿灯坏了。",
    "The Transport Bureau said Maple Road would be repaved under the Environment programme.",
    "Dear Sir or Madam, my neighbour's dog barks. The landlord, the Housing Bureau, knows.",
    "Estimado Sr. Alcalde: la Policía Municipal conoce la calle Mayor.",
    "Mi vecino de arriba hace ruido. La señora del segundo también.",
])
def test_public_names_and_person_words_alone_are_left_alone(text: str) -> None:
    assert redact(text).text == text, find_personal(text)

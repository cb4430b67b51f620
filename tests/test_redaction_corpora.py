"""Redaction graded on both evaluation sets (computed here, the targets are the issue's), and the behaviours the
independent letters asked for: cue-less names in three languages, the citizen's name in the other script, cards,
IBANs, plates, handles, abbreviated Spanish addresses, and a third party named in the letter kept out of the reply."""
from __future__ import annotations

import pytest

from cases.redaction import Known, find_personal, redact, redact_all
from cases.redaction_people import chinese_names
from tests.redaction_corpus_holdout import LETTERS as HOLDOUT
from tests.redaction_scoring import TARGET_PUBLIC_KEPT, TARGET_RECALL, score_generated, score_independent


def test_the_independent_letters_meet_the_targets() -> None:
    score = score_independent()
    assert score.recall >= TARGET_RECALL, score.misses
    assert score.public_rate >= TARGET_PUBLIC_KEPT, score.lost_public
    kinds = {kind for kind, _lang in score.planted}
    assert kinds == {"name", "phone", "email", "id", "account", "address", "plate", "handle"}
    assert {lang for _kind, lang in score.planted} == {"zh", "en", "es"}


def test_the_held_out_letters_meet_the_targets() -> None:
    score = score_independent(HOLDOUT)
    assert score.recall >= TARGET_RECALL, score.misses
    assert score.public_rate >= TARGET_PUBLIC_KEPT, score.lost_public


def test_the_generated_corpus_meets_the_targets() -> None:
    score = score_generated(120, seed=5)
    assert score.recall >= TARGET_RECALL, score.misses[:20]
    assert score.public_rate >= TARGET_PUBLIC_KEPT, score.lost_public[:20]


@pytest.mark.parametrize(("text", "item", "kind"), [
    ("Thanks, Daniel Brooks, for nothing.", "Daniel Brooks", "name"),
    ("My kids Ethan and Chloe play there.", "Chloe", "name"),
    ("The driver, badge T. Okafor, drove on.", "T. Okafor", "name"),
    ("Cllr. Patel promised it.", "Patel", "name"),
    ("Queja contra el Ing. Carrasco por las obras.", "Carrasco", "name"),
    ("Un saludo, Javier Moreno Díaz.", "Javier Moreno Díaz", "name"),
    ("出租车被刮蹭，交警大队的刘建国警官说监控看不清。", "刘建国", "name"),
    ("群主张海涛说已经打过了。", "张海涛", "name"),
    ("您好，我是欧阳娜娜的家长。", "欧阳娜娜", "name"),
    ("联系人马先生，手机一三八零零一三四五六七。", "一三八零零一三四五六七", "phone"),
    ("my passport number is E12345678 and", "E12345678", "id"),
    ("Pasaporte nº PAA123456, expedido en 2020.", "PAA123456", "id"),
    ("护照号：EA1234567，请核实", "EA1234567", "id"),
    ("National Insurance JG 10 37 59 A on file", "JG 10 37 59 A", "id"),
    ("card 4532 0151 1283 0366 was charged", "4532 0151 1283 0366", "account"),
    ("转账用的是工商银行卡6222021001123456789。", "6222021001123456789", "account"),
    ("cuenta ES91 2100 0418 4502 0005 1332.", "ES91 2100 0418 4502 0005 1332", "account"),
    ("车牌号京B·T6823，对方冀F52K31逃逸", "京B·T6823", "plate"),
    ("matrícula 4821 KLM, con las ruedas", "4821 KLM", "plate"),
    ("加QQ 384729165找我", "384729165", "handle"),
    ("请通过微信lw_beijing85联系我", "lw_beijing85", "handle"),
    ("Mi Telegram es @carmen_jimenez65 por si", "@carmen_jimenez65", "handle"),
    ("Vivo en C/ Alcalá 145, 3º B y desde", "C/ Alcalá 145, 3º B", "address"),
    ("vive en Pza. Mayor 3, 1º dcha. No puede", "Pza. Mayor 3, 1º dcha.", "address"),
    ("住在东城区和平里北街12号楼3门402。", "东城区和平里北街12号楼3门402", "address"),
])
def test_items_without_cue_words_are_found(text: str, item: str, kind: str) -> None:
    spans = find_personal(text)
    start = text.index(item)
    assert all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(item))), spans
    assert any(s.kind == kind and s.start <= start < s.end for s in spans), spans


def test_the_citizen_is_found_in_the_other_script() -> None:
    assert "李伟" not in redact("我叫李伟，想咨询落户。", Known(names=("Li Wei",))).text
    assert "黄丽" not in redact("My Chinese name is 黄丽.", Known(names=("Huang Li",))).text
    assert "Xiaoming" not in redact("失主：Zhang Xiaoming，谢谢。", Known(names=("张晓明",))).text


def test_a_third_party_redacted_in_the_letter_is_redacted_in_the_reply() -> None:
    letter = "Felicito a la agente Sra. Beltrán y a su compañero Iván Herrera por encontrar a mi hijo."
    reply = "Lo hemos trasladado a la Policía Local para reconocer la labor de Iván Herrera y de Beltrán."
    alone = redact(reply).text
    together = redact_all([letter, reply])[1].text
    assert "Herrera" not in together and "Beltrán" not in together and "Policía Local" in together
    assert "Beltrán" in alone  # the reply alone gives no cue: only the letter's context finds her


@pytest.mark.parametrize("text", [
    "谢谢您！地铁5号线天通苑站早高峰排队二十分钟，银行卡和支付宝都不能用，红绿灯也坏了。",
    "长江路从128号到200号这一段晚上一片漆黑，请交通局维修。一二三四五六七个孩子都在等。",
    "The number 42 bus skipped Riverside on Nov 3; Lincoln Park and Victoria Street are fine.",
    "La Línea 27 no para en Cibeles desde el 3 de noviembre; expediente 2026-000233, 412,50 euros.",
    "We moved in September and paid $1,800 on 11/03/2026 for the parking permit.",
    "The Signal is broken at Oak Road; see the council's Facebook page or Telegram channel for news.",
    "If this does not solve it, call 12345 quoting case 2026-000123; 如有疑问请拨打12345或110。",
])
def test_public_words_are_kept(text: str) -> None:
    assert redact(text).text == text, find_personal(text)


def test_the_tagger_is_filtered() -> None:
    text = "谢谢，高峰时段银行卡不能用，武侯区的红绿灯坏了。"
    assert chinese_names(text) == []

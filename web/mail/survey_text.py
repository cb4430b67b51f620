"""The satisfaction survey's email: the question and its three signed answer links, in the letter's language."""
from __future__ import annotations

import re

from flask import Flask

from cases.models import Case
from web.public.survey import survey_url

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _zh(case: Case) -> bool:
    body = case.letters[0].body if case.letters else case.subject
    return bool(_CJK.search(body or "") or _CJK.search(case.subject or ""))


def survey_subject(case: Case) -> str:
    """The survey's subject line."""
    return f"案件{case.number}满意度回访" if _zh(case) else f"Case {case.number}: are you satisfied?"


def survey_text(app: Flask, case: Case, reply_id: int) -> str:
    """The survey's text: one link per answer (no log-in; each opens a page that records it)."""
    links = {choice: survey_url(app, case.id, reply_id, choice) for choice in ("1", "2", "3")}
    if _zh(case):
        return (f"您好！我们已答复您的案件{case.number}。您对办理结果是否满意？请点击一项：\n\n"
                f"1 满意：{links['1']}\n2 基本满意：{links['2']}\n3 不满意：{links['3']}\n\n"
                "选择“不满意”，案件将重新交办理单位处理。")
    return (f"We have replied to your case {case.number}. Are you satisfied with how it was handled? "
            f"Choose one:\n\n1 Satisfied: {links['1']}\n2 Basically satisfied: {links['2']}\n"
            f"3 Not satisfied: {links['3']}\n\nIf you are not satisfied, the case goes back to the unit handling it.")

"""Fixed words printed around a letter (page numbers, info block) in the three letter languages.

Letters are rendered in background jobs without a request, so these few strings live here rather than in the
web UI's message catalogues; the letter bodies themselves come from the templates.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

_LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN", "es": "es_ES"}
HTML_LANG = {"en": "en", "zh": "zh-Hans", "es": "es"}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "page": "Page {page} of {pages}", "date": "Date", "case_number": "Case number",
        "tracking_code": "Tracking code", "scan": "Scan to follow your case online",
        "phone": "Phone", "email": "E-mail", "web": "Web",
        "call_intro": "Hello, may I speak to {name}? This is {officer} from the {office}, calling about your "
                      "case number {case}.",
        "call_link": "our website",
        "call_code": "To follow your case on our website, your tracking code is: {code}.",
        "call_close": "Do you have any questions about this?",
    },
    "zh": {
        "page": "第 {page} 页，共 {pages} 页", "date": "日期", "case_number": "案件编号",
        "tracking_code": "查询码", "scan": "扫码查询办理进度",
        "phone": "电话", "email": "电子邮件", "web": "网址",
        "call_intro": "您好，请问是{name}吗？我是{office}的{officer}，就您的案件（编号 {case}）给您来电。",
        "call_link": "我们的网站",
        "call_code": "您可以在我们的网站上查询案件进度，查询码是：{code}。",
        "call_close": "请问您对此还有什么问题吗？",
    },
    "es": {
        "page": "Página {page} de {pages}", "date": "Fecha", "case_number": "N.º de expediente",
        "tracking_code": "Código de seguimiento", "scan": "Escanee para seguir su expediente",
        "phone": "Teléfono", "email": "Correo", "web": "Web",
        "call_intro": "Buenos días, ¿hablo con {name}? Le llama {officer}, de {office}, en relación con su "
                      "expediente número {case}.",
        "call_link": "nuestra página web",
        "call_code": "Para seguir su expediente en nuestra página web, su código de seguimiento es: {code}.",
        "call_close": "¿Tiene alguna pregunta sobre esto?",
    },
}


def label(lang: str, key: str) -> str:
    """The fixed text ``key`` in ``lang`` (English if the language is unknown)."""
    return LABELS.get(lang, LABELS["en"])[key]


def letter_date(value: date | datetime | str, lang: str) -> str:
    """A date written out the way a letter in ``lang`` shows it (10 March 2026, 2026年3月10日, 10 de marzo de 2026)."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="long", locale=_LOCALES.get(lang, "en_GB"))

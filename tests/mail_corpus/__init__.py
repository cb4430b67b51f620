"""Test messages for the email channel, generated as raw bytes so each one shows exactly what is on the wire.

``CORPUS`` maps a name to the raw message; ``make_plain()`` / ``make_with_attachment()`` build fresh ones for
poller tests and the benchmark.
"""
from __future__ import annotations

import base64
import uuid


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def make_plain(n: int = 0, *, subject: str | None = None, body: str | None = None, message_id: str | None = None,
               extra_headers: str = "") -> bytes:
    """A simple UTF-8 text message, unique per call unless ``message_id`` is given."""
    message_id = message_id or f"<{uuid.uuid4().hex}.{n}@citizen.example>"
    subject = subject or f"Pothole report {n}"
    body = body or f"There is a pothole in front of house number {n}.\nPlease fix it.\n"
    encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii")
    return _crlf(
        f"From: Citizen {n} <citizen{n}@example.org>\n"
        f"To: Mayor <mailbox@city.example>\n"
        f"Subject: {subject}\n"
        f"Date: Mon, 02 Mar 2026 10:{n % 60:02d}:00 +0800\n"
        f"Message-ID: {message_id}\n"
        f"{extra_headers}"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n"
        "\n"
        f"{encoded}"
    )


def make_with_attachment(n: int = 0, size: int = 200 * 1024) -> bytes:
    """A multipart message with a text body and a binary attachment of ``size`` bytes."""
    data = (uuid.uuid4().bytes * (size // 16 + 1))[:size]
    encoded = base64.encodebytes(data).decode("ascii")
    return _crlf(
        f"From: Citizen {n} <citizen{n}@example.org>\n"
        "To: mailbox@city.example\n"
        f"Subject: Photo of the broken bench {n}\n"
        "Date: Tue, 03 Mar 2026 09:00:00 +0000\n"
        f"Message-ID: <{uuid.uuid4().hex}.{n}@citizen.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="XYZ"\n'
        "\n"
        "--XYZ\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        f"See the attached photo ({n}).\n"
        "--XYZ\n"
        'Content-Type: image/jpeg; name="bench.jpg"\n'
        "Content-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="bench.jpg"\n'
        "\n"
        f"{encoded}"
        "--XYZ--\n"
    )


def _b64(text: str, charset: str) -> str:
    return base64.b64encode(text.encode(charset)).decode("ascii")


def _part_msg(headers: str, body: bytes) -> bytes:
    return _crlf(headers) + b"\r\n" + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _charset_message(charset: str, text: str, subject_charset: str | None = None, declared: str | None = None,
                     cte: str = "8bit") -> bytes:
    declared = declared or charset
    subject_charset = subject_charset or charset
    subject = f"=?{subject_charset}?B?{_b64(text[:6] + ' ' + charset, subject_charset)}?="
    body = base64.encodebytes(text.encode(charset)) if cte == "base64" else text.encode(charset)
    return _part_msg(
        "From: =?utf-8?B?" + _b64("王小明", "utf-8") + "?= <wang@example.cn>\n"
        f"Subject: {subject}\n"
        "Date: Wed, 04 Mar 2026 08:00:00 +0800\n"
        f"Message-ID: <{charset}@example.cn>\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset={declared}\n"
        f"Content-Transfer-Encoding: {cte}\n",
        body,
    )


GBK_ONLY = "镕"  # in GBK (and GB18030) but not in GB2312: the usual "declared gb2312" trap
CHINESE = "您好，我家门口的路灯坏了。" + GBK_ONLY
TRAD = "您好，路燈壞了，請儘快修理。"
JAPANESE = "こんにちは、街灯が壊れています。"
LATIN = "Señor alcalde, la farola está rota. Café"
CP1252 = "The \u201cstreet light\u201d is broken \u2013 please fix \u20ac"

CORPUS: dict[str, bytes] = {
    "utf8": _charset_message("utf-8", CHINESE, cte="base64"),
    "gb2312_with_gbk_chars": _charset_message("gbk", CHINESE, subject_charset="gb2312", declared="gb2312"),
    "gbk": _charset_message("gbk", CHINESE),
    "gb18030": _charset_message("gb18030", CHINESE + "\U00020000"),
    "big5": _charset_message("big5", TRAD),
    "iso2022jp": _charset_message("iso2022_jp", JAPANESE, subject_charset="iso2022_jp", declared="iso-2022-jp",
                                  cte="7bit"),
    "latin1": _charset_message("latin-1", LATIN, subject_charset="iso-8859-1", declared="iso-8859-1"),
    "cp1252": _charset_message("cp1252", CP1252, subject_charset="windows-1252", declared="windows-1252"),
    "wrong_charset": _part_msg(  # declared UTF-8, really GBK
        "From: a@example.cn\nSubject: wrong charset\nMessage-ID: <wrong@example.cn>\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
        CHINESE.encode("gbk"),
    ),
    "unknown_charset": _part_msg(
        "From: a@example.org\nSubject: =?x-klingon?Q?unknown_charset?=\nMessage-ID: <unk@example.org>\n"
        "Content-Type: text/plain; charset=x-klingon\nContent-Transfer-Encoding: 8bit\n",
        "pIqaD text é".encode("utf-8"),
    ),
    "raw_8bit_header": _part_msg(  # GBK bytes straight in the Subject, no encoded word
        "From: a@example.cn\nMessage-ID: <raw8@example.cn>\nContent-Type: text/plain; charset=gbk\n",
        CHINESE.encode("gbk"),
    ).replace(b"From:", b"Subject: " + "路灯".encode("gbk") + b"\r\nFrom:", 1),
    "html_only": _part_msg(
        "From: Ana <ana@example.es>\nSubject: HTML only\nDate: Thu, 05 Mar 2026 12:00:00 -0500\n"
        "Message-ID: <html@example.es>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n",
        "<html><head><style>p{color:red}</style></head><body><p>La <b>farola</b> está rota.</p>"
        "<p>Calle Mayor 5<br>Madrid</p><script>alert('x')</script>"
        "<a href=\"javascript:alert(1)\" onclick=\"evil()\">clic</a></body></html>".encode(),
    ),
    "alternative": _part_msg(
        "From: b@example.org\nSubject: alternative\nMessage-ID: <alt@example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b1"\n',
        b"--b1\nContent-Type: text/plain; charset=utf-8\n\nPlain version.\n"
        b"--b1\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <i>version</i>.</p>\n--b1--\n",
    ),
    "attachments": _part_msg(
        "From: c@example.org\nSubject: with files\nMessage-ID: <att@example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="m1"\n',
        b"--m1\nContent-Type: text/plain; charset=utf-8\n\nTwo files attached.\n"
        b"--m1\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Transfer-Encoding: base64\n"
        b"Content-Disposition: attachment; filename=\"../../etc/a.pdf\"\n\n"
        + base64.encodebytes(b"%PDF-1.4 fake") +
        b"--m1\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n"
        b"Content-Disposition: attachment; filename*=utf-8''%E7%85%A7%E7%89%87.png\n\n"
        + base64.encodebytes(b"\x89PNG\r\n\x1a\nfake") +
        b"--m1--\n",
    ),
    "nested_rfc822": _part_msg(
        "From: d@example.org\nSubject: Fwd: complaint\nMessage-ID: <fwd@example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="n1"\n',
        b"--n1\nContent-Type: text/plain\n\nForwarding my neighbour's letter.\n"
        b"--n1\nContent-Type: message/rfc822\n\n"
        b"From: Neighbour <nb@example.org>\nSubject: Noise at night\nDate: Mon, 02 Mar 2026 01:00:00 +0000\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"n2\"\n\n"
        b"--n2\nContent-Type: text/plain; charset=utf-8\n\nThe bar is loud every night.\n"
        b"--n2\nContent-Type: text/csv; name=\"log.csv\"\nContent-Disposition: attachment; filename=\"log.csv\"\n\n"
        b"night,db\n1,90\n--n2--\n"
        b"--n1--\n",
    ),
    "no_from_date_body": _crlf("Subject: empty\nMessage-ID: <empty@example.org>\n\n"),
    "headers_only_minimal": _crlf("X-Nothing: here\n\n"),
    "auto_submitted": _crlf("From: x@example.org\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nAway.\n"),
    "precedence_bulk": _crlf("From: news@example.org\nSubject: Newsletter\nPrecedence: bulk\n\nNews.\n"),
    "x_autoreply": _crlf("From: y@example.org\nSubject: Re: hi\nX-Autoreply: yes\n\nAway.\n"),
    "list_mail": _crlf("From: list@example.org\nSubject: [list] hi\nList-Id: <city.lists.example>\n"
                       "List-Unsubscribe: <mailto:leave@example.org>\n\nList.\n"),
    "human_auto_no": _crlf("From: z@example.org\nSubject: hello\nAuto-Submitted: no\n\nI wrote this.\n"),
    "bounce": _part_msg(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <bounce@mx.example.org>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\n',
        b"--r1\nContent-Type: text/plain\n\nI'm sorry to have to inform you that your message could not be delivered.\n"
        b"--r1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        b"Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n"
        b"--r1\nContent-Type: text/rfc822-headers\n\nFrom: mailbox@city.example\nSubject: [Case 2026-000001]\n"
        b"--r1--\n",
    ),
    "reply_in_reply_to": _crlf(
        "From: Citizen <citizen@example.org>\nSubject: Re: Your letter\nMessage-ID: <r1@example.org>\n"
        "In-Reply-To: <ack.2026-000123.abc@city.example>\n"
        "References: <orig@example.org>\n <ack.2026-000123.abc@city.example>\n\nThanks, still broken.\n"
    ),
    "reply_subject_token": _crlf(
        "From: Citizen <citizen@example.org>\nSubject: =?utf-8?B?" + _b64("回复：路灯 [Case 2026-000123]", "utf-8")
        + "?=\nMessage-ID: <r2@example.org>\n\nStill broken.\n"
    ),
    "garbage_binary": b"\x00\x01\x02\xff\xfe garbage \x00\x00",
    "garbage_text": b"this is not an email at all, just a line of text\n",
    "empty": b"",
}

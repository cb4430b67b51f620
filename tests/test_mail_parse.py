"""Parsing raw email into letter drafts: charsets, HTML, attachments, nesting, automatic mail, replies, garbage."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cases.drafts import Channel
from mailbox import MailParseError, parse_message
from tests.mail_corpus import CHINESE, CORPUS, CP1252, JAPANESE, LATIN, TRAD, make_plain


@pytest.mark.parametrize(
    "name, text",
    [
        ("utf8", CHINESE),
        ("gb2312_with_gbk_chars", CHINESE),
        ("gbk", CHINESE),
        ("gb18030", CHINESE + "\U00020000"),
        ("big5", TRAD),
        ("iso2022jp", JAPANESE),
        ("latin1", LATIN),
        ("cp1252", CP1252),
    ],
)
def test_every_charset_decodes_body_and_subject(name, text):
    draft = parse_message(CORPUS[name])
    assert draft.body.strip() == text
    assert draft.subject.startswith(text[:6])
    assert draft.sender_name == "王小明"
    assert draft.sender_email == "wang@example.cn"
    assert not [n for n in draft.notes if "fallback" in n], draft.notes


def test_wrong_declared_charset_falls_back_and_says_so():
    draft = parse_message(CORPUS["wrong_charset"])
    assert draft.body.strip() == CHINESE
    assert any("declared utf-8, decoded as gb18030" in note for note in draft.notes)


def test_unknown_charset_recorded_in_notes():
    draft = parse_message(CORPUS["unknown_charset"])
    assert draft.body.strip() == "pIqaD text é"
    assert draft.subject == "unknown charset"
    assert any("unknown charset" in note and "x-klingon" in note for note in draft.notes)


def test_undecodable_bytes_become_replacement_characters():
    raw = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe\xfd\r\n"
    draft = parse_message(raw)
    assert draft.body.startswith("ok ")
    assert any("fallback" in note for note in draft.notes)


def test_raw_8bit_subject_decodes():
    assert parse_message(CORPUS["raw_8bit_header"]).subject == "路灯"


def test_html_only_gives_readable_text_and_sanitised_copy():
    draft = parse_message(CORPUS["html_only"])
    assert "La farola está rota." in draft.body
    assert "Calle Mayor 5\nMadrid" in draft.body
    assert "alert" not in draft.body and "color:red" not in draft.body
    assert draft.body_html and "<b>farola</b>" in draft.body_html
    assert "<script" not in draft.body_html and "onclick" not in draft.body_html
    assert "javascript:" not in draft.body_html
    assert "text converted from HTML" in draft.notes
    assert draft.received_at == datetime(2026, 3, 5, 17, 0, tzinfo=timezone.utc)


def test_alternative_prefers_plain_and_keeps_html():
    draft = parse_message(CORPUS["alternative"])
    assert draft.body == "Plain version."
    assert draft.body_html == "<p>HTML <i>version</i>.</p>"


def test_attachments_with_safe_names():
    draft = parse_message(CORPUS["attachments"])
    assert draft.body == "Two files attached."
    assert [(a.filename, a.declared_type, a.data[:4]) for a in draft.attachments] == [
        ("a.pdf", "application/pdf", b"%PDF"),
        ("照片.png", "image/png", b"\x89PNG"),
    ]


def test_nested_rfc822_body_and_attachments():
    draft = parse_message(CORPUS["nested_rfc822"])
    assert draft.body.startswith("Forwarding my neighbour's letter.")
    assert "---------- Forwarded message ----------" in draft.body
    assert "From: Neighbour <nb@example.org>" in draft.body
    assert "The bar is loud every night." in draft.body
    names = [a.filename for a in draft.attachments]
    assert names == ["log.csv", "Noise at night.eml"]
    assert draft.attachments[0].data == b"night,db\r\n1,90"
    assert parse_message(draft.attachments[1].data).subject == "Noise at night"


def test_message_without_from_date_or_body_still_becomes_a_letter():
    draft = parse_message(CORPUS["no_from_date_body"])
    assert (draft.subject, draft.body, draft.sender_email, draft.received_at) == ("empty", "", "", None)
    assert {"no sender address", "no Date header", "no body"} <= set(draft.notes)
    assert draft.channel is Channel.EMAIL and draft.external_id == "<empty@example.org>"
    draft = parse_message(CORPUS["headers_only_minimal"])
    assert draft.subject == "" and "no Subject header" in draft.notes


@pytest.mark.parametrize("name", ["auto_submitted", "precedence_bulk", "x_autoreply", "list_mail", "bounce"])
def test_automatic_mail_is_marked_with_reason(name):
    draft = parse_message(CORPUS[name])
    assert draft.automatic
    assert any(note.startswith("automatic: ") for note in draft.notes)
    assert draft.preferred_reply == ""


def test_bounce_details():
    draft = parse_message(CORPUS["bounce"])
    assert "could not be delivered" in draft.body
    assert any("delivery-status" in note for note in draft.notes)
    assert any("MAILER-DAEMON" in note for note in draft.notes)
    assert b"Status: 5.1.1" in draft.attachments[0].data


def test_person_with_auto_submitted_no_is_not_automatic():
    draft = parse_message(CORPUS["human_auto_no"])
    assert not draft.automatic and draft.preferred_reply == "email"


def test_reply_ids_from_in_reply_to_and_references():
    draft = parse_message(CORPUS["reply_in_reply_to"])
    assert draft.in_reply_to == ["<ack.2026-000123.abc@city.example>", "<orig@example.org>"]
    assert draft.case_token is None


def test_case_token_in_encoded_subject():
    draft = parse_message(CORPUS["reply_subject_token"])
    assert draft.case_token == "2026-000123"
    assert draft.subject == "回复：路灯 [Case 2026-000123]"


@pytest.mark.parametrize("subject, token", [
    ("Re: Light [Case 2026-000123]", "2026-000123"),
    ("RE: [case 2026-000001] light", "2026-000001"),
    ("答复【案件 2025-123456】", "2025-123456"),
    ("Light 2026-000123", None),
    ("[Case 26-0001]", None),
])
def test_case_token_patterns(subject, token):
    raw = f"From: a@example.org\r\nSubject: {subject}\r\n\r\nx\r\n".encode()
    assert parse_message(raw).case_token == token


@pytest.mark.parametrize("name, reason", [
    ("garbage_binary", "NUL"),
    ("garbage_text", "no header fields"),
    ("empty", "empty"),
])
def test_garbage_raises_parse_error_with_reason(name, reason):
    with pytest.raises(MailParseError) as info:
        parse_message(CORPUS[name])
    assert reason in info.value.reason


def test_non_bytes_raise_parse_error():
    with pytest.raises(MailParseError):
        parse_message("text")  # type: ignore[arg-type]


def test_deep_nesting_is_a_parse_error_not_a_crash():
    raw = b"From: a@example.org\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(1, 40):
        raw += f"--b{level - 1}\r\nContent-Type: multipart/mixed; boundary=b{level}\r\n\r\n".encode()
    with pytest.raises(MailParseError) as info:
        parse_message(raw)
    assert "nested" in info.value.reason


def test_fuzzed_headers_never_crash():
    """Hostile header values end as a draft or a MailParseError, never another exception."""
    nasty = [
        "From: =?utf-8?b?!!!?= <@>\r\n",
        "From: \"unterminated <a@b\r\n",
        "Date: Mon, 99 Foo 20260 99:99:99 +9999\r\n",
        "Content-Type: multipart/mixed\r\n",
        "Content-Type: text/plain; charset*=utf-8''%ZZ\r\n",
        "Content-Disposition: attachment; filename*0*=utf-8''%E7; filename*1=x\r\n",
        "Subject: =?gb2312?B?" + "QUJD" * 3 + "?= =?unknown?Q?x?=\r\n",
        "Message-ID: <<<>>>\r\n",
    ]
    for line in nasty:
        raw = ("Subject: fuzz\r\n" + line + "\r\nbody\r\n").encode()
        try:
            draft = parse_message(raw)
        except MailParseError:
            continue
        assert isinstance(draft.body, str)


def test_simple_generated_message():
    draft = parse_message(make_plain(7, message_id="<m7@example.org>"))
    assert draft.subject == "Pothole report 7"
    assert draft.sender_name == "Citizen 7" and draft.sender_email == "citizen7@example.org"
    assert draft.external_id == "<m7@example.org>"
    assert draft.body == "There is a pothole in front of house number 7.\nPlease fix it."
    assert draft.notes == []


def test_big_attachments_come_back_byte_for_byte():
    """Large base64 bodies take the parser's fast path; the decoded data must be exactly the original."""
    import base64

    from tests.mail_corpus import make_with_attachment

    raw = make_with_attachment(3, size=150_000)
    expected = base64.b64decode(raw.split(b'filename="bench.jpg"\r\n\r\n')[1].split(b"--XYZ--")[0])
    draft = parse_message(raw)
    assert draft.body == "See the attached photo (3)."
    assert [a.filename for a in draft.attachments] == ["bench.jpg"]
    assert draft.attachments[0].data == expected and len(expected) == 150_000
    # The same data inside a forwarded message, with LF line ends and text that only looks like base64.
    text_block = ("A" * 60 + "\n") * 100
    nested = (b"From: f@example.org\nSubject: fwd\nContent-Type: multipart/mixed; boundary=OUT\n\n--OUT\n"
              b"Content-Type: text/plain\n\n" + text_block.encode() + b"--OUT\nContent-Type: message/rfc822\n\n"
              + raw.replace(b"\r\n", b"\n") + b"\n--OUT--\n")
    draft = parse_message(nested)
    assert draft.body.startswith(text_block.strip())
    assert draft.attachments[0].data == expected
    assert parse_message(draft.attachments[1].data).attachments[0].data == expected


def _big_variants() -> dict[str, bytes]:
    """Large messages in the shapes the parser's base64 shortcut meets, including ones it must leave alone."""
    import base64

    from tests.mail_corpus import make_with_attachment

    raw = make_with_attachment(4, size=60_000)
    head, rest = raw.split(b'filename="bench.jpg"\r\n\r\n')
    body, tail = rest.split(b"--XYZ--")
    lines = body.split(b"\r\n")

    def with_body(new_body: bytes) -> bytes:
        return head + b'filename="bench.jpg"\r\n\r\n' + new_body + b"--XYZ--" + tail

    encoded = base64.encodebytes(bytes(range(256)) * 200)
    single = (b"From: s@example.org\nSubject: single part\nContent-Type: application/pdf\n"
              b"Content-Transfer-Encoding: base64\n\n" + encoded)
    return {
        "crlf": raw,
        "lf": raw.replace(b"\r\n", b"\n"),
        "bad_padding": with_body(b"\r\n".join(lines[:-3] + [lines[-3][:-1]] + lines[-2:])),
        "padding_inside": with_body(b"QUJD\r\n" + b"QQ==\r\n" + body),
        "too_much_padding": with_body(body.rstrip(b"\r\n") + b"====\r\n"),
        "blank_line_before_boundary": with_body(body + b"\r\n"),
        "epilogue_after": raw + b"\r\n" + encoded.replace(b"\n", b"\r\n"),
        "base64_preamble": raw.replace(b"\r\n\r\n--XYZ\r\n", b"\r\n\r\n" + encoded.replace(b"\n", b"\r\n")
                                       + b"--XYZ\r\n", 1),
        "single_part": single,
        "single_part_no_final_newline": single.rstrip(b"\n"),
        "quoted_printable_declared": with_body(body).replace(b"Transfer-Encoding: base64\r\nContent-Disp",
                                                             b"Transfer-Encoding: quoted-printable\r\nContent-Disp"),
        "forwarded": (b"From: f@example.org\nSubject: fwd\nContent-Type: multipart/mixed; boundary=OUT\n\n--OUT\n"
                      b"Content-Type: message/rfc822\n\n" + raw + b"\n--OUT--\n"),
    }


@pytest.mark.parametrize("name", sorted(_big_variants()))
def test_base64_shortcut_gives_what_the_stdlib_gives(name, monkeypatch):
    """Large messages parse to exactly the draft the plain stdlib walk gives (the shortcut switched off)."""
    import mailbox.large_bodies as parse_module

    raw = _big_variants()[name]
    assert parse_module._shrink(raw)[1], "the shortcut must have something to swap here"
    fast = parse_message(raw)
    monkeypatch.setattr(parse_module, "_SHRINK_FROM", 10**12)
    plain = parse_message(raw)
    assert fast == plain
    assert fast.attachments and all(a.data for a in fast.attachments)

"""Letter templates: validation before saving, sandboxed rendering, e-mail parts and the phone script."""
from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from reply_render import (LANGUAGES, PLACEHOLDERS, PURPOSES, RenderedLetter, TemplateRejected, UnknownTemplate,
                         call_script, default_template, default_templates, email_parts,
                         placeholder_descriptions, render_letter, sample_context, validate_template)

HOSTILE = '<img src=file:///etc/passwd> <b>Bob</b> & "Co" \'x\''


def context(**overrides):
    values = sample_context()
    values.update(overrides)
    return values


# --- the shipped templates ------------------------------------------------------------------------------------

def test_every_purpose_and_language_has_a_default_template():
    templates = default_templates()
    assert set(templates) == {(p, lang) for p in PURPOSES for lang in LANGUAGES}
    assert len(templates) == 15


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_default_template_validates_and_renders(purpose, lang):
    source = default_template(purpose, lang)
    assert source.startswith("Subject:")
    assert validate_template(source, sample_context()) == []
    assert validate_template(source, sample_context(lang)) == []
    letter = render_letter(source, sample_context(lang), lang=lang)
    assert letter.subject and "{{" not in letter.text and "{%" not in letter.text
    assert letter.lang == lang
    # Each letter names the case and tells the citizen where to follow it.
    number = "2026-000098" if purpose == "merged_duplicate" else "2026-000123"
    assert number in letter.subject + letter.text
    assert "https://mailbox.example.gov/track/K7Q2-9XMB-4TRA" in letter.text


def test_default_templates_use_the_placeholders_they_need():
    reply = default_template("reply", "en")
    for name in ("citizen_name", "case_number", "unit", "unit_feedback", "officer_name", "tracking_url", "kind"):
        assert "{{ " + name + " }}" in reply
    assert "{{ return_reason }}" in default_template("return_notice", "zh")
    assert "{{ primary_case_number }}" in default_template("merged_duplicate", "es")


def test_unknown_default_template_is_a_clear_error():
    with pytest.raises(UnknownTemplate, match="purpose"):
        default_template("love_letter", "en")
    with pytest.raises(UnknownTemplate, match="language"):
        default_template("reply", "fr")


def test_placeholder_list_is_documented():
    descriptions = placeholder_descriptions()
    assert list(descriptions) == [p.name for p in PLACEHOLDERS]
    for required in ("citizen_name", "citizen_address", "case_number", "received_date", "kind", "unit",
                     "unit_feedback", "officer_name", "tracking_url"):
        assert descriptions[required].strip()
    assert set(sample_context()) == set(descriptions)


# --- validation refuses bad templates -------------------------------------------------------------------------

def test_unknown_placeholder_is_refused_with_its_line():
    errors = validate_template("Subject: Hi\nDear {{ citizen_name }},\n{{ citizen_ssn }}", sample_context())
    assert errors == ["line 3: unknown placeholder 'citizen_ssn'"]


def test_unknown_placeholder_in_an_untaken_branch_is_still_refused():
    source = "Subject: Hi\n{% if unit_feedback == 'never' %}{{ secret_key }}{% endif %}Body"
    assert any("secret_key" in e for e in validate_template(source, sample_context()))


@pytest.mark.parametrize("source", [
    "Subject: Hi\n{{ citizen_name ",
    "Subject: Hi\n{% if unit %}no end",
    "Subject: Hi\n{% endif %}",
    "Subject: Hi\n{{ }}",
])
def test_syntax_errors_are_refused(source):
    errors = validate_template(source, sample_context())
    assert len(errors) == 1 and "syntax error" in errors[0] and errors[0].startswith("line ")


@pytest.mark.parametrize("source, word", [
    ("Subject: x\n{{ ''.__class__ }}", "attribute access"),
    ("Subject: x\n{{ ''.__class__.__mro__[1].__subclasses__() }}", "attribute access"),
    ("Subject: x\n{{ citizen_name.__class__ }}", "attribute access"),
    ("Subject: x\n{{ citizen_name['__class__'] }}", "subscripts"),
    ("Subject: x\n{{ citizen_name.upper() }}", "calls"),
    ("Subject: x\n{{ citizen_name.format }}", "attribute access"),
    ("Subject: x\n{{ self.__init__.__globals__ }}", "attribute access"),
    ("Subject: x\n{{ cycler.__init__.__globals__.os.popen('id').read() }}", "calls"),
    ("Subject: x\n{{ lipsum.__globals__ }}", "attribute access"),
    ("Subject: x\n{{ range(10) }}", "calls"),
    ("Subject: x\n{% for i in citizen_name %}{{ i }}{% endfor %}", "loops"),
    ("Subject: x\n{% include '/etc/passwd' %}", "includes"),
    ("Subject: x\n{% import 'x' as y %}", "imports"),
    ("Subject: x\n{% extends 'base' %}", "inheritance"),
    ("Subject: x\n{% macro m() %}{% endmacro %}", "macros"),
    ("Subject: x\n{{ citizen_name * 100000000 }}", "multiplication"),
    ("Subject: x\n{{ 9 ** 9 ** 9 }}", "powers"),
    ("Subject: x\n{{ '%s' % citizen_name }}", "%"),
    ("Subject: x\n{{ citizen_name|center(1000000000) }}", "unknown filter 'center'"),
    ("Subject: x\n{{ citizen_name|attr('__class__') }}", "unknown filter 'attr'"),
])
def test_sandbox_escapes_are_refused(source, word):
    errors = validate_template(source, sample_context())
    assert errors, source
    assert any(word in e for e in errors), errors


def test_runtime_sandbox_refuses_attributes_even_without_the_static_check():
    # Defence in depth: the environment itself refuses attribute access and calls.
    from jinja2.exceptions import SecurityError

    from reply_render.sandbox import LetterSandbox

    env = LetterSandbox()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__ }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ name.upper }}").render(name="x")
    assert env.from_string("{{ name[0] }}").render(name="xyz") == "x"


def test_replace_filter_cannot_explode_the_output():
    errors = validate_template("Subject: x\n{{ citizen_name|replace('', 'xxxxxxxx') }}", sample_context())
    assert errors and "replace" in errors[0]


# A short template that keeps doubling a text in variables it never prints: the output cap alone never sees it.
DOUBLING = 'Subject: x\n{% set a = "xxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 30 + "Dear {{ citizen_name }}"
MULTIPLYING = ('Subject: x\n{% set a = "xxxxxxxxxx" %}' + '{% set a = a|replace("x", "xxxxxxxx") %}' * 12
               + "Dear {{ citizen_name }}")
WIDENING = ('Subject: x\n{% set a = "xxxxxxxxxx" %}' + "{% set a = a ~ a %}" * 14
            + "".join(f'{{% set b{i} = a ~ "" %}}' for i in range(40)) + "Dear {{ citizen_name }}")
_BOUNDED_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 * 1024 * 1024, 768 * 1024 * 1024))
from reply_render import TemplateRejected, render_letter, sample_context, validate_template
source = sys.stdin.read()
print(validate_template(source, sample_context())[0])
try:
    render_letter(source, sample_context())
except TemplateRejected as error:
    print(error.errors[0])
"""


@pytest.mark.parametrize(("source", "message"), [
    (DOUBLING, "longer than 200000 characters"), (MULTIPLYING, "replace() would make a text longer"),
    (WIDENING, "builds more than 2000000 characters"),
])
def test_a_template_that_builds_huge_texts_fails_fast_on_save_and_on_every_letter(source: str,
                                                                                  message: str) -> None:
    """Run in a child process under a memory limit, so an unbounded rendering fails the test instead of
    taking the machine's memory."""
    assert len(source) < 1200
    done = subprocess.run([sys.executable, "-c", _BOUNDED_RUN], input=source, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    on_save, on_letter = done.stdout.splitlines()
    assert message in on_save and message in on_letter


def test_the_time_limit_is_checked_while_rendering(monkeypatch):
    from reply_render import sandbox

    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.0)  # every check is then past the deadline
    errors = validate_template("Subject: x\nDear {{ citizen_name|upper }}", sample_context())
    assert errors == ["not allowed: rendering the letter took longer than 0 seconds"]


def test_the_sandbox_refuses_repeating_text_even_without_the_static_check():
    from jinja2.exceptions import SecurityError
    from reply_render.sandbox import LetterSandbox

    env = LetterSandbox()
    with pytest.raises(SecurityError, match="repeating"):
        env.from_string("{{ name * 1000 }}").render(name="x")
    with pytest.raises(SecurityError, match="repeating|powers"):
        env.from_string("{{ 10 ** 10 ** 10 }}").render()
    assert env.from_string("{{ 6 * 7 }}").render() == "42"


def test_output_size_is_capped():
    source = "Subject: x\n" + "{{ unit_feedback }}" * 20_000
    errors = validate_template(source, context(unit_feedback="y" * 100))
    assert errors and "longer than" in errors[0]


def test_oversized_template_is_refused():
    assert "longer than" in validate_template("Subject: x\n" + "a" * 60_000, sample_context())[0]


@pytest.mark.parametrize("source, message", [
    ("Dear {{ citizen_name }}", "first line must start with 'Subject:'"),
    ("Subject:   \nBody", "subject line is empty"),
    ("Subject: Hello\n\n   \n", "body is empty"),
    ("Subject: {{ unit_feedback }}\nBody", "subject is longer"),
])
def test_subject_line_rules(source, message):
    errors = validate_template(source, context(unit_feedback="z" * 400))
    assert any(message in e for e in errors), errors


def test_missing_sample_value_is_reported():
    values = sample_context()
    del values["officer_name"]
    errors = validate_template("Subject: x\n{{ officer_name }}", values)
    assert errors and "missing value" in errors[0] and "officer_name" in errors[0]


def test_allowed_constructs_render():
    source = ("Subject: {{ case_number }} {{ kind|upper }}\n"
              "{% set who = citizen_name|trim %}Dear {{ who|default('citizen') }},\n"
              "{% if due_date %}Due {{ due_date }}.{% else %}No due date.{% endif %}\n"
              "{{ unit_feedback|truncate(12) }} {{ case_subject|length }} {{ unit ~ '!' }}")
    assert validate_template(source, sample_context()) == []
    letter = render_letter(source, context(due_date=None, citizen_name="  Ann  "))
    assert letter.subject == "2026-000123 REPORT"
    assert letter.text.splitlines() == ["Dear Ann,", "No due date.",
                                        "The stree... 33 Public Works Department!"]


def test_render_letter_raises_with_every_problem():
    with pytest.raises(TemplateRejected) as caught:
        render_letter("Subject: x\n{{ a }}{{ b }}", sample_context())
    assert caught.value.errors == ["line 2: unknown placeholder 'a'", "line 2: unknown placeholder 'b'"]
    with pytest.raises(TemplateRejected, match="unsupported language"):
        render_letter(default_template("reply", "en"), sample_context(), lang="fr")
    with pytest.raises(TemplateRejected, match="must be text"):
        render_letter(None, sample_context())  # type: ignore[arg-type]


# --- rendering real values ------------------------------------------------------------------------------------

def test_dates_are_written_out_in_the_letter_language():
    values = context(received_date=date(2026, 3, 2), due_date=date(2026, 3, 16))
    assert "2 March 2026" in render_letter(default_template("reply", "en"), values, lang="en").text
    assert "2026年3月2日" in render_letter(default_template("reply", "zh"), values, lang="zh").text
    assert "2 de marzo de 2026" in render_letter(default_template("reply", "es"), values, lang="es").text


def test_chinese_letter():
    values = context(citizen_name="王小明", citizen_address="北京市东城区正义路2号", unit="市住房和城乡建设委员会",
                     unit_feedback="经查，该路灯已于3月8日修复。\n\n感谢您的监督。", kind="反映问题",
                     case_subject="河滨路路灯损坏")
    letter = render_letter(default_template("reply", "zh"), values, lang="zh")
    assert letter.subject == "关于您来信的答复（案件编号 2026-000123）"
    assert letter.text.startswith("尊敬的王小明：")
    assert "经查，该路灯已于3月8日修复。" in letter.paragraphs
    assert "<p>感谢您的监督。</p>" in letter.html
    text, html = email_parts(letter)
    assert '<html lang="zh-Hans">' in html and "王小明" in html and text.endswith("\n")


def test_spanish_letter_with_very_long_name_and_address():
    name = "María José de la Concepción Fernández-Villaverde y Montenegro-Echeverría " * 4
    address = "\n".join(f"Calle de la Princesa Doña María de las Mercedes nº {i}, 3º izquierda" for i in range(8))
    letter = render_letter(default_template("acknowledgement", "es"),
                           context(citizen_name=name, citizen_address=address), lang="es")
    assert letter.text.startswith("Estimado/a " + name)
    assert "«Street light broken on River Road»" in letter.text
    assert letter.subject == "Hemos recibido su carta (expediente 2026-000123)"


def test_markup_in_values_stays_literal_text():
    values = context(citizen_name=HOSTILE, case_subject="</p><script>alert(1)</script>",
                     unit_feedback="See <a href='http://evil.example/'>here</a>\n\n{{ officer_name }}")
    letter = render_letter(default_template("reply", "en"), values)
    # Plain text keeps the characters exactly; values are never re-evaluated as template code.
    assert f"Dear {HOSTILE}," in letter.text
    assert "{{ officer_name }}" in letter.text
    # HTML escapes them: no tag from a citizen survives, and unescaping gives the text back.
    for html in (letter.html, email_parts(letter)[1]):
        assert "<img" not in html and "<script" not in html and "<b>" not in html and "href='http" not in html
        assert "&lt;img src=file:///etc/passwd&gt;" in html
        assert HOSTILE in htmllib.unescape(html)
    tags = set(re.findall(r"</?([a-zA-Z]+)", letter.html))
    assert tags <= {"p", "br", "a"}


def test_only_the_tracking_link_becomes_a_link():
    values = context(unit_feedback="Details: https://phish.example/login")
    letter = render_letter(default_template("reply", "en"), values)
    assert letter.html.count("<a href=") == 1
    assert '<a href="https://mailbox.example.gov/track/K7Q2-9XMB-4TRA">' in letter.html
    assert "https://phish.example/login" in letter.html and 'href="https://phish' not in letter.html


def test_rebuilding_from_stored_text_ignores_forged_html():
    forged = RenderedLetter(subject="<b>S</b>", text="Hello <i>x</i>", html="<script>bad()</script>")
    text, html = email_parts(forged)
    assert "<script>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html and "<title>&lt;b&gt;S&lt;/b&gt;</title>" in html
    assert text == "Hello <i>x</i>\n"
    again = RenderedLetter.from_text("S", "One\nline two\n\n\nPara two", tracking_url="https://t.example/x")
    assert again.html == "<p>One<br>\nline two</p>\n<p>Para two</p>"


# --- phone script ----------------------------------------------------------------------------------------------

def test_call_script_reads_the_message_not_the_letter_furniture():
    letter = render_letter(default_template("reply", "en"), sample_context())
    script = call_script(letter, citizen_name="Maria Lopez", case_number="2026-000123", officer_name="Chen Wei",
                         office_name="Mayor's Mailbox Office", tracking_code="K7Q2-9XMB-4TRA")
    assert script.startswith("Hello, may I speak to Maria Lopez? This is Chen Wei")
    assert "The street light was repaired on 8 March." in script
    assert "Dear Maria Lopez," not in script and "Yours sincerely" not in script
    assert "https://" not in script and "our website" in script
    assert "K 7 Q 2 - 9 X M B - 4 T R A" in script
    assert script.endswith("Do you have any questions about this?")
    assert len(script) < len(letter.text) + 400


def test_call_script_in_chinese_joins_lines_without_spaces():
    letter = render_letter(default_template("acknowledgement", "zh"), sample_context(), lang="zh")
    script = call_script(letter, citizen_name="王芳", case_number="2026-000123", officer_name="陈伟",
                         office_name="市长信箱办公室")
    assert script.startswith("您好，请问是王芳吗？我是市长信箱办公室的陈伟")
    assert "查询案件办理进度：我们的网站您的查询码" in script
    assert "此致" not in script and "尊敬的" not in script


def test_a_tag_alone_on_its_line_leaves_no_blank_line_and_errors_keep_their_line_numbers():
    source = ("Subject: x\nA\n{% if return_reason %}\n{{ return_reason }}\n{% endif %}\n"
              "Due {% if due_date %}{{ due_date }}{% endif %}\nB\n{{ nope }}")
    assert validate_template(source, sample_context()) == ["line 8: unknown placeholder 'nope'"]
    source = source.replace("{{ nope }}", "C")
    assert render_letter(source, context(due_date="soon")).text == "A\nPensions are handled by the national social " \
        "insurance agency.\nDue soon\nB\nC"
    assert render_letter(source, context(return_reason="", due_date="")).text == "A\nDue \nB\nC".replace(" \n", "\n")


def test_non_mapping_values_are_refused():
    assert validate_template("Subject: x\ny", ["a"]) == [  # type: ignore[arg-type]
        "the letter values must be a mapping of placeholder names to values"]

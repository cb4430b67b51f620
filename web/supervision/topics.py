"""Words of a letter for the rising-topics chart: jieba for Chinese runs, a plain split for Latin text, common
words dropped. Readable words (not stems) because people read the chart; kept apart from the search index's
analyzer, which stems for matching."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator

CJK_RUN = re.compile(r"[\u3400-\u9fff]+|[^\W\d_\u3400-\u9fff]+", re.UNICODE)

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each even ever every few for from further get got had has have
having he her here hers him his how i if in into is it its just like me more most my no nor not now of off on once
only or other our out over own please same she should so some such than thank thanks that the their them then there
these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours dear sir madam since still again day days week weeks month year years one two three
al algo como con cual cuando de del desde donde el ella ellos en entre era es esa ese eso esta estaba estamos
están este esto estos fue ha hace hacer han hay la las le les lo los mas más me mi mis mucho muy nada ni no nos
nuestra nuestro o para pero poco por porque que qué se sea ser si sí sin sobre son su sus también tan te tengo
tiene todo todos tu un una uno unos usted ustedes ya yo gracias favor saludos buenos días señor señora
""".split())

CJK_STOPWORDS = frozenset("""
我们 你们 他们 她们 自己 希望 有关 部门 问题 已经 没有 一个 可以 现在 每天 进行 这个 那个 这些 那些 因为 所以 但是 而且
如果 还是 还有 就是 不是 什么 怎么 为什么 非常 比较 一直 一下 一些 时候 这样 那样 情况 反映 请求 要求 解决 处理 尽快 谢谢 您好
市长 领导 政府 相关 关于 目前 今天 昨天 现在 以后 之前 以来 影响 居民 我家 附近 本人 我市 市民 多次 至今 能否 是否 能够 已经
""".split())

_lock = threading.Lock()
_jieba = None


def _segmenter():  # type: ignore[no-untyped-def]
    """jieba, loaded once (its dictionary takes a moment) and without its start-up chatter."""
    global _jieba
    with _lock:
        if _jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def words(text: str) -> Iterator[str]:
    """The topic words of ``text``: Chinese words of two or more characters, Latin words of three or more letters."""
    for run in CJK_RUN.findall(text or ""):
        if "\u3400" <= run[0] <= "\u9fff":
            for word in _segmenter().cut(run, HMM=False):
                if len(word) >= 2 and word not in CJK_STOPWORDS:
                    yield word
        else:
            word = run.lower()
            if len(word) >= 3 and word not in STOPWORDS:
                yield word

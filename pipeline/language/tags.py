"""Language tags as the project writes them: an ISO 639-1 code, optionally with a script or
region (pt-BR, zh-Hans, zh_Hans_CN). The one parser of tags: everything that asks "which
language is this?" goes through `primary`, and per-language tables through `lookup`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

V = TypeVar("V")

ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


def primary(tag: str) -> str:
    """The language subtag, lower case: 'pt-BR' -> 'pt', ' zh_Hans ' -> 'zh'."""
    return tag.strip().lower().replace("_", "-").split("-")[0]


def same_language(a: str, b: str) -> bool:
    """pt-BR and pt-PT are one language (a version needs no translation between them)."""
    return primary(a) == primary(b)


def is_known(tag: str) -> bool:
    return primary(tag) in ISO_639_1


def chain(tag: str) -> list[str]:
    """The tags whose entries apply to a language, least specific first:
    'zh-Hans-CN' -> ['zh', 'zh-hans', 'zh-hans-cn']."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


def lookup(table: Mapping[str, V], tag: str) -> V | None:
    """A per-language entry: the exact tag first, then its language ('pt-BR' finds 'pt')."""
    return table.get(tag) or table.get(primary(tag))

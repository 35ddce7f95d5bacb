"""Two news articles in each of the nine languages, and what their readers search for.

Each language has the same two stories (a lunar lander, a heatwave and the rice harvest),
written for this suite, and queries of several kinds: a word from the middle of a sentence,
a word in another form than the text's (plural, tense, particle, ending), without its
accents, in another Unicode normalisation, several words at once. Each query names the
stories it must find, and only those. ``build`` makes the articles under each language's
article index; the same corpus is searched on PostgreSQL and on SQLite.
"""

import unicodedata

from tests.factories import ArticlePageFactory, paragraph, section


def nfd(text):
    return unicodedata.normalize("NFD", text)


# language: {story: (title, summary, body)}
ARTICLES = {
    "ja": {
        "moon": (
            "月面探査機、南極付近に着陸",
            "小型の探査機が月の南極付近にある斜面への着陸に成功した。",
            "探査機は予定の地点から百メートル以内に降り立ち、搭載したカメラで周囲の岩石を"
            "撮影した。研究チームは観測データの解析を進めている。",
        ),
        "rice": (
            "猛暑で米の収穫量が減少",
            "記録的な暑さが続き、東北地方の稲作に影響が出ている。",
            "農林水産省によると、今年の新米は粒が小さく、品質の低下が心配されている。"
            "農家は水の管理を工夫して被害を抑えようとしている。",
        ),
    },
    "zh-hans": {
        "moon": (
            "月球探测器在南极附近着陆",
            "一台小型探测器成功降落在月球南极附近的斜坡上。",
            "探测器在距离预定地点不到一百米的位置着陆，并用携带的相机拍摄了周围的岩石。"
            "科研团队正在分析观测数据。",
        ),
        "rice": (
            "持续高温导致水稻减产",
            "创纪录的高温影响了长江流域的水稻种植。",
            "农业部门表示，今年新米颗粒偏小，品质令人担忧。农民们正在调整灌溉方式以减少损失。",
        ),
    },
    "th": {
        "moon": (
            "ยานสำรวจลงจอดใกล้ขั้วใต้ของดวงจันทร์",
            "ยานสำรวจขนาดเล็กลงจอดบนเนินลาดใกล้ขั้วใต้ของดวงจันทร์ได้สำเร็จ",
            "ยานลงจอดห่างจากจุดที่กำหนดไม่ถึงหนึ่งร้อยเมตร และถ่ายภาพหินรอบตัวด้วยกล้อง"
            "ที่ติดตั้งมา ทีมนักวิจัยกำลังวิเคราะห์ข้อมูล",
        ),
        "rice": (
            "อากาศร้อนจัดทำให้ผลผลิตข้าวลดลง",
            "ความร้อนที่ทำลายสถิติส่งผลต่อการปลูกข้าวในภาคอีสาน",
            "กระทรวงเกษตรระบุว่าเมล็ดข้าวปีนี้มีขนาดเล็ก ชาวนากำลังปรับวิธีการจัดการน้ำเพื่อลดความเสียหาย",
        ),
    },
    "ko": {
        "moon": (
            "탐사선, 달 남극 근처에 착륙",
            "소형 탐사선이 달 남극 근처의 경사면에 착륙하는 데 성공했다.",
            "탐사선은 목표 지점에서 100미터 이내에 내려앉았고, 탑재한 카메라로 주변 암석을 "
            "촬영했다. 연구진은 관측 자료를 분석하고 있다.",
        ),
        "rice": (
            "폭염으로 쌀 수확량 감소",
            "기록적인 더위가 전라도 지역의 벼농사에 영향을 주고 있다.",
            "농림축산식품부는 올해 햅쌀의 낟알이 작아 품질 저하가 우려된다고 밝혔다. "
            "농민들은 물 관리 방식을 바꿔 피해를 줄이려 하고 있다.",
        ),
    },
    "en": {
        "moon": (
            "Lander touches down near the Moon's south pole",
            "A small probe landed on a slope close to the lunar south pole.",
            "The craft settled within a hundred metres of its target and photographed the "
            "surrounding rocks with its onboard cameras. Researchers are analysing the "
            "observations.",
        ),
        "rice": (
            "Heatwave cuts rice harvests",
            "Record temperatures are hurting rice farming in the north.",
            "The agriculture ministry says this year's grains are smaller and their quality is "
            "worrying. Farmers are changing how they manage water to limit the damage.",
        ),
    },
    "fr": {
        "moon": (
            "Une sonde se pose près du pôle Sud de la Lune",
            "Un petit atterrisseur s'est posé sur une pente proche du pôle Sud lunaire.",
            "L'engin s'est immobilisé à moins de cent mètres de sa cible et a photographié les "
            "rochers alentour. Les chercheurs analysent déjà les données.",
        ),
        "rice": (
            "La canicule réduit les récoltes de riz",
            "Des températures record frappent les rizières cet été.",
            "Selon le ministère de l'Agriculture, les grains sont plus petits et leur qualité "
            "inquiète. Les agriculteurs modifient la gestion de l'eau pour limiter les dégâts.",
        ),
    },
    "es": {
        "moon": (
            "Una sonda aterriza cerca del polo sur de la Luna",
            "Un pequeño módulo logró posarse en una ladera cercana al polo sur lunar.",
            "El aparato quedó a menos de cien metros de su objetivo y fotografió las rocas de "
            "alrededor. Los investigadores ya analizan los datos.",
        ),
        "rice": (
            "La ola de calor reduce las cosechas de arroz",
            "Las temperaturas récord golpean los cultivos de arroz del norte.",
            "Según el ministerio de Agricultura, los granos son más pequeños y su calidad "
            "preocupa. Los agricultores cambian el manejo del agua para limitar los daños.",
        ),
    },
    "de": {
        "moon": (
            "Sonde landet nahe dem Südpol des Mondes",
            "Ein kleiner Lander hat an einem Hang nahe dem lunaren Südpol erfolgreich aufgesetzt.",
            "Das Gerät kam weniger als hundert Meter vom Ziel entfernt zum Stehen und "
            "fotografierte die umliegenden Felsen. Die Forscherinnen und Forscher werten die "
            "Daten bereits aus.",
        ),
        "rice": (
            "Hitzewelle senkt die Reisernte",
            "Rekordtemperaturen setzen dem Reisanbau im Norden zu.",
            "Nach Angaben des Landwirtschaftsministeriums sind die Körner kleiner, und ihre "
            "Qualität bereitet Sorgen. Die Bauern ändern den Umgang mit dem Wasser, um die "
            "Schäden zu begrenzen.",
        ),
    },
    "hi": {
        "moon": (
            "चंद्रमा के दक्षिणी ध्रुव के पास यान उतरा",
            "एक छोटे यान ने चंद्रमा के दक्षिणी ध्रुव के पास ढलान पर सफलतापूर्वक लैंडिंग की।",
            "यान अपने लक्ष्य से सौ मीटर के भीतर उतरा और अपने कैमरों से आसपास की चट्टानों की "
            "तस्वीरें लीं। वैज्ञानिक आँकड़ों का विश्लेषण कर रहे हैं।",
        ),
        "rice": (
            "भीषण गर्मी से धान की पैदावार घटी",
            "रिकॉर्ड तापमान से पंजाब में धान की खेती पर असर पड़ा है।",
            "कृषि मंत्रालय के अनुसार इस साल दाने छोटे हैं और गुणवत्ता को लेकर चिंता है। किसान "
            "नुक़सान कम करने के लिए पानी के इस्तेमाल का तरीका बदल रहे हैं।",
        ),
    },
}

# language: [(query, kind, stories it finds)]
QUERIES = {
    "ja": [
        ("着陸", "two kanji from a sentence", {"moon"}),
        ("稲作", "two kanji after a place name", {"rice"}),
        ("探査機", "a word of the title and the text", {"moon"}),
        ("観測データ", "kanji and katakana", {"moon"}),
        ("東北 品質", "two words", {"rice"}),
        ("農家", "a word only in the text", {"rice"}),
    ],
    "zh-hans": [
        ("降落", "two hanzi inside a longer dictionary word", {"moon"}),
        ("水稻", "two hanzi", {"rice"}),
        ("探测器", "a word of the title and the text", {"moon"}),
        ("灌溉", "a word only in the text", {"rice"}),
        ("长江 农民", "two words", {"rice"}),
        ("科研团队", "a phrase without spaces", {"moon"}),
    ],
    "th": [
        ("ดวงจันทร์", "a word of the title", {"moon"}),
        ("นักวิจัย", "a word from the middle of a sentence", {"moon"}),
        ("ชาวนา", "a word only in the text", {"rice"}),
        ("ผลผลิต ข้าว", "two words", {"rice"}),
        ("ข้าว", "a word in both title and text", {"rice"}),
    ],
    "ko": [
        ("탐사선", "a noun without its particle (탐사선이, 탐사선은)", {"moon"}),
        ("연구진", "a noun without its particle (연구진은)", {"moon"}),
        ("벼농사", "a noun without its particle (벼농사에)", {"rice"}),
        ("촬영", "a verb stem without its ending (촬영했다)", {"moon"}),
        ("농민 품질", "two words, one with a plural and a particle", {"rice"}),
    ],
    "en": [
        ("landing", "another form of the verb (landed)", {"moon"}),
        ("photograph rock", "two words in other forms (photographed, rocks)", {"moon"}),
        ("farmer", "singular of a plural", {"rice"}),
        ("harvest", "singular of a plural in the title", {"rice"}),
        ("researchers analysed", "other forms of both words", {"moon"}),
        ("MOON", "capitals", {"moon"}),
    ],
    "fr": [
        ("ete", "without accents (été)", {"rice"}),
        ("recolte", "without accents, singular (récoltes)", {"rice"}),
        ("chercheur", "singular of a plural", {"moon"}),
        ("pole sud", "two words, without accents", {"moon"}),
        ("eau agriculteurs", "an elided word (l'eau) and a plural", {"rice"}),
    ],
    "es": [
        ("pequeno modulo", "without ñ and accents", {"moon"}),
        ("investigador", "singular of a plural", {"moon"}),
        ("cosecha", "singular of a plural in the title", {"rice"}),
        ("record", "without its accent (récord)", {"rice"}),
        ("agricultores agua", "two words", {"rice"}),
    ],
    "de": [
        ("Mond", "the word in another case (des Mondes)", {"moon"}),
        ("Forscher", "a word from the middle of the text", {"moon"}),
        ("Geräte Ziels", "a plural and a genitive (das Gerät, vom Ziel)", {"moon"}),
        ("Korn", "singular of a plural with umlaut (Körner)", {"rice"}),
        ("Schaden Bauern", "two words, one with its umlaut plural (Schäden)", {"rice"}),
    ],
    "hi": [
        ("चंद्रमा", "a word of the title", {"moon"}),
        ("वैज्ञानिक", "a word with conjuncts and vowel signs", {"moon"}),
        ("नुकसान", "a word written without its nukta (नुक़सान)", {"rice"}),
        (nfd("नुक़सान"), "the word decomposed (NFD), as some keyboards type it", {"rice"}),
        ("खेती किसान", "two words", {"rice"}),
    ],
}


def article_body(text):
    return [section(text.split("。")[0][:40], [paragraph(text)])]


def build(indexes, languages=None):
    """The articles of each language (or of ``languages``) under ``indexes[language]``;
    {(language, story): page}."""
    pages = {}
    for language in languages or ARTICLES:
        for story, (title, summary, text) in ARTICLES[language].items():
            pages[language, story] = ArticlePageFactory(
                parent=indexes[language],
                title=title,
                slug=f"{story}-{language}",
                summary=summary,
                body=article_body(text),
            )
    return pages

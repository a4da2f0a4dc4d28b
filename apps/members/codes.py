"""National code tables: store the code, show the name (domain.md §7).

Kept as Python data (also dumped to fixtures/codes_*.json for other systems); the import normalizer maps
everyday names onto these codes via ``ETHNICITY_ALIASES`` / ``EDUCATION_ALIASES``.
"""

from __future__ import annotations

_ETHNIC_TEXT = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
    "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 "
    "乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
)
_ETHNIC_NAMES = _ETHNIC_TEXT.split()

#: GB/T 3304: code -> name
ETHNICITY: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, start=1)}
ETHNICITY["97"] = "其他"
ETHNICITY["98"] = "外国血统中国籍人士"
ETHNICITY_CHOICES = list(ETHNICITY.items())

ETHNICITY_ALIASES: dict[str, str] = {name: code for code, name in ETHNICITY.items()}
ETHNICITY_ALIASES.update({name[:-1]: code for code, name in ETHNICITY.items() if name.endswith("族")})

#: GB/T 4658-2006 (the codes in everyday use) plus party-school education as its own category.
EDUCATION: dict[str, str] = {
    "10": "研究生教育",
    "11": "博士研究生毕业",
    "12": "博士研究生结业",
    "13": "博士研究生肄业",
    "14": "硕士研究生毕业",
    "15": "硕士研究生结业",
    "16": "硕士研究生肄业",
    "19": "研究生班毕业",
    "20": "大学本科",
    "21": "大学本科毕业",
    "22": "大学本科结业",
    "23": "大学本科肄业",
    "28": "大学普通班毕业",
    "30": "大学专科",
    "31": "大学专科毕业",
    "32": "大学专科结业",
    "33": "大学专科肄业",
    "40": "中等职业教育",
    "41": "中等专科毕业",
    "44": "职业高中毕业",
    "47": "技工学校毕业",
    "60": "普通高级中学教育",
    "61": "普通高中毕业",
    "70": "初级中学教育",
    "71": "初中毕业",
    "80": "小学教育",
    "81": "小学毕业",
    "90": "其他",
    "P1": "中央党校研究生",
    "P2": "中央党校大学",
    "P3": "省（区、市）委党校研究生",
    "P4": "省（区、市）委党校大学",
    "P5": "省（区、市）委党校大专",
}
EDUCATION_CHOICES = list(EDUCATION.items())

EDUCATION_ALIASES: dict[str, str] = {name: code for code, name in EDUCATION.items()}
EDUCATION_ALIASES.update(
    {
        "研究生": "10",
        "博士": "11",
        "博士研究生": "11",
        "硕士": "14",
        "硕士研究生": "14",
        "本科": "20",
        "大本": "20",
        "大学": "20",
        "专科": "30",
        "大专": "30",
        "中专": "41",
        "中职": "40",
        "职高": "44",
        "技校": "47",
        "高中": "61",
        "初中": "71",
        "小学": "81",
    }
)

#: Broad levels used by the roster filter (code prefix -> label); party-school codes start with "P".
EDUCATION_LEVELS = [
    ("1", "研究生"),
    ("2", "大学本科"),
    ("3", "大学专科"),
    ("4", "中专/中职"),
    ("6", "高中"),
    ("7", "初中"),
    ("8", "小学"),
    ("9", "其他"),
    ("P", "党校"),
]


def ethnicity_name(code: str) -> str:
    return ETHNICITY.get(code or "", code or "")


def education_name(code: str) -> str:
    return EDUCATION.get(code or "", code or "")

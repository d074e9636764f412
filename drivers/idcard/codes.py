"""Code tables printed on Chinese identity cards: ethnicity (GB 3304-91) and sex (GB/T 2261.1)."""

from __future__ import annotations

from .identity import Sex

_ETHNIC_NAMES = [
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满",
    "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲",
    "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬",
    "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒",
    "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"
]

#: GB 3304 two-digit code → the name printed on the card (without 族). 97/98 are GB 3304's
#: "other" and "foreign-origin Chinese citizen" codes.
ETHNICITIES: dict[str, str] = {f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, start=1)}
ETHNICITIES.update({"97": "其他", "98": "外国血统中国籍人士"})
assert len(_ETHNIC_NAMES) == 56

#: GB/T 2261.1 sex codes.
SEX_CODES: dict[str, Sex] = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE, "9": Sex.UNKNOWN}


def ethnicity_name(code: str) -> str:
    """The ethnicity for a GB 3304 code; :class:`ValueError` for an unknown code."""
    try:
        return ETHNICITIES[code]
    except KeyError:
        raise ValueError("the card's ethnicity code is not in GB 3304") from None


def ethnicity_code(name: str) -> str:
    """The GB 3304 code of an ethnicity name (simulator side); :class:`ValueError` if unknown."""
    for code, known in ETHNICITIES.items():
        if known == name:
            return code
    raise ValueError("unknown ethnicity name")


def sex_from_code(code: str) -> Sex:
    """The :class:`Sex` for a GB/T 2261.1 code; :class:`ValueError` for an unknown code."""
    try:
        return SEX_CODES[code]
    except KeyError:
        raise ValueError("the card's sex code is not in GB/T 2261.1") from None


def sex_code(sex: Sex) -> str:
    """The GB/T 2261.1 code for ``sex`` (simulator side)."""
    return {Sex.MALE: "1", Sex.FEMALE: "2"}.get(sex, "0")

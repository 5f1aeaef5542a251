"""姓氏笔画 and pinyin helpers (lvzhi.core.chinese): pure functions, no database."""

import functools
import importlib.util
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lvzhi.core import chinese
from lvzhi.core.chinese import (
    MAX_KEY_LENGTH,
    pinyin_full,
    pinyin_initials,
    pinyin_sort_key,
    stroke_count,
    stroke_sequence,
    stroke_sort_key,
)

# Single-character surnames of 百家姓 plus a few other common ones.
COMMON_SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫"
    "乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄"
    "印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂濮"
    "牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡"
    "国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查"
    "后荆红游竺权逯盖益桓公覃区种繁员召秘折闫佘佟付肖冼邝谌亓仉缑"
)


# --- stroke data -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "strokes"),
    [
        ("一", "1"),
        ("乙", "5"),
        ("丁", "12"),
        ("王", "1121"),
        ("张", "5153154"),  # 弓 515 + 长 3154
        ("李", "1234521"),  # 木 1234 + 子 521
        ("刘", "413422"),  # 文 4134 + 刂 22
        ("陈", "5215234"),
        ("黄", "12212512134"),
        ("赵", "121213434"),
        ("心", "4544"),  # 点 卧钩(折) 点 点
        ("江", "441121"),  # 提 counts as 横
        ("小", "234"),  # 竖钩 counts as 竖
        ("陳", "5212511234"),  # traditional characters are covered too
    ],
)
def test_stroke_sequences_of_known_characters(char, strokes):
    assert stroke_sequence(char) == strokes
    assert stroke_count(char) == len(strokes)


def test_stroke_data_covers_common_surnames():
    missing = [ch for ch in COMMON_SURNAMES if stroke_sequence(ch) is None]
    assert missing == []


def test_stroke_data_file_is_well_formed():
    lines = [
        line
        for line in chinese.STROKES_PATH.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(lines) > 9000
    chars = [line.split("\t")[0] for line in lines]
    assert len(set(chars)) == len(chars)
    assert all(re.fullmatch(r".\t[1-5]{1,79}", line) for line in lines)


def test_unknown_characters_have_no_strokes():
    assert stroke_sequence("卨") is None  # a real ideograph the source lacks
    assert stroke_count("A") is None


# --- stroke_sort_key -------------------------------------------------------------------


def by_strokes(names):
    return sorted(names, key=stroke_sort_key)


def test_official_order_example():
    names = ["王芳", "丁一", "李四", "张三", "刘五", "王", "一凡"]
    # 一(1) < 丁(2) < 王(4) < 刘(6) < 李(7, 横 first) < 张(7, 折 first); 王 before 王芳.
    assert by_strokes(names) == ["一凡", "丁一", "王", "王芳", "刘五", "李四", "张三"]


def test_same_stroke_count_orders_by_strokes_横竖撇点折():
    # All four strokes: 王1121 贝2534 毛3115 文4134 方4153 尹5113 孔5215.
    names = ["孔", "方", "王", "尹", "文", "毛", "贝"]
    assert by_strokes(names) == ["王", "贝", "毛", "文", "方", "尹", "孔"]


def test_fewer_strokes_first_whatever_the_first_stroke():
    # 乙 is one 折 stroke; 十 is 横竖 (2 strokes) but starts with 横.
    assert by_strokes(["十", "乙"]) == ["乙", "十"]


def test_same_surname_orders_by_given_name():
    # 一 (1) < 三 (3: 111) < 大 (3: 134).
    assert by_strokes(["张大", "张三", "张一"]) == ["张一", "张三", "张大"]
    # The surname decides before any later character.
    assert by_strokes(["王龘", "方一"]) == ["王龘", "方一"]


def test_prefix_sorts_first():
    assert by_strokes(["王芳芳", "王芳", "王"]) == ["王", "王芳", "王芳芳"]


def test_non_chinese_and_unknown_characters_sort_last_at_their_position():
    assert stroke_sequence("卨") is None
    names = ["Zhang", "张三", "卨一", "王", "王A", "王一"]
    assert by_strokes(names) == ["王", "王一", "王A", "张三", "卨一", "Zhang"]


def test_whitespace_and_name_dots_are_ignored():
    assert stroke_sort_key("张 三") == stroke_sort_key("张三") == stroke_sort_key(" 张\u3000三 ")
    assert stroke_sort_key("阿不都·热合曼") == stroke_sort_key("阿不都热合曼")
    assert stroke_sort_key("阿不都•热合曼") == stroke_sort_key("阿不都热合曼")


def test_compatibility_ideographs_are_normalised():
    assert stroke_sort_key("\uf9bc") == stroke_sort_key("寮")  # CJK COMPATIBILITY IDEOGRAPH-F9BC


def test_key_is_digits_and_fits_a_charfield():
    key = stroke_sort_key("魏" * 12)  # 17 strokes each: a heavy but real 12-character name
    assert re.fullmatch(r"[0-9]+", key)
    assert len(key) <= MAX_KEY_LENGTH
    assert stroke_sort_key("魏" * 12) < stroke_sort_key("魏" * 11 + "龘")
    long_key = stroke_sort_key("龘" * 40)
    assert len(long_key) == MAX_KEY_LENGTH
    assert stroke_sort_key("") == ""


def _reference_compare(a, b):
    """Character by character: (count, sequence) for known characters; then ideographs
    missing from the data, then other characters, each by code point."""

    def char_key(ch):
        seq = stroke_sequence(ch)
        if seq is not None:
            return (0, len(seq), seq, 0)
        return (1 if "\u4e00" <= ch <= "\u9fff" else 2, 0, "", ord(ch))

    for x, y in zip(a, b, strict=False):
        kx, ky = char_key(x), char_key(y)
        if kx != ky:
            return -1 if kx < ky else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def test_key_order_matches_a_reference_comparison():
    rng = random.Random(20240611)
    pool = list("一乙二十丁人入八王毛文方孔尹贝土士己已巳李张陈刘黄赵魏龘未末") + ["卨", "A"]
    names = {"".join(rng.choice(pool) for _ in range(rng.randint(1, 4))) for _ in range(600)}
    expected = sorted(names, key=functools.cmp_to_key(_reference_compare))
    got = by_strokes(names)
    # Characters with identical stroke sequences (己/已/巳, 土/士, 未/末) tie: compare keys.
    assert [stroke_sort_key(n) for n in got] == [stroke_sort_key(n) for n in expected]
    for a, b in zip(expected, expected[1:], strict=False):
        assert stroke_sort_key(a) <= stroke_sort_key(b)


# --- pinyin ----------------------------------------------------------------------------


def test_pinyin_full_and_initials():
    assert pinyin_full("张三") == "zhangsan"
    assert pinyin_initials("张三") == "zs"
    assert pinyin_full("吕布") == "lvbu"
    assert pinyin_initials("欧阳娜娜") == "oynn"


def test_pinyin_ignores_whitespace_and_dots():
    assert pinyin_full(" 张 三 ") == "zhangsan"
    assert pinyin_initials("张\u3000三") == "zs"
    assert pinyin_full("阿依古丽·买买提") == pinyin_full("阿依古丽买买提")


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("区永", "ouyong", "oy"),
        ("仇英", "qiuying", "qy"),
        ("解缙", "xiejin", "xj"),
        ("查良镛", "zhaliangyong", "zly"),
        ("乐黛云", "yuedaiyun", "ydy"),
        ("翟天临", "zhaitianlin", "ztl"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("诸葛亮", "zhugeliang", "zgl"),
    ],
)
def test_surnames_use_surname_readings(name, full, initials):
    assert pinyin_full(name) == full
    assert pinyin_initials(name) == initials


def test_surname_reading_applies_to_the_surname_only():
    assert pinyin_full("张单") == "zhangdan"
    assert pinyin_full("曾曾") == "zengceng"


def test_surname_readings_are_real_readings_of_the_character():
    from pypinyin import Style, pinyin

    tables = [(s, r) for s, r in chinese.SURNAME_READINGS.items()]
    for compound, readings in chinese.COMPOUND_SURNAME_READINGS.items():
        assert len(compound) == len(readings)
        tables.extend(zip(compound, readings, strict=True))
    for char, reading in tables:
        assert re.fullmatch(r"[a-z]+[1-5]", reading), reading
        known = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
        assert reading in known, (char, reading, known)


def test_non_chinese_names():
    assert pinyin_full("John Smith") == "johnsmith"
    assert pinyin_initials("John Smith") == "js"
    assert pinyin_full("Zoë 张") == "zoezhang"
    assert pinyin_full("") == pinyin_initials("") == pinyin_sort_key("") == ""


def test_pinyin_sort_key_orders_by_syllable_then_tone_then_strokes():
    def by_pinyin(names):
        return sorted(names, key=pinyin_sort_key)

    assert by_pinyin(["昂", "安", "阿"]) == ["阿", "安", "昂"]  # a < an < ang
    assert by_pinyin(["张三", "张"]) == ["张", "张三"]  # prefix first
    assert by_pinyin(["章三", "张三"]) == ["张三", "章三"]  # same sound: 张 (7) before 章 (11)
    # li2 < li3 < li4; 礼 and 李 are both li3, so strokes decide (礼 5 before 李 7).
    assert by_pinyin(["李", "离", "礼", "力"]) == ["离", "礼", "李", "力"]


def test_pinyin_sort_key_uses_surname_readings():
    assert sorted(["曾三", "单三", "陈三"], key=pinyin_sort_key) == ["陈三", "单三", "曾三"]  # shan < zeng


def test_pinyin_sort_key_is_lowercase_ascii_and_bounded():
    for name in ["张三", "John Smith", "阿不都·热合曼", "欧阳" * 30]:
        key = pinyin_sort_key(name)
        assert re.fullmatch(r"[0-9a-z]+", key)
        assert len(key) <= MAX_KEY_LENGTH


# --- import cost -----------------------------------------------------------------------


def test_importing_the_module_loads_neither_django_nor_pypinyin():
    path = Path(chinese.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('chinese_probe', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(sorted(m for m in ('django', 'pypinyin') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
    assert importlib.util.find_spec("pypinyin") is not None

"""Plausible 社情民意 reports made up in bulk, to test similar-report detection at scale.

``generate(n, seed)`` returns n ``Document``s of a made-up province: many towns, villages, roads,
schools, rivers, bus lines and farms, on the topics such reports are about (a school gate, a road, a
bus line, a polluting farm, drinking water, a clinic, a market, an old estate's lift…), written from
interchangeable sentences in the 情况/分析/建议 style. They share the genre's wording and the topics
of any real set, so mixing them into an evaluation set tests that the method finds the same issue,
not the same topic. Deterministic for a seed; no database.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .similarity import Document

_FIRST = "青石柳白龙枫东双梅桃南北西金银玉凤凰红黄新高长平安宁和丰泰福兴永清云岚松竹杨桂花茶樟溪山水岩沙马鹿鹤鸡牛羊田源湾坪塘坝口"
_SECOND = "溪河湖山岭坪林泉源桥湾塘村庄岗坡峰川洲沟冲口铺寨坊港店"
_TOWN_KIND = ["镇", "镇", "镇", "乡", "街道"]
_VILLAGE_KIND = ["村", "村", "社区"]
_ROAD_KIND = ["路", "街", "大道"]
_NUM = "一二三四五六七八九"


class _Place:
    """Names drawn for one report: a town, a village, a road, a river…"""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.county = self.name() + "县"
        self.town = self.name() + rng.choice(_TOWN_KIND)
        self.village = self.name() + rng.choice(_VILLAGE_KIND)
        self.road = self.name() + rng.choice(_ROAD_KIND)
        self.river = self.name() + rng.choice(["河", "溪", "江"])
        self.reservoir = self.name() + "水库"
        self.school = self.name() + rng.choice(["小学", "中心小学", "实验小学", "中学", "幼儿园"])
        self.estate = self.name() + rng.choice(["小区", "花园", "宿舍", "新村"])
        self.hospital = rng.choice(["人民医院", "中医院", "妇幼保健院"])
        self.hospital = rng.choice([self.county + self.hospital, f"{self.town}卫生院"])
        self.market = f"{self.town}农贸市场"
        self.line = f"{self.county}{rng.randint(1, 40)}路公交"
        self.farm = self.name() + rng.choice(["养猪场", "养鸡场", "养鸭场", "养牛场", "养殖场"])
        self.bridge = self.name() + "桥"
        self.county_road = f"{rng.choice('XYS')}{rng.randint(1, 399):03d}线"
        self.crop = rng.choice(
            ["茶叶", "猕猴桃", "柑橘", "脐橙", "蓝莓", "辣椒", "油茶", "中药材", "生姜", "葡萄"]
        )

    def name(self) -> str:
        return self.rng.choice(_FIRST) + self.rng.choice(_SECOND + _FIRST)

    def n(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


# A topic: the title patterns and the sentences of each part; {p.x} fills from _Place.
_Topic = dict[str, list[str]]

TOPICS: list[_Topic] = [
    {
        "title": [
            "关于改善{p.school}门前交通秩序的建议",
            "关于保障{p.school}学生上下学安全的建议",
            "关于{p.school}校门口拥堵的建议",
        ],
        "situation": [
            "{p.school}位于{p.town}{p.road}旁，现有学生{n600_2000}人，学校大门直接临街。",
            "每天上学放学时段，接送学生的电动车、私家车在{p.road}两侧随意停放，道路拥堵严重。",
            "学校门前没有斑马线和减速带，过往车辆车速较快，学生横穿马路十分危险。",
            "家长反映，{p.school}门口缺少接送停车区，只能占道等候。",
        ],
        "analysis": [
            "道路规划时没有考虑学校的交通需求。",
            "护学力量不足，仅靠学校保安维持秩序。",
            "重型货车与接送车辆在同一时段交汇。",
        ],
        "advice": [
            "在{p.road}学校路段施划斑马线、安装减速带和警示标志。",
            "利用学校周边空地设置家长接送临时停车区。",
            "上下学高峰安排交警执勤，组织家长志愿者护学岗。",
            "学校实行分年级错峰放学。",
        ],
    },
    {
        "title": [
            "关于治理{p.farm}污染{p.river}的建议",
            "关于{p.river}水体污染问题的建议",
            "关于加强{p.town}养殖污染监管的建议",
        ],
        "situation": [
            "{p.town}{p.village}的{p.farm}紧邻{p.river}，存栏规模约{n500_5000}头（只）。",
            "雨季时养殖粪污经排水沟直接流入{p.river}，河水发黑发臭。",
            "下游群众反映，河边菜地不敢用河水浇灌，鱼虾明显减少。",
        ],
        "analysis": [
            "养殖规模扩大后治污设施没有同步扩容。",
            "粪污资源化利用渠道不畅。",
            "日常监管以企业自查为主，执法频次低。",
        ],
        "advice": [
            "生态环境部门对{p.farm}开展专项执法，责令限期整改。",
            "督促企业扩建沼气池，配套干湿分离设施。",
            "推动粪肥就近还田，与种植大户签订消纳协议。",
            "在{p.river}设置水质监测点，定期公布数据。",
        ],
    },
    {
        "title": [
            "关于优化{p.line}线路的建议",
            "关于增加{p.line}班次的建议",
            "关于方便{p.town}群众公交出行的建议",
        ],
        "situation": [
            "{p.line}目前每天只有{n3_8}个班次，末班车发车时间早。",
            "{p.town}{p.village}一带群众进城办事、看病常赶不上回程车。",
            "沿线有{n3_9}个村、上万人口，出行主要依靠摩托车和电动车。",
        ],
        "analysis": ["线路规划未随人口和产业布局调整。", "山区线路运营亏损，公交公司积极性不高。"],
        "advice": [
            "将{p.line}延伸至{p.town}集镇，增设站点和候车亭。",
            "早晚高峰加密班次，推迟末班车时间。",
            "对偏远线路给予运营补贴，对老年人乘车给予优惠。",
        ],
    },
    {
        "title": [
            "关于修复{p.road}破损路面的建议",
            "关于{p.road}坑洼积水的建议",
            "关于改造{p.town}{p.road}的建议",
        ],
        "situation": [
            "{p.road}全长约{n1_5}公里，建成已十余年，路面龟裂、坑槽较多。",
            "下雨后坑槽积水，夜间骑行电动车的群众多次摔倒。",
            "该路段每天有大量重载车辆通行，道路损坏加快。",
        ],
        "analysis": [
            "雨水管网淤堵，路基长期浸水。",
            "日常养护以临时修补为主，补了又坏。",
            "超载车辆碾压加速路面损坏。",
        ],
        "advice": [
            "将{p.road}纳入道路改造计划，进行整体翻修。",
            "同步疏通改造排水管网。",
            "加强超载车辆管控。",
        ],
    },
    {
        "title": [
            "关于{p.estate}加装电梯的建议",
            "关于推进老旧小区加装电梯的建议",
            "关于{p.town}老旧住宅改造的建议",
        ],
        "situation": [
            "{p.estate}建于上世纪九十年代，共有多层住宅{n4_20}栋，没有电梯。",
            "住户中老年人比例高，住在高层的老人下楼十分困难。",
            "居民加装电梯愿望迫切，但费用分摊难以达成一致。",
        ],
        "analysis": ["审批涉及多个部门，流程不清。", "管线迁改费用高。", "低层住户积极性不高。"],
        "advice": [
            "出台加装电梯补助政策，简化审批流程。",
            "社区组织协商，推行一楼一策。",
            "管线单位减免迁改费用。",
        ],
    },
    {
        "title": [
            "关于解决{p.village}饮水困难的建议",
            "关于保障{p.town}农村供水的建议",
            "关于{p.village}季节性缺水的建议",
        ],
        "situation": [
            "{p.town}{p.village}地处山区，集中供水工程蓄水能力不足。",
            "每到夏季用水高峰和枯水期，高处村民小组经常停水。",
            "群众只能下山挑水或花钱请人拉水。",
        ],
        "analysis": ["水源单一，蓄水池容量小。", "输水管道老化，水压不足。", "供水设施管护主体不明。"],
        "advice": [
            "扩建蓄水池，增设备用水源。",
            "更换老化管道，加装加压设施。",
            "落实管护责任和经费，推进城乡供水一体化。",
        ],
    },
    {
        "title": [
            "关于缓解{p.hospital}就医停车难的建议",
            "关于{p.hospital}周边交通拥堵的建议",
            "关于改善{p.hospital}就医环境的建议",
        ],
        "situation": [
            "{p.hospital}日门诊量超过{n800_3000}人次，院内停车位严重不足。",
            "就医高峰时段进院车辆排起长队，周边道路拥堵。",
            "患者候诊时间长，老年人不会使用手机预约挂号。",
        ],
        "analysis": ["停车配建标准偏低。", "周边缺少公共停车场。", "公交接驳不足。"],
        "advice": [
            "建设立体停车楼，增加车位。",
            "周边单位错时共享停车。",
            "推行分时段预约就诊，优化公交线路。",
        ],
    },
    {
        "title": [
            "关于整治{p.market}周边占道经营的建议",
            "关于改造{p.market}的建议",
            "关于规范{p.town}集贸市场管理的建议",
        ],
        "situation": [
            "{p.market}设施老化，棚顶漏雨，排水不畅。",
            "赶集日摊贩占道经营，{p.road}交通堵塞。",
            "散集后垃圾遍地，环境脏乱。",
        ],
        "analysis": ["市场容量不足，管理力量薄弱。", "整治多靠突击，缺乏长效机制。"],
        "advice": ["对{p.market}进行提质改造。", "划定临时摊区，疏堵结合。", "建立长效保洁和管理制度。"],
    },
    {
        "title": [
            "关于加强{p.town}留守儿童关爱的建议",
            "关于发挥{p.village}儿童之家作用的建议",
            "关于关爱农村留守儿童的建议",
        ],
        "situation": [
            "{p.town}外出务工人员多，留守儿童{n100_900}名，多由祖辈照看。",
            "村级儿童之家缺少专职人员，平时大门紧锁。",
            "留守儿童学业辅导、心理关爱和假期看护缺失。",
        ],
        "analysis": ["缺人员、缺经费、缺专业指导。", "学校、村、家庭信息不通。"],
        "advice": ["配备儿童主任并给予补贴。", "引入社工和志愿者开展课业辅导。", "建立留守儿童动态信息库。"],
    },
    {
        "title": [
            "关于加强{p.reservoir}防溺水安全的建议",
            "关于{p.river}野泳溺水隐患的建议",
            "关于完善水域安全防护的建议",
        ],
        "situation": [
            "{p.reservoir}水面开阔，夏季前来游泳、垂钓的人员较多。",
            "近年来该水域发生溺水事故{n2_9}起，多为未成年人。",
            "危险水域没有护栏和救生设施，警示牌很少。",
        ],
        "analysis": ["巡查力量有限。", "防溺水教育不够深入。"],
        "advice": ["设置防护栏和警示标志。", "配备救生圈、救生绳等器材。", "暑期增派人员巡查劝离。"],
    },
    {
        "title": [
            "关于{p.estate}电动自行车充电的建议",
            "关于解决电动车楼道充电隐患的建议",
            "关于{p.village}建设充电设施的建议",
        ],
        "situation": [
            "{p.estate}电动自行车保有量大，没有集中充电设施。",
            "居民把电动车推进楼道充电，或从窗户飞线拉电。",
            "近期发生一起电动车充电起火事故。",
        ],
        "analysis": ["老旧小区缺少建设充电设施的空间和资金。", "消防宣传和巡查不到位。"],
        "advice": [
            "建设集中充电车棚，安装智能充电桩。",
            "开展楼道停放和飞线充电专项整治。",
            "对充电设施建设给予补助。",
        ],
    },
    {
        "title": [
            "关于做强{p.town}{p.crop}产业的建议",
            "关于解决{p.crop}销售难的建议",
            "关于打造{p.town}{p.crop}品牌的建议",
        ],
        "situation": [
            "{p.town}{p.crop}种植面积{n1000_20000}亩，是群众增收的主要来源。",
            "产业小散弱，加工以家庭作坊为主。",
            "缺少冷库和分拣包装设施，产品集中上市时价格低。",
        ],
        "analysis": ["组织化程度低。", "品牌建设滞后，市场认知度不高。"],
        "advice": ["成立专业合作社，统一标准。", "申报地理标志，建立质量追溯。", "发展电商销售渠道。"],
    },
    {
        "title": [
            "关于整治{p.road}夜市扰民的建议",
            "关于规范夜间经济的建议",
            "关于{p.estate}周边噪音油烟扰民的建议",
        ],
        "situation": [
            "{p.road}夜间烧烤摊点{n10_50}余家，营业到凌晨。",
            "油烟直接排放，{p.estate}居民不敢开窗。",
            "噪音持续到深夜，影响周边居民休息。",
        ],
        "analysis": ["夜市缺乏统一规划和管理。", "油烟净化设施缺失。"],
        "advice": ["划定经营区域和时段。", "要求安装油烟净化设备。", "规划远离居民区的夜市街区。"],
    },
    {
        "title": [
            "关于稳定{p.hospital}医疗人才的建议",
            "关于加强基层医疗人才队伍的建议",
            "关于{p.town}村医队伍建设的建议",
        ],
        "situation": [
            "{p.hospital}近年流失医生{n2_10}名，部分科室难以为继。",
            "{p.town}村卫生室乡村医生年龄偏大，后继乏人。",
            "群众小病也要到县城看，看病负担加重。",
        ],
        "analysis": ["待遇偏低，职称晋升渠道窄。", "工作生活条件差。"],
        "advice": ["提高基层医务人员待遇。", "推进医共体建设，派驻专家坐诊。", "定向培养基层医学人才。"],
    },
    {
        "title": [
            "关于消除{p.county_road}急弯路段隐患的建议",
            "关于{p.bridge}危桥改造的建议",
            "关于提升{p.town}农村公路安全的建议",
        ],
        "situation": [
            "{p.county_road}经过{p.town}的山区路段弯多坡陡，外侧临崖。",
            "{p.bridge}建成多年，桥面开裂，已被鉴定为危桥。",
            "近三年该路段发生交通事故{n3_15}起。",
        ],
        "analysis": ["安全防护设施欠账较多。", "重车通行加剧损坏。"],
        "advice": ["安装波形护栏和警示标志。", "对危桥实施拆除重建。", "加强节假日路段巡逻。"],
    },
    {
        "title": [
            "关于{p.town}生活垃圾处理的建议",
            "关于{p.village}人居环境整治的建议",
            "关于垃圾转运站选址的建议",
        ],
        "situation": [
            "{p.town}生活垃圾收运不及时，部分村组垃圾随意堆放。",
            "{p.village}垃圾转运站距离住户较近，臭味明显。",
            "河道沟渠漂浮垃圾较多。",
        ],
        "analysis": ["收运设施不足。", "保洁经费缺乏保障。"],
        "advice": ["增加垃圾收集点和转运车辆。", "转运站加装除臭设施或另行选址。", "建立村庄保洁长效机制。"],
    },
    {
        "title": [
            "关于修复{p.road}路灯的建议",
            "关于{p.town}夜间照明的建议",
            "关于完善{p.road}照明设施的建议",
        ],
        "situation": [
            "{p.road}路灯损坏较多，夜间部分路段漆黑。",
            "沿线有学校和超市，夜间出行人员多。",
            "已发生多起电动车相撞事故。",
        ],
        "analysis": ["路灯维护责任不清。", "巡查维修不及时。"],
        "advice": ["尽快更换损坏路灯。", "建立路灯巡查维修制度。", "在学校路段增设照明和监控。"],
    },
    {
        "title": ["关于{p.estate}停车难的建议", "关于缓解{p.town}停车难的建议", "关于老旧小区停车问题的建议"],
        "situation": [
            "{p.estate}规划时没有停车位，车辆占用消防通道。",
            "救护车、垃圾车进出困难。",
            "居民之间因抢车位常起纠纷。",
        ],
        "analysis": ["停车设施供给不足。", "违章搭建占用空间。"],
        "advice": ["结合老旧小区改造挖潜施划车位。", "建设公共停车场。", "推行错时共享停车。"],
    },
    {
        "title": [
            "关于打击{p.river}非法采砂的建议",
            "关于保护{p.river}河道的建议",
            "关于{p.river}河堤加固的建议",
        ],
        "situation": [
            "{p.river}近期出现夜间偷采河砂现象。",
            "河床被挖出深坑，河堤局部坍塌。",
            "沿河住户安全受到威胁。",
        ],
        "analysis": ["监管存在盲区。", "违法成本低。"],
        "advice": ["开展打击非法采砂专项行动。", "在重点河段安装监控。", "落实河长巡河制度，修复受损堤段。"],
    },
    {
        "title": [
            "关于关爱{p.town}留守老人的建议",
            "关于发展农村互助养老的建议",
            "关于{p.village}居家养老服务的建议",
        ],
        "situation": [
            "{p.town}留守老人{n300_2000}人，不少独居。",
            "老人生病无人照顾，日常生活靠邻居帮衬。",
            "敬老院床位有限。",
        ],
        "analysis": ["农村养老服务设施不足。", "专业护理人员缺乏。"],
        "advice": ["建设农村互助幸福院，提供助餐和日间照料。", "卫生院定期上门巡诊。", "推广一键呼叫设备。"],
    },
    {
        "title": [
            "关于改善{p.school}食堂条件的建议",
            "关于{p.school}寄宿条件的建议",
            "关于加强校园食品安全的建议",
        ],
        "situation": [
            "{p.school}寄宿生{n200_1200}人，食堂面积不足。",
            "学生分批就餐，部分学生吃不上热饭。",
            "操作间通风差，缺少消毒设施。",
        ],
        "analysis": ["学校建设投入不足。", "日常监管不到位。"],
        "advice": ["将{p.school}食堂改扩建列入计划。", "完善功能分区，配备消毒留样设备。", "推行明厨亮灶。"],
    },
]

_OPENINGS = ["", "", "近日，笔者在{p.town}调研时了解到，", "据{p.village}群众反映，", "今年以来，"]
_SECTIONS = [
    ("一、基本情况", "二、原因分析", "三、对策建议"),
    ("情况：", "分析：", "建议："),
    ("", "", "为此建议："),
]
_FILLER = [
    "此事关系群众切身利益，群众反映较为强烈。",
    "这一问题已持续多年，群众多次通过热线反映。",
    "该问题如不及时解决，容易引发安全事故和矛盾纠纷。",
    "有关部门曾进行过整治，但效果不明显。",
    "希望有关部门高度重视，尽快研究解决。",
]


def _fill(template: str, p: _Place) -> str:
    def number(spec: str) -> str:
        low, high = spec.split("_")
        return str(p.n(int(low), int(high)))

    out = template
    while "{n" in out:
        start = out.index("{n")
        end = out.index("}", start)
        out = out[:start] + number(out[start + 2 : end]) + out[end + 1 :]
    return out.format(p=p)


def _pick(rng: random.Random, items: list[str], low: int, high: int) -> list[str]:
    return rng.sample(items, min(len(items), rng.randint(low, high)))


def generate_one(rng: random.Random, number: int) -> Document:
    p = _Place(rng)
    topic = rng.choice(TOPICS)
    fill: Callable[[str], str] = lambda t: _fill(t, p)  # noqa: E731
    title = fill(rng.choice(topic["title"]))
    situation = [fill(s) for s in _pick(rng, topic["situation"], 2, 3)]
    analysis = [fill(s) for s in _pick(rng, topic["analysis"], 1, 3)]
    advice = [fill(s) for s in _pick(rng, topic["advice"], 2, 3)]
    heads = rng.choice(_SECTIONS)
    opening = fill(rng.choice(_OPENINGS))
    filler = rng.sample(_FILLER, rng.randint(1, 2))
    numbered = rng.random() < 0.6
    if numbered:
        advice = [
            f"{i}.{a}" if rng.random() < 0.5 else f"（{_NUM[i - 1]}）{a}" for i, a in enumerate(advice, 1)
        ]
    parts = [
        heads[0] + ("\n" if heads[0].startswith("一") else "") + opening + "".join(situation) + filler[0],
        heads[1] + ("\n" if heads[1].startswith("二") else "") + "".join(analysis),
        heads[2] + ("\n" if heads[2].startswith("三") else "") + ("\n" if numbered else "").join(advice),
    ]
    if len(filler) > 1:
        parts.append(filler[1])
    if rng.random() < 0.3:
        del parts[1]
    return Document(id=f"gen-{number:06d}", title=title, body="\n".join(part for part in parts if part))


def generate(n: int, seed: int = 2026) -> list[Document]:
    """n made-up reports, ids gen-000001…; the same for the same n and seed."""
    rng = random.Random(seed)
    return [generate_one(rng, i) for i in range(1, n + 1)]

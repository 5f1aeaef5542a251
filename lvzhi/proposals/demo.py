"""The demo committee's proposals (提案) of the current session (part of `seed_demo`, see lvzhi.demo.builder).

About twenty-five proposals of the session in every state of the cycle: drafts, a joint proposal whose
co-signers are still answering (the demo member among the invited), a collective proposal of a sector,
proposals waiting for review, accepted under gap-free numbers 第1号…, one merged into another case, two
converted (to a 社情民意 draft and to a letter to a department), two not accepted with a reason of the
list; cases assigned to 县农业农村局 (the demo "unit" account's department) and to other departments as
lead and co-units, a return request waiting for the office and one accepted (the case assigned again),
cases being handled with contacts with the proposer and a co-unit's views, replies with the result codes
A, B, C and D (typed in from paper by the office where the lead department has no account, signing
for it on paper), evaluations 满意 and 基本满意, one 不满意 sent back
for a second round, closed cases, key proposals supervised by the demo leader with supervision notes,
and two excellent proposals. The daily run (`proposal_reminders`) goes once a week through the year, so
the units have their deadline reminders.

Everything the demo accounts do goes through the proposals services (review, assignment, handling,
reminders; filing and co-signing for the demo member and the unit staff's collective proposals; the
paper proposals of members without accounts typed in by the demo "clerk" of the proposal office), so the
status history, numbers, audit rows, notifications and duty ledger are what the pages would have made.
The services take the time from the clock, so each step runs with `timezone.now` set to its moment
(`_clock`, as lvzhi.opinions.demo does).

The demo's members other than the demo member have no accounts: their proposals are handed in on paper
and typed in by the "clerk" (services.filing.record_paper_proposal; co-signers who signed the paper are
confirmed at once). The clerk then counts as their proposer, so the "office" account reviews them. Rows
written directly (no service exists for them): two paper proposals also invite the demo member to
co-sign online (the invitation row, its deadline and notice, as filing.submit would make them).
Departments other than 县农业农村局 have no account: they never sign in, and the office types in their
paper replies, which signs for the lead unit's assignment on paper (services.handling.record_paper_reply).
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lvzhi.members.models import MemberTerm
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import Department, OrgUnit, Session

from . import selectors
from .models import (
    Assignment,
    Proposal,
    ProposalAuthor,
    ProposalCategory,
    RejectionReason,
)
from .services import assignment as assigning
from .services import filing, handling, reminders, review
from .services.common import send

Status = Proposal.Status
UNIT_DEPARTMENT = "县农业农村局"
# A "day" of the plans is a real day unless the demo stands so early after the session that the year
# must be squeezed into the weeks since then (see _Session.day).
PLAN_DAYS = 330

# key: (category, title, case 案由, analysis 分析, suggestions 建议, suggested departments)
TEXTS = {
    "elevator": (
        "社会",
        "关于加快城关镇老旧小区加装电梯的提案",
        "城关镇建于2000年以前的老旧小区有43个，六层住宅楼二百余栋，老年住户占四成以上，"
        "许多高龄老人“悬空”在家，上下楼十分困难。",
        "加装电梯须经本单元住户同意，低层住户担心采光和噪声，意见难统一；每部电梯需四五十万元，"
        "补助标准低、公积金提取手续繁，管线迁移涉及供水、燃气等多个单位。",
        "一是把加装电梯纳入老旧小区改造计划，提高每部电梯的财政补助；二是由社区牵头建立协商议事机制，"
        "对低层住户给予合理补偿；三是实行并联审批，由住建部门统筹协调管线迁移。",
        ["县住房和城乡建设局"],
    ),
    "joint_open": (
        "社会",
        "关于加强农村留守儿童课后托管服务的提案",
        "我县农村留守儿童约六千人，放学后无人看管的现象比较普遍，去年暑期发生溺水事故两起。",
        "农村学校课后服务覆盖面窄，乡镇缺少专业社工，关爱资金分散在多个部门，合力不足。",
        "一是在中心学校全面开展课后服务，延长图书室、活动室开放时间；二是依托村级党群服务中心设立“童心驿站”，"
        "招募志愿者和大学生参与托管；三是整合民政、教育、妇联等部门资金，建立长效保障机制。",
        ["县民政局", "县教育体育局"],
    ),
    "collective_draft": (
        "经济",
        "关于支持民营企业转型升级的提案",
        "我县规模以上民营工业企业六十八家，多数仍以来料加工和初级产品为主，研发投入占营业收入不足百分之一。",
        "企业技术人才匮乏，设备更新资金压力大，惠企政策分散、企业知晓率不高。",
        "一是设立县级技术改造专项资金，对设备更新给予贴息；二是建立“一企一专员”服务制度，"
        "推动惠企政策免申即享；三是与高校共建产业技术服务平台。",
        ["县发展和改革局", "县科学技术局"],
    ),
    "collective_closed": (
        "经济",
        "关于发展壮大村级集体经济的提案",
        "全县183个行政村中，年集体经营性收入不足10万元的有61个，部分村仅靠上级转移支付维持运转。",
        "村级集体资产底数不清、经营方式单一，缺少懂经营的带头人，扶持项目“撒胡椒面”，效益不高。",
        "一是开展集体资产清产核资，盘活闲置校舍、厂房；二是推行“飞地抱团”发展模式，由强村带弱村；"
        "三是选派经营管理人才到村任职，建立集体经济发展激励机制。",
        ["县农业农村局", "县财政局"],
    ),
    "collective_evaluated": (
        "生态文明",
        "关于加强农村生活污水治理的提案",
        "全县农村生活污水治理率约为35%，西河镇、南湖镇部分村庄污水直排沟渠，夏季异味明显。",
        "已建的污水处理设施重建设轻运维，部分站点建成后闲置；管网建设资金缺口大，缺少专业运维队伍。",
        "一是编制农村生活污水治理专项规划，分类推进；二是将已建设施统一委托专业公司运维；"
        "三是把污水治理与美丽乡村建设、改厕工作统筹实施。",
        ["县农业农村局"],
    ),
    "submitted_1": (
        "文化",
        "关于加强县域传统村落保护利用的提案",
        "我县列入省级传统村落名录的村庄有九个，部分古民居年久失修，有的已经坍塌。",
        "保护资金不足，村民自住需求与保护要求存在矛盾，缺少统一规划和专业指导。",
        "一是编制传统村落保护发展规划；二是设立保护专项资金，吸引社会资本参与；三是发展乡村旅游，以用促保。",
        ["县文化广电旅游局", "县住房和城乡建设局"],
    ),
    "submitted_2": (
        "社会",
        "关于完善县域养老服务体系的提案",
        "我县60岁以上老年人口占总人口的23.6%，县城仅有公办养老机构两所，床位常年紧张。",
        "社区居家养老服务站点少、服务内容单一，护理人员短缺，民办机构运营困难。",
        "一是推进社区嵌入式养老服务设施建设；二是对民办养老机构给予建设和运营补贴；三是加强养老护理员培训。",
        ["县民政局", "县卫生健康局"],
    ),
    "accepted": (
        "经济",
        "关于加快县域冷链物流体系建设的提案",
        "我县蔬菜、水果年产量五十余万吨，产地预冷和冷藏设施严重不足，采后损耗率达两成以上。",
        "冷链设施投资大、回报周期长，企业投资意愿低，现有冷库布局分散、利用率不高。",
        "一是规划建设县级冷链物流集散中心；二是支持合作社建设产地冷藏保鲜设施；三是引进专业冷链运输企业。",
        ["县发展和改革局", "县农业农村局"],
    ),
    "merge_main": (
        "社会",
        "关于解决县城中小学校门口交通拥堵问题的提案",
        "县城第一中学、实验小学等校门口上下学时段车辆拥堵严重，接送车辆随意停放，存在安全隐患。",
        "学校周边缺少停车场和临时停靠点，错时放学执行不到位，交通疏导警力不足。",
        "一是在学校周边规划建设临时停车区和即停即走通道；二是推行错时上下学；三是组织家长志愿者协助疏导。",
        ["县教育体育局", "县住房和城乡建设局"],
    ),
    "merge_other": (
        "社会",
        "关于改善实验小学周边上下学交通秩序的提案",
        "实验小学门前道路狭窄，每天放学时接送车辆排队数百米，学生穿行车流之间，险情时有发生。",
        "学校周边停车泊位不足，家长接送习惯难以改变，交通管理措施不够有力。",
        "一是利用学校周边闲置地块建设接送车辆临时停车场；二是在上下学时段实行单向通行；三是加强安全教育。",
        ["县教育体育局"],
    ),
    "convert_opinion": (
        "社会",
        "关于规范县城共享电动车停放的提案",
        "县城共享电动车投放量已超过三千辆，人行道、盲道乱停乱放现象突出。",
        "企业投放无序，停放点位不足，管理责任不清。",
        "一是合理确定投放总量；二是施划停放区域；三是建立企业信用考核和退出机制。",
        ["县住房和城乡建设局"],
    ),
    "convert_letter": (
        "经济",
        "关于加强校园周边食品安全监管的提案",
        "部分中小学周边小卖部、流动摊点销售“三无”零食和辣条，学生购买食用较多。",
        "监管力量不足，流动摊点执法难，家长和学校对食品安全的关注度不够。",
        "一是开展校园周边食品安全专项整治；二是建立学校、家长、监管部门联动机制；三是加强食品安全宣传教育。",
        ["县市场监督管理局"],
    ),
    "rejected_member": (
        "政治",
        "关于建议为本单位增加编制的提案",
        "本人所在单位承担的工作任务逐年增加，现有编制人员长期超负荷工作。",
        "编制核定时间较早，与当前工作量不相适应。",
        "建议为本单位增加事业编制五名。",
        ["县委统战部"],
    ),
    "rejected_typed": (
        "社会",
        "关于尽快审结某合同纠纷案件的提案",
        "我县某企业与某村委会的土地承包合同纠纷案件已在县人民法院审理一年多，至今未审结。",
        "案件涉及金额较大，双方争议较多。",
        "建议有关部门督促法院尽快审结该案件。",
        [],
    ),
    "assigned_unit": (
        "经济",
        "关于推动茶叶产业品牌化发展的提案",
        "龙泉镇、石门镇茶园面积达三万亩，但全县茶叶品牌多达二十余个，大多为作坊式加工，"
        "鲜叶收购价比邻县低两成。",
        "品牌小散乱、标准不统一，缺少龙头企业带动，线上销售渠道没有打开，茶农增产不增收。",
        "一是整合打造“青溪云雾”县域公用品牌；二是扶持龙头企业建设标准化加工厂；三是开设县域茶叶电商旗舰店。",
        ["县农业农村局"],
    ),
    "assigned_other": (
        "社会",
        "关于加强农村学校教师队伍建设的提案",
        "全县农村学校教师平均年龄47岁，音体美和英语教师缺口一百二十余人，部分村小教师一人包班。",
        "农村学校待遇和发展空间有限，新招教师留不住，城乡教师交流流于形式。",
        "一是落实乡村教师生活补助并向偏远学校倾斜；二是建设农村教师周转宿舍；三是完善县管校聘和城乡交流轮岗制度。",
        ["县教育体育局", "县财政局"],
    ),
    "return_waiting": (
        "生态文明",
        "关于加强青溪河流域水环境治理的提案",
        "青溪河流经我县七个乡镇，近年来中下游部分河段水质由Ⅲ类下降为Ⅳ类，沿岸养殖和生活污水是主要污染源。",
        "流域治理涉及多个部门和乡镇，河长制责任落实不够，监测点位少、执法力度不足。",
        "一是开展青溪河流域污染源排查整治；二是加密水质监测断面；三是建立上下游生态补偿机制。",
        ["县农业农村局", "县自然资源局"],
    ),
    "return_done": (
        "生态文明",
        "关于加快废弃矿山生态修复的提案",
        "北山镇、青石镇有历史遗留废弃矿山十四处，裸露山体约一千二百亩，雨季易发生滑坡和水土流失。",
        "历史遗留矿山责任主体灭失，修复资金主要靠财政，投入有限，进度缓慢。",
        "一是编制废弃矿山生态修复规划；二是探索“生态修复+产业导入”模式，吸引社会资本；三是将复垦耕地指标收益用于修复。",
        ["县农业农村局"],
    ),
    "handling_overdue": (
        "经济",
        "关于完善农产品质量安全追溯体系的提案",
        "我县“三品一标”农产品有四十余个，但多数农户和小型合作社生产记录不全，产品无法追溯。",
        "追溯平台操作复杂，基层检测设备和人员不足，市场准入与追溯衔接不紧。",
        "一是简化追溯平台操作，为合作社免费配备扫码设备；二是充实乡镇农产品检测站；三是推行承诺达标合格证制度。",
        ["县农业农村局", "县市场监督管理局"],
    ),
    "replied_key": (
        "经济",
        "关于推进高标准农田建设的提案",
        "我县耕地面积48万亩，已建成高标准农田21万亩，部分早年建成的项目沟渠损毁、机耕路不通。",
        "建设标准偏低，重建轻管，管护主体和经费不落实。",
        "一是提高亩均投入标准，统筹整合涉农资金；二是推行“田长制”，落实管护责任；三是引导新型经营主体参与建设和管护。",
        ["县农业农村局", "县自然资源局"],
    ),
    "replied_member": (
        "经济",
        "关于发展林下中药材种植的提案",
        "北山镇、桃源镇林地面积大，部分农户尝试林下种植黄精、重楼，亩均收益可达三千元，但规模小、技术弱。",
        "缺少种苗繁育基地和技术指导，销售渠道单一，价格波动大。",
        "一是建设中药材良种繁育基地；二是组织农技人员开展技术培训；三是引进中药材加工企业，发展订单种植。",
        ["县农业农村局"],
    ),
    "replied_typed": (
        "社会",
        "关于加强农村公路养护管理的提案",
        "我县农村公路里程2100公里，部分通村道路坑洼破损，雨季路肩垮塌时有发生。",
        "养护资金标准低，乡镇养护力量薄弱，重建轻养问题突出。",
        "一是落实农村公路养护资金并纳入财政预算；二是推行“路长制”；三是采取以奖代补方式引导村民参与养护。",
        ["县农业农村局"],
    ),
    "evaluated_member": (
        "生态文明",
        "关于推进农作物秸秆综合利用的提案",
        "我县每年产生农作物秸秆约三十万吨，综合利用率不足七成，每年夏收秋收时节仍有焚烧现象。",
        "收储运体系不健全，利用企业少，还田机械补贴不足。",
        "一是建立乡镇秸秆收储站点；二是扶持秸秆饲料化、基料化利用企业；三是提高秸秆还田作业补贴。",
        ["县农业农村局"],
    ),
    "unsatisfied": (
        "经济",
        "关于解决农村宅基地审批难的提案",
        "近年来农村村民建房审批周期长，部分群众等待一年以上，个别村存在未批先建现象。",
        "宅基地审批涉及农业农村、自然资源等多个部门，审批流程不够清晰，乡镇审批能力不足。",
        "一是制定农村宅基地审批管理办法，明确时限；二是在乡镇设立联审窗口；三是加强乡镇农村经营管理队伍建设。",
        ["县农业农村局"],
    ),
    "closed_member": (
        "经济",
        "关于培育发展家庭农场的提案",
        "我县登记家庭农场三百余家，但经营规模小、效益不稳定，示范性家庭农场仅二十家。",
        "土地流转不规范、期限短，农场主融资难，社会化服务跟不上。",
        "一是规范土地流转，鼓励签订长期合同；二是开发家庭农场专属信贷产品；三是建立家庭农场名录和示范评定制度。",
        ["县农业农村局"],
    ),
    "closed_paper": (
        "社会",
        "关于加强农村饮用水安全保障的提案",
        "马家镇、黄庄乡部分村庄仍以山泉水、井水为饮用水源，枯水期供水不稳定，水质检测覆盖不全。",
        "农村供水工程规模小、标准低，管护主体不明确，水费收缴难。",
        "一是推进城乡供水一体化；二是落实农村供水工程县级统管；三是加强水源地保护和水质监测。",
        ["县农业农村局"],
    ),
    "closed_typed": (
        "经济",
        "关于扶持蔬菜产业合作社发展的提案",
        "我县蔬菜种植合作社九十余家，真正运转良好的不足三成，很多合作社“空壳化”。",
        "合作社内部管理不规范，带动能力弱，扶持政策门槛高。",
        "一是开展合作社规范化提升行动；二是将扶持资金与带动农户数挂钩；三是支持合作社建设产地仓储设施。",
        ["县农业农村局"],
    ),
}


# Each plan: who files it, and its steps as (anchor, days, step, options): anchor "s" counts days from the
# session's first day, "e" days before the moment the demo stands at.
@dataclass
class Plan:
    key: str
    author: str  # "member" (the demo member), "typed" (another member, on paper), "collective:<unit>"
    steps: list[tuple[str, float, str, dict[str, Any]]]
    timing: str = Proposal.Timing.DURING
    co_signers: int = 0  # typed joint proposals: co-signers who signed the paper
    invite_member: bool = False  # the demo member is invited to co-sign online


def _s(days: float, step: str, **options: Any) -> tuple[str, float, str, dict[str, Any]]:
    return ("s", days, step, options)


def _e(days: float, step: str, **options: Any) -> tuple[str, float, str, dict[str, Any]]:
    return ("e", days, step, options)


UNIT = UNIT_DEPARTMENT
BETWEEN = Proposal.Timing.BETWEEN
PLANS = [
    # Drafts.
    Plan("elevator", "member", [_e(3, "create")], timing=BETWEEN),
    Plan("collective_draft", "collective:经济委员会", [_e(6, "create")], timing=BETWEEN),
    # Waiting for review; the joint one while its co-signers are still answering.
    Plan(
        "joint_open",
        "typed",
        [_e(2, "submit")],
        timing=BETWEEN,
        co_signers=1,
        invite_member=True,
    ),
    Plan("submitted_1", "typed", [_e(9, "submit")], timing=BETWEEN),
    Plan("submitted_2", "typed", [_e(5, "submit")], timing=BETWEEN, co_signers=1),
    Plan("accepted", "typed", [_e(40, "submit"), _e(20, "accept")], timing=BETWEEN),
    # Merged, converted, not accepted.
    Plan(
        "merge_main",
        "typed",
        [
            _s(-2, "submit"),
            _s(0.5, "confirm"),
            _s(12, "accept"),
            _s(30, "assign", lead="县教育体育局", co=["县住房和城乡建设局"]),
            # 县教育体育局 has no account: it signed and replied on paper.
            _s(96, "paper_reply", result="B"),
            _s(128, "close", note="提案人未在平台评价，经电话回访，对答复表示满意。"),
        ],
        co_signers=1,
        invite_member=True,
    ),
    Plan("merge_other", "typed", [_s(1, "submit"), _s(12.1, "merge", into="merge_main")]),
    Plan("convert_opinion", "typed", [_s(0, "submit"), _s(14, "convert_opinion")]),
    Plan(
        "convert_letter",
        "typed",
        [_s(-1, "submit"), _s(14.2, "convert_letter", department="县市场监督管理局")],
    ),
    Plan(
        "rejected_member",
        "member",
        [
            _s(-4, "create"),
            _s(-3, "submit"),
            _s(15, "reject", reason="属于个人或少数人利益的问题", note="建议通过本单位主管部门反映。"),
        ],
    ),
    Plan(
        "rejected_typed",
        "typed",
        [_s(0.3, "submit"), _s(15.2, "reject", reason="属于司法、检察机关正在处理的诉讼案件", note="")],
    ),
    # Assigned: to the demo unit (to sign for), to a department without an account (never signed), a
    # return request waiting, a return accepted and the case assigned again.
    Plan(
        "assigned_unit",
        "typed",
        [_e(35, "submit"), _e(15, "accept"), _e(4, "assign", lead=UNIT, co=["县市场监督管理局"])],
        timing=BETWEEN,
    ),
    Plan(
        "assigned_other",
        "typed",
        [_e(45, "submit"), _e(25, "accept"), _e(9, "assign", lead="县教育体育局", co=["县财政局"])],
        timing=BETWEEN,
    ),
    Plan(
        "return_waiting",
        "typed",
        [
            _e(30, "submit"),
            _e(14, "accept"),
            _e(7, "assign", lead=UNIT, co=["县自然资源局"]),
            _e(
                3,
                "return_request",
                reason="流域水环境治理由县自然资源局（河长制办公室）牵头，建议改由其主办，我局协办。",
            ),
        ],
        timing=BETWEEN,
    ),
    Plan(
        "return_done",
        "typed",
        [
            _s(-3, "submit"),
            _s(11.5, "accept"),
            _s(30.4, "assign", lead=UNIT),
            _s(33, "return_request", reason="废弃矿山生态修复属县自然资源局职责，建议改由其主办。"),
            _s(35, "return_accept", answer="同意退回，改由县自然资源局主办，县农业农村局协办。"),
            _s(37, "assign", lead="县自然资源局", co=[UNIT]),
            _s(38, "sign"),
            _s(52, "contact"),
            _s(60, "views"),
            # 县自然资源局 has no account: it signed and replied on paper.
            _s(104, "paper_reply", result="B"),
            _s(150, "close", note="提案人未在平台评价，经电话回访，对答复表示认可。"),
        ],
    ),
    # Being handled, past its deadline.
    Plan(
        "handling_overdue",
        "typed",
        [
            _s(-2.5, "submit"),
            _s(12.5, "accept"),
            _s(30.6, "assign", lead=UNIT, co=["县市场监督管理局"]),
            _s(32, "sign"),
            _s(58, "contact"),
        ],
    ),
    # Replied: a key proposal the demo leader supervises (B), the demo member's (A), one whose proposer
    # has not evaluated (C).
    Plan(
        "replied_key",
        "typed",
        [
            _s(-4.5, "submit"),
            _s(10.5, "accept"),
            _s(30.8, "assign", lead=UNIT),
            _s(32.5, "sign"),
            _s(36, "key"),
            _s(48, "contact"),
            _s(70, "note", by="office"),
            _s(100, "note", by="leader"),
            _s(112, "reply", result="B"),
        ],
        co_signers=2,
    ),
    Plan(
        "replied_member",
        "member",
        [
            _e(120, "create"),
            _e(119, "submit"),
            _e(100, "accept"),
            _e(95, "assign", lead=UNIT),
            _e(93, "sign"),
            _e(40, "contact"),
            _e(6, "reply", result="A"),
        ],
        timing=BETWEEN,
    ),
    Plan(
        "replied_typed",
        "typed",
        [
            _s(-0.5, "submit"),
            _s(13, "accept"),
            _s(31, "assign", lead=UNIT),
            _s(33, "sign"),
            _s(80, "contact"),
            _s(118, "reply", result="C"),
        ],
    ),
    # Evaluated, waiting to be closed.
    Plan(
        "evaluated_member",
        "member",
        [
            _e(150, "create"),
            _e(149, "submit"),
            _e(130, "accept"),
            _e(120, "assign", lead=UNIT),
            _e(118, "sign"),
            _e(80, "contact"),
            _e(35, "reply", result="A"),
            _e(20, "evaluate", rating="satisfied", comments="答复认真具体，措施可行。"),
        ],
        timing=BETWEEN,
    ),
    Plan(
        "collective_evaluated",
        "collective:农业农村委员会",
        [
            _s(-5.5, "create"),
            _s(-5, "submit"),
            _s(10.8, "accept"),
            _s(31.4, "assign", lead=UNIT),
            _s(33.4, "sign"),
            _s(55, "contact"),
            _e(28, "reply", result="B"),
            _e(12, "evaluate", rating="basic", comments="希望加快已建设施的运维移交进度。"),
        ],
    ),
    # Not satisfied: handled again, second round under way.
    Plan(
        "unsatisfied",
        "member",
        [
            _e(170, "create"),
            _e(169, "submit"),
            _e(150, "accept"),
            _e(140, "assign", lead=UNIT),
            _e(138, "sign"),
            _e(110, "contact"),
            _e(60, "reply", result="C"),
            _e(
                52,
                "evaluate",
                rating="unsatisfied",
                comments="答复只讲了困难，没有提出缩短审批时限的具体措施，请重新研究办理。",
            ),
            _e(30, "contact"),
        ],
        timing=BETWEEN,
    ),
    # Closed: the demo member's key and excellent proposal, a paper reply (D), a collective proposal.
    Plan(
        "closed_member",
        "member",
        [
            _s(-6, "create"),
            _s(-5.5, "submit"),
            _s(10.2, "accept"),
            _s(31.8, "assign", lead=UNIT),
            _s(33.8, "sign"),
            _s(36.5, "key"),
            _s(45, "contact"),
            _s(75, "note", by="leader"),
            _s(100, "reply", result="A"),
            _s(110, "evaluate", rating="satisfied", comments=""),
            _s(125, "close"),
            _e(20, "excellent"),
        ],
    ),
    Plan(
        "closed_paper",
        "typed",
        [
            _s(-1.2, "submit"),
            _s(13.5, "accept"),
            _s(32, "assign", lead=UNIT),
            _s(34, "sign"),
            _s(50, "contact"),
            _s(95, "paper_reply", result="D"),
            _s(140, "close", note="提案人未在平台评价，经电话回访，对答复表示理解。"),
        ],
    ),
    Plan(
        "closed_typed",
        "typed",
        [
            _s(-2.2, "submit"),
            _s(12.8, "accept"),
            _s(32.2, "assign", lead=UNIT),
            _s(34.2, "sign"),
            _s(47, "contact"),
            _s(90, "reply", result="B"),
            _s(130, "close", note="经电话回访，提案人对办理结果表示满意。"),
        ],
        co_signers=1,
    ),
    Plan(
        "collective_closed",
        "collective:农业界",
        [
            _s(-6.5, "create"),
            _s(-6, "submit"),
            _s(10.1, "accept"),
            _s(31.9, "assign", lead=UNIT),
            _s(33.9, "sign"),
            _s(52, "contact"),
            _s(98, "reply", result="A"),
            _s(106, "evaluate", rating="satisfied", comments="办理过程沟通充分。"),
            _s(120, "close"),
            _e(20.1, "excellent"),
        ],
    ),
]

CONTACTS = [
    ("meeting", "到提案人单位当面沟通办理思路，听取提案人对办理工作的意见。"),
    ("phone", "电话联系提案人，通报办理进展，提案人对办理方向表示认可。"),
    ("visit", "邀请提案人一同到现场察看，共同研究解决办法。"),
    ("forum", "召开提案办理座谈会，提案人和相关乡镇、部门负责同志参加。"),
]
REPLIES = {
    "A": "您提出的提案收悉。我局高度重视，经认真研究，提案所提问题已基本解决：相关工作已纳入年度计划并完成，"
    "具体情况如下……感谢您对我县工作的关心和支持。",
    "B": "您提出的提案收悉。提案所提建议具有很强的针对性，我局已列入明年工作计划，正在分步实施，"
    "目前已完成前期调研和方案编制……",
    "C": "您提出的提案收悉。提案所提问题涉及面广、所需资金较多，受当前财力和政策条件限制，需以后逐步解决，"
    "我局将积极争取上级支持……",
    "D": "您提出的提案收悉。提案所提建议对我局工作有参考价值，我局将在今后工作中认真研究借鉴。",
}
SUPERVISION = {
    "office": "提案委员会办公室到承办单位了解办理进度，督促按期答复。",
    "leader": "分管领导召开重点提案督办协调会，听取承办单位办理情况汇报，要求细化措施、按期办结。",
}
VIEWS = "我局同意提案所提建议，将配合主办单位做好复垦耕地指标核定和项目申报工作，所需资金按规定渠道安排。"


@dataclass(order=True)
class Event:
    when: datetime.datetime
    seq: int
    run: Callable[[], Any] = field(compare=False)


@contextlib.contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (they read the time from timezone.now)."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def current_session(committee, today: datetime.date) -> Session | None:
    """The session of the current term that last began by `today` (else the current term's first)."""
    sessions = Session.objects.filter(term__committee=committee, term__is_current=True)
    return (
        sessions.filter(start_date__lte=today).order_by("-start_date", "-number").first()
        or sessions.order_by("start_date", "number").first()
    )


def seed_proposals(*, committee, users, now=None, seed=None):
    """Build the proposals of the current session as it stands at `now` (default: the real now) for
    `committee`, acting as the demo accounts in `users` (office, leader, member, unitstaff, unit). Does
    nothing and returns None when the session has proposals already (or there is no session); else
    returns the proposals by plan key."""
    now = now or timezone.now()
    session = current_session(committee, timezone.localdate(now))
    if session is None or Proposal.objects.filter(session=session).exists():
        return None
    rng = random.Random(seed if seed is not None else session.pk)
    return _Session(committee, session, users, now, rng).build()


class _Session:
    def __init__(self, committee, session, users, now, rng):
        self.committee = committee
        self.session = session
        self.users = users
        self.office, self.leader, self.unit = users["office"], users["leader"], users["unit"]
        # Types in the members' paper proposals (and so leaves their review to the office).
        self.clerk = users["clerk"]
        self.now = now
        self.rng = rng
        self.tz = timezone.get_current_timezone()
        self.end = now - datetime.timedelta(minutes=30)
        start = timezone.make_aware(datetime.datetime.combine(session.start_date, datetime.time(9)), self.tz)
        # Filing begins a week before the session opens.
        self.origin = min(start - datetime.timedelta(days=7), self.end - datetime.timedelta(days=2))
        self.day = min(datetime.timedelta(days=1), (self.end - self.origin) / PLAN_DAYS)
        self.start = self.origin + 7 * self.day
        self.office_hours = self.day == datetime.timedelta(days=1)
        self.events: list[Event] = []
        self.seq = 0
        self.proposals: dict[str, Proposal] = {}
        self.categories = {c.name: c for c in ProposalCategory.objects.filter(committee=committee)}
        self.reasons = {r.text: r for r in RejectionReason.objects.filter(committee=committee)}
        self.departments = {d.name: d for d in Department.objects.filter(committee=committee)}
        self.unit_department_id = self.unit.department_id
        self.demo_member = getattr(users["member"], "member", None)
        serving = (
            MemberTerm.objects.filter(
                term__committee=committee, term__is_current=True, status=MemberTerm.Status.SERVING
            )
            .select_related("member", "sector")
            .prefetch_related("special_committees")
            .order_by("member_id")
        )
        demo_pk = getattr(self.demo_member, "pk", None)
        self.member_terms = [mt for mt in serving if mt.member.pk != demo_pk and mt.member.user_id is None]
        self.pool = [mt.member for mt in self.member_terms]
        self.rng.shuffle(self.pool)

    # --- time --------------------------------------------------------------------------------------

    def _when(self, anchor: str, days: float) -> datetime.datetime:
        when = self.start + self.day * days if anchor == "s" else self.end - self.day * days
        if self.office_hours:
            local = timezone.localtime(when, self.tz)
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            when = midnight + datetime.timedelta(hours=8, minutes=30) + (local - midnight) * (9.5 / 24)
        return min(max(when, self.origin), self.end)

    # --- building ----------------------------------------------------------------------------------

    def build(self) -> dict[str, Proposal]:
        for plan in PLANS:
            for anchor, days, step, options in plan.steps:
                self.seq += 1
                self.events.append(
                    Event(self._when(anchor, days), self.seq, self._runner(plan, step, options))
                )
        self._schedule_daily_runs()
        for event in sorted(self.events):
            with _clock(event.when):
                event.run()
        self._read_old_notices()
        return self.proposals

    def _schedule_daily_runs(self) -> None:
        """The daily command, run weekly here: co-signers dropped, units reminded of deadlines."""
        when = self.start + self.day * 28
        while when < self.end:
            self.seq += 1
            moment = when
            self.events.append(
                Event(moment, self.seq, lambda m=moment: reminders.run_daily(today=timezone.localdate(m)))
            )
            when += self.day * 7

    def _runner(self, plan: Plan, step: str, options: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self._step(plan, step, options)

    def _text(self, plan: Plan) -> dict[str, Any]:
        category, title, case, analysis, suggestions, departments = TEXTS[plan.key]
        return {
            "title": title,
            "case": case,
            "analysis": analysis,
            "suggestions": suggestions,
            "category": self.categories.get(category),
            "suggested_departments": [self.departments[d] for d in departments if d in self.departments],
            "timing": plan.timing,
        }

    def _first_proposer(self, plan: Plan):
        if plan.author == "member":
            return self.users["member"]
        if plan.author.startswith("collective:"):
            return self.users["unitstaff"]
        return None

    def _unit_assignments(self, proposal: Proposal) -> list[Assignment]:
        return list(
            Assignment.objects.filter(proposal=proposal, department_id=self.unit_department_id)
            .exclude(status=Assignment.Status.RETURNED)
            .order_by("pk")
        )

    def _step(self, plan: Plan, step: str, options: dict[str, Any]) -> None:
        office, unit = self.office, self.unit
        today = timezone.localdate()
        if step == "create":
            self.proposals[plan.key] = self._create(plan)
            return
        if step == "submit" and plan.author == "typed":
            self.proposals[plan.key] = self._typed(plan)
            return
        proposal = self.proposals.get(plan.key)
        if proposal is None:
            return  # a committee without members to type proposals for
        proposal.refresh_from_db()
        if step == "submit":
            proposal = filing.submit(proposal, actor=self._first_proposer(plan))
        elif step == "confirm":
            if self.demo_member is not None:
                filing.confirm_cosign(proposal, actor=self.users["member"])
        elif step == "accept":
            proposal = review.accept(proposal, actor=office, category=proposal.category)
        elif step == "merge":
            into = self.proposals[options["into"]]
            into.refresh_from_db()
            review.merge([proposal], into=into, actor=office)
        elif step == "convert_opinion":
            proposal = review.convert(
                proposal,
                actor=office,
                to=Proposal.Conversion.OPINION,
                note="所反映问题具体、时效性强，转为社情民意信息报送更为适宜。",
            )
        elif step == "convert_letter":
            proposal = review.convert(
                proposal,
                actor=office,
                to=Proposal.Conversion.LETTER,
                department=self.departments[options["department"]],
                note="所提问题属部门日常工作，已转县市场监督管理局研究办理。",
            )
        elif step == "reject":
            proposal = review.reject(
                proposal, actor=office, reason=self.reasons[options["reason"]], note=options["note"]
            )
        elif step == "assign":
            proposal = assigning.assign(
                proposal,
                actor=office,
                lead=self.departments[options["lead"]],
                co_units=[self.departments[d] for d in options.get("co", ())],
            )
        elif step == "sign":
            for row in self._unit_assignments(proposal):
                if row.status == Assignment.Status.ASSIGNED:
                    assigning.sign_for(row, actor=unit)
        elif step == "return_request":
            row = self._unit_assignments(proposal)[0]
            assigning.request_return(row, actor=unit, reason=options["reason"])
        elif step == "return_accept":
            row = Assignment.objects.get(
                proposal=proposal, status=Assignment.Status.RETURN_REQUESTED, department_id=unit.department_id
            )
            assigning.decide_return(row, actor=office, accept=True, answer=options["answer"])
        elif step == "contact":
            row = self._unit_assignments(proposal)[0]
            way, note = self.rng.choice(CONTACTS)
            handling.record_contact(row, actor=unit, date=today, way=way, note=note)
        elif step == "views":
            row = self._unit_assignments(proposal)[0]
            handling.give_views(row, actor=unit, views=VIEWS)
        elif step == "reply":
            result = options["result"]
            handling.save_reply(proposal, actor=unit, result=result, text=REPLIES[result])
            proposal = handling.send_reply(proposal, actor=unit)
        elif step == "paper_reply":
            result = options["result"]
            proposal = handling.record_paper_reply(
                proposal, actor=office, result=result, text=REPLIES[result], replied_on=today
            )
        elif step == "evaluate":
            proposal = handling.evaluate(
                proposal,
                actor=self._first_proposer(plan),
                rating=options["rating"],
                comments=options["comments"],
            )
        elif step == "close":
            proposal = review.close(proposal, actor=office, note=options.get("note", ""))
        elif step == "key":
            proposal = review.mark_key(proposal, actor=office, key=True, leader=self.leader)
        elif step == "note":
            actor = self.leader if options["by"] == "leader" else office
            review.add_supervision_note(proposal, actor=actor, date=today, note=SUPERVISION[options["by"]])
        elif step == "excellent":
            proposal = review.mark_excellent(proposal, actor=office, excellent=True)
        else:  # pragma: no cover - a typo in the plans
            raise ValueError(step)
        self.proposals[plan.key] = proposal

    def _create(self, plan: Plan) -> Proposal:
        """A draft through the filing service: the demo member's own, or the unit staff's collective
        proposal in the name of a sector or special committee with main authors of that body."""
        values = self._text(plan)
        if plan.author == "member":
            return filing.create_draft(actor=self.users["member"], session=self.session, **values)
        unit = OrgUnit.objects.get(committee=self.committee, name=plan.author.split(":", 1)[1])
        in_unit = [
            mt.member
            for mt in self.member_terms
            if mt.sector_id == unit.pk or unit.pk in {u.pk for u in mt.special_committees.all()}
        ]
        authors = self.rng.sample(in_unit or self.pool, min(2, len(in_unit or self.pool)))
        return filing.create_draft(
            actor=self.users["unitstaff"],
            session=self.session,
            kind=Proposal.Kind.COLLECTIVE,
            collective_unit=unit,
            collective_authors=authors,
            **values,
        )

    def _typed(self, plan: Plan) -> Proposal | None:
        """A member's paper proposal, typed in by the clerk of the proposal office; where the plan says
        so, the demo member is also invited to co-sign it online."""
        if not self.pool:
            return None
        lead = self.pool.pop()
        co = [self.pool.pop() for _ in range(min(plan.co_signers, len(self.pool)))]
        proposal = filing.record_paper_proposal(
            actor=self.clerk,
            lead_member=lead,
            session=self.session,
            kind=Proposal.Kind.INDIVIDUAL,
            co_signers=co,
            **self._text(plan),
        )
        if plan.invite_member and self.demo_member is not None and self.demo_member.user_id:
            self._invite_online(proposal, lead.name)
        return proposal

    def _invite_online(self, proposal: Proposal, lead_name: str) -> None:
        """The demo member asked to co-sign the paper proposal online (no service adds an invitation
        to a submitted proposal): the invitation row, its deadline and the notice, as filing.submit
        makes them."""
        member = self.demo_member
        now = timezone.now()
        proposal.kind = Proposal.Kind.JOINT
        proposal.cosign_deadline = now + datetime.timedelta(
            days=selectors.policy_for(self.committee.pk).cosign_days
        )
        proposal.save(update_fields=["kind", "cosign_deadline"])
        ProposalAuthor.objects.create(
            proposal=proposal,
            member=member,
            user_id=member.user_id,
            name=member.name,
            role=ProposalAuthor.Role.CO,
            consent=ProposalAuthor.Consent.PENDING,
            order=proposal.authors.count(),
        )
        send(
            proposal,
            [member.user_id],
            kind="proposal.cosign_invited",
            title=_("%(name)s invites you to co-sign a proposal: %(title)s")
            % {"name": lead_name, "title": proposal.title},
        )

    def _read_old_notices(self) -> None:
        """Notices of the session's proposals were read back then, except those of the last few days."""
        Notification.objects.filter(
            committee=self.committee,
            url__startswith="/proposals/",
            read_at__isnull=True,
            created_at__lt=self.now - datetime.timedelta(days=5),
        ).update(read_at=F("created_at") + datetime.timedelta(hours=3))

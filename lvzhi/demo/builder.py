"""Demo data for a fictional county committee (政协青溪县委员会): realistic structure, made-up people.

The builder makes the committee, its structure, the accounts and the member files, then asks each
feature app for its part through the app's own `demo.py` (activities, library, studies), in the order
in which each part needs the ones before it.

Every name, ID number and phone number is generated; ID numbers carry a correct GB 11643 check digit
but use an area code that is not assigned to any real county.
"""

import datetime
import random

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from lvzhi.accounts.models import TOTPDevice, User
from lvzhi.accounts.roles import Role
from lvzhi.activities.demo import YearBuilder
from lvzhi.core import idcard
from lvzhi.library.demo import build_library
from lvzhi.members import services as member_services
from lvzhi.members.models import ContactUpdateRequest, Member, MemberTerm
from lvzhi.opinions.demo import seed_opinions
from lvzhi.organization.models import (
    Committee,
    Department,
    Liaison,
    LiaisonContact,
    Membership,
    OrgUnit,
    Session,
    Term,
)
from lvzhi.portal.demo import seed_portal
from lvzhi.proposals.demo import seed_proposals
from lvzhi.scoring.demo import seed_scoring
from lvzhi.studies.demo import seed_studies

COMMITTEE_CODE = "qingxi"
COMMITTEE_NAME = "政协青溪县委员会"
# 99 is no province code, so no generated number can belong to a real person.
AREA_CODES = ["990101", "990102", "990121", "990122"]

SECTORS = [
    "中国共产党",
    "中国国民党革命委员会",
    "中国民主同盟",
    "中国民主建国会",
    "中国民主促进会",
    "中国农工民主党",
    "中国致公党",
    "九三学社",
    "无党派人士",
    "中国共产主义青年团",
    "总工会",
    "妇女联合会",
    "工商业联合会",
    "科学技术界",
    "经济界",
    "农业界",
    "教育界",
    "体育界",
    "新闻出版界",
    "文化艺术界",
    "医药卫生界",
    "社会福利和社会保障界",
    "少数民族界",
    "宗教界",
    "特邀人士",
]
TOWNS = [
    "城关镇",
    "东关镇",
    "西河镇",
    "南湖镇",
    "北山镇",
    "青石镇",
    "柳林镇",
    "桃源镇",
    "白沙镇",
    "高桥镇",
    "龙泉镇",
    "石门镇",
    "马家镇",
    "新安镇",
    "永兴镇",
    "黄庄乡",
    "杏花乡",
]
SPECIAL_COMMITTEES = [
    "提案委员会",
    "经济委员会",
    "农业农村委员会",
    "教科卫体委员会",
    "文化文史和学习委员会",
    "委员工作委员会",
]
DEPARTMENTS = [
    ("县发展和改革局", Department.Kind.GOVERNMENT),
    ("县教育体育局", Department.Kind.GOVERNMENT),
    ("县科学技术局", Department.Kind.GOVERNMENT),
    ("县财政局", Department.Kind.GOVERNMENT),
    ("县人力资源和社会保障局", Department.Kind.GOVERNMENT),
    ("县自然资源局", Department.Kind.GOVERNMENT),
    ("县住房和城乡建设局", Department.Kind.GOVERNMENT),
    ("县农业农村局", Department.Kind.GOVERNMENT),
    ("县文化广电旅游局", Department.Kind.GOVERNMENT),
    ("县卫生健康局", Department.Kind.GOVERNMENT),
    ("县市场监督管理局", Department.Kind.GOVERNMENT),
    ("县民政局", Department.Kind.GOVERNMENT),
    ("县委统战部", Department.Kind.PARTY),
]
LIAISONS = {
    "提案委员会": ["县委统战部", "县财政局"],
    "经济委员会": ["县发展和改革局", "县市场监督管理局", "县住房和城乡建设局"],
    "农业农村委员会": ["县农业农村局", "县自然资源局"],
    "教科卫体委员会": ["县教育体育局", "县科学技术局", "县卫生健康局"],
    "文化文史和学习委员会": ["县文化广电旅游局"],
    "委员工作委员会": ["县人力资源和社会保障局", "县民政局"],
}
LIAISON_UNITS = {
    "委员工作委员会": ["城关镇", "东关镇", "西河镇"],
    "经济委员会": ["经济界", "工商业联合会"],
    "教科卫体委员会": ["教育界", "医药卫生界"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
GIVEN_FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠烟"
EMPLOYERS = [
    "县人民医院{post}",
    "县中医院{post}",
    "县第一中学{post}",
    "县实验小学{post}",
    "{town}中心学校{post}",
    "{town}卫生院{post}",
    "青溪农商银行{post}",
    "县供电公司{post}",
    "县律师事务所{post}",
    "青溪{biz}有限公司{post}",
    "{town}{farm}专业合作社{post}",
    "县科技馆{post}",
    "县融媒体中心{post}",
    "县图书馆{post}",
    "县职业中专{post}",
    "县工商联{post}",
    "县妇联{post}",
    "县总工会{post}",
    "{town}人民政府{post}",
    "县文化馆{post}",
]
POSTS = [
    "副院长",
    "主任医师",
    "校长",
    "副校长",
    "教师",
    "董事长",
    "总经理",
    "副总经理",
    "理事长",
    "主任",
    "副主任",
    "馆长",
    "律师",
    "工程师",
    "经理",
]
BUSINESSES = ["建材", "食品", "纺织", "茶业", "机械", "电子", "物流", "旅游开发", "生物科技", "新能源"]
FARMS = ["果蔬", "茶叶", "水稻", "养殖", "中药材", "花卉"]
ETHNICITIES = ["汉族"] * 18 + ["回族", "满族", "壮族", "苗族", "土家族", "蒙古族"]
NATIVE_PLACES = ["青溪县", "青溪县", "青溪县", "云州市", "江宁县", "临河县", "望山县"]
PARTY_WEIGHTS = [
    (Member.Party.CPC, 36),
    (Member.Party.NON_PARTY, 30),
    (Member.Party.RCCK, 3),
    (Member.Party.CDL, 7),
    (Member.Party.CNDCA, 6),
    (Member.Party.CAPD, 6),
    (Member.Party.PWDP, 5),
    (Member.Party.CZGP, 2),
    (Member.Party.JIUSAN, 5),
]
EDUCATION_WEIGHTS = [
    (Member.Education.DOCTORATE, 3),
    (Member.Education.MASTER, 18),
    (Member.Education.BACHELOR, 52),
    (Member.Education.ASSOCIATE, 18),
    (Member.Education.SECONDARY, 7),
    (Member.Education.BASIC, 2),
]
PARTY_SECTOR = {
    Member.Party.RCCK: "中国国民党革命委员会",
    Member.Party.CDL: "中国民主同盟",
    Member.Party.CNDCA: "中国民主建国会",
    Member.Party.CAPD: "中国民主促进会",
    Member.Party.PWDP: "中国农工民主党",
    Member.Party.CZGP: "中国致公党",
    Member.Party.JIUSAN: "九三学社",
}

DEMO_USERS = [
    ("sysadmin", "系统管理员（演示）", Role.SYSADMIN),
    ("secadmin", "安全保密管理员（演示）", Role.SECADMIN),
    ("auditor", "安全审计员（演示）", Role.AUDITOR),
    ("office", "办公室 王主任（演示）", Role.OFFICE),
    # Types in the members' paper proposals (the typist of a proposal never reviews it: the office does).
    ("clerk", "提案委员会办公室 李干事（演示）", Role.OFFICE),
    ("unitstaff", "经济委员会 工作人员（演示）", Role.UNIT_STAFF),
    ("editor", "社情民意编辑（演示）", Role.EDITOR),
    ("leader", "秘书长（演示）", Role.LEADER),
    ("member", None, Role.MEMBER),
    ("officer", "信息员（演示）", Role.OFFICER),
    ("unit", "县农业农村局（演示）", Role.HANDLING_UNIT),
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def demo_exists():
    return Committee.objects.filter(code=COMMITTEE_CODE).exists()


# The demo accounts that sign in with a second factor: the administrators, and the office, which may see
# and export full personal data (accounts.second_factor.required_for says who must).
SECOND_FACTOR_USERS = ("sysadmin", "secadmin", "auditor", "office", "clerk")


class DemoBuilder:
    def __init__(self, *, members=280, standing=45, seed=2026, progress=None, now=None):
        """`now`: the moment the demo stands at (default: the real now). Activities of its year that are
        over by then are closed, the later ones published; tests fix it so that the demo does not depend
        on the day they run."""
        self.now = now or timezone.now()
        self.rng = random.Random(seed)
        self.member_count = members
        self.standing_count = standing
        self.progress = progress or (lambda total, label: None)
        self.used_names = set()

    @transaction.atomic
    def build(self):
        self.committee = self._committee()
        self.term = self._term()
        self.units = self._units()
        self.departments = self._departments()
        self._liaisons()
        self.users = self._users()
        self.members = self._members()
        self._posts()
        self._link_demo_accounts()
        self._liaison_contacts()
        self._history_and_requests()
        self.activities = YearBuilder(self, now=self.now).build()
        self.documents = build_library(self)
        self.study_plan = seed_studies(
            committee=self.committee,
            year=timezone.localdate(self.now).year,
            now=self.now,
            office_user=self.users["office"],
            members=Member.objects.filter(
                committee=self.committee,
                terms__term=self.term,
                terms__status=MemberTerm.Status.SERVING,
            ).order_by("pk"),
            seed=self.rng.randrange(2**32),
        )
        self.opinion_reports = seed_opinions(
            committee=self.committee, users=self.users, now=self.now, seed=self.rng.randrange(2**32)
        )
        self.proposals = seed_proposals(
            committee=self.committee, users=self.users, now=self.now, seed=self.rng.randrange(2**32)
        )
        # Last: the year's scores are computed from everything above.
        self.unit_assessments = seed_scoring(
            committee=self.committee, users=self.users, now=self.now, seed=self.rng.randrange(2**32)
        )
        # After the opinions (a public message becomes a report) and after the scores' random draws.
        self.portal = seed_portal(
            committee=self.committee, users=self.users, now=self.now, seed=self.rng.randrange(2**32)
        )
        return self.committee

    def _committee(self):
        city, _ = Committee.objects.get_or_create(
            code="yunzhou", defaults={"name": "政协云州市委员会", "level": Committee.Level.CITY}
        )
        return Committee.objects.create(
            code=COMMITTEE_CODE, name=COMMITTEE_NAME, level=Committee.Level.COUNTY, parent=city
        )

    def _term(self):
        term = Term.objects.create(
            committee=self.committee,
            number=9,
            name="第九届",
            start_date=datetime.date(2025, 1, 8),
            end_date=datetime.date(2029, 12, 31),
            is_current=True,
        )
        Session.objects.create(
            term=term,
            number=1,
            name="第一次会议",
            start_date=datetime.date(2025, 1, 8),
            end_date=datetime.date(2025, 1, 11),
        )
        Session.objects.create(
            term=term,
            number=2,
            name="第二次会议",
            start_date=datetime.date(2026, 1, 13),
            end_date=datetime.date(2026, 1, 16),
        )
        return term

    def _units(self):
        kind = OrgUnit.Kind
        units = {}
        fixed = [
            (kind.STANDING_COMMITTEE, "政协青溪县第九届委员会常务委员会"),
            (kind.CHAIRS_COUNCIL, "主席会议"),
            (kind.OFFICE, "政协青溪县委员会办公室"),
        ]
        for order, (k, name) in enumerate(fixed):
            units[name] = OrgUnit.objects.create(
                committee=self.committee, kind=k, name=name, sort_order=order
            )
        for order, name in enumerate(SPECIAL_COMMITTEES):
            units[name] = OrgUnit.objects.create(
                committee=self.committee, kind=kind.SPECIAL_COMMITTEE, name=name, sort_order=order
            )
        for order, name in enumerate(SECTORS):
            units[name] = OrgUnit.objects.create(
                committee=self.committee, kind=kind.SECTOR, name=name, sort_order=order
            )
        for order, town in enumerate(TOWNS):
            parent = OrgUnit.objects.create(
                committee=self.committee,
                kind=kind.TOWN_COMMITTEE,
                name=f"{town}政协工委",
                short_name=town,
                sort_order=order,
            )
            units[town] = parent
        # Two town committees organise their members in groups, as many counties do.
        for town in TOWNS[:2]:
            for n in (1, 2):
                name = f"{town}第{'一二'[n - 1]}委员小组"
                units[name] = OrgUnit.objects.create(
                    committee=self.committee,
                    kind=kind.MEMBER_GROUP,
                    name=name,
                    parent=units[town],
                    sort_order=n,
                )
        return units

    def _departments(self):
        return {
            name: Department.objects.create(
                committee=self.committee,
                name=name,
                kind=kind,
                contact_person="办公室",
                contact_phone=f"0799-{self.rng.randint(6200000, 6299999)}",
            )
            for name, kind in DEPARTMENTS
        }

    def _liaisons(self):
        for unit_name, departments in LIAISONS.items():
            for dept in departments:
                Liaison.objects.create(
                    committee=self.committee, unit=self.units[unit_name], department=self.departments[dept]
                )
        for unit_name, targets in LIAISON_UNITS.items():
            for target in targets:
                Liaison.objects.create(
                    committee=self.committee, unit=self.units[unit_name], target_unit=self.units[target]
                )

    def _users(self):
        users = {}
        # Every demo account has the same password: hashing it once saves seconds of a slow hasher.
        password = make_password(settings.LVZHI_DEMO_PASSWORD)
        for username, display, role in DEMO_USERS:
            user = User.objects.create(
                username=username,
                password=password,
                password_changed_at=timezone.now(),
                committee=self.committee,
                display_name=display or "",
            )
            user.groups.add(Group.objects.get(name=role.value))
            users[username] = user
        users["unitstaff"].units.add(self.units["经济委员会"], self.units["城关镇"])
        # The handling unit's account answers for 县农业农村局: it sees what is transferred to it.
        users["unit"].department = self.departments["县农业农村局"]
        users["unit"].save(update_fields=["department"])
        # The administrators and the office (which sees full personal data) sign in with a second
        # factor; the demo enrols them so that `manage.py demo_totp` can print their current codes.
        for username in SECOND_FACTOR_USERS:
            TOTPDevice.objects.create(user=users[username], secret=pyotp.random_base32())
        return users

    def _name(self, male):
        pool = GIVEN_MALE if male else GIVEN_FEMALE
        while True:
            surname = self.rng.choice(SURNAMES)
            given = self.rng.choice(pool) + (self.rng.choice(pool) if self.rng.random() < 0.7 else "")
            name = surname + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _employer(self, town):
        template = self.rng.choice(EMPLOYERS)
        return template.format(
            post=self.rng.choice(POSTS),
            town=town,
            biz=self.rng.choice(BUSINESSES),
            farm=self.rng.choice(FARMS),
        )

    def _members(self):
        bar = self.progress(self.member_count, "member files")
        office = self.users["office"]
        special = [self.units[n] for n in SPECIAL_COMMITTEES]
        plain_sectors = [s for s in SECTORS if s not in PARTY_SECTOR.values() and s != "中国共产党"]
        members = []
        standing = set(self.rng.sample(range(self.member_count), self.standing_count))
        for i in range(self.member_count):
            male = self.rng.random() < 0.68
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 365 * 32))
            # The 17th digit's parity carries the sex (odd: male).
            seq = 2 * ((i + 1) % 500) + (1 if male else 0)
            id_number = idcard.make(self.rng.choice(AREA_CODES), birth, seq)
            town = self.rng.choice(TOWNS)
            party = _weighted(self.rng, PARTY_WEIGHTS)
            if party in PARTY_SECTOR and self.rng.random() < 0.8:
                sector = PARTY_SECTOR[party]
            elif party == Member.Party.CPC and self.rng.random() < 0.35:
                sector = "中国共产党"
            elif party == Member.Party.NON_PARTY and self.rng.random() < 0.25:
                sector = "无党派人士"
            else:
                sector = self.rng.choice(plain_sectors)
            # Drawn in this order (the file, its status, its committees) so that the demo stays the same.
            data = {
                "name": self._name(male),
                "gender": Member.Gender.MALE if male else Member.Gender.FEMALE,
                "ethnicity": self.rng.choice(ETHNICITIES),
                "birth_date": birth,
                "native_place": self.rng.choice(NATIVE_PLACES),
                "id_number": id_number,
                "phone": f"1{self.rng.choice('3578')}{self.rng.randint(0, 999999999):09d}",
                "email": f"m{i + 1:03d}@example.cn" if self.rng.random() < 0.6 else "",
                "party": party,
                "education": _weighted(self.rng, EDUCATION_WEIGHTS),
                "employer_post": self._employer(town),
                "address": f"青溪县{town}{self.rng.choice('东西南北中')}街{self.rng.randint(1, 199)}号",
            }
            status, status_date, reason = MemberTerm.Status.SERVING, None, ""
            roll = self.rng.random()
            if roll < 0.015:
                status, status_date, reason = (
                    MemberTerm.Status.TRANSFERRED,
                    datetime.date(2026, 3, 20),
                    "工作调动离开本县",
                )
            elif roll < 0.025:
                status, status_date, reason = (
                    MemberTerm.Status.RESIGNED,
                    datetime.date(2025, 11, 2),
                    "本人申请辞去委员职务",
                )
            member = member_services.create_member(
                committee=self.committee,
                actor=office,
                data=data,
                term=self.term,
                term_values={
                    "sector": self.units[sector],
                    "town_committee": self.units[town],
                    "special_committees": self.rng.sample(special, self.rng.choice([0, 1, 1, 1, 2])),
                    "is_standing": i in standing,
                    "status": status,
                    "status_date": status_date,
                    "status_reason": reason,
                },
            )
            members.append(member)
            if bar:
                bar.step()
        return members

    def _posts(self):
        start = self.term.start_date
        rng = self.rng
        Position = Membership.Position

        def post(unit, member, position):
            Membership.objects.create(unit=unit, member=member, position=position, start_date=start)

        def members_in(**term_filter):
            return [mt.member for mt in MemberTerm.objects.filter(**term_filter).select_related("member")]

        for name in SPECIAL_COMMITTEES:
            director, *deputies = rng.sample(self.members, 3)
            post(self.units[name], director, Position.DIRECTOR)
            for deputy in deputies:
                post(self.units[name], deputy, Position.DEPUTY_DIRECTOR)
        for name in SECTORS:
            if in_sector := members_in(sector=self.units[name]):
                post(self.units[name], rng.choice(in_sector), Position.CONVENER)
        for town in TOWNS:
            if in_town := members_in(town_committee=self.units[town]):
                post(self.units[town], rng.choice(in_town), Position.DIRECTOR)
        for town in TOWNS[:2]:
            in_town = members_in(town_committee=self.units[town])
            for n, chunk in enumerate((in_town[::2], in_town[1::2])):
                group = self.units[f"{town}第{'一二'[n]}委员小组"]
                for k, member in enumerate(chunk):
                    post(group, member, Position.GROUP_LEADER if k == 0 else Position.MEMBER)

    def _link_demo_accounts(self):
        # The demo member is a serving standing-committee member in 城关镇, so the pages have content.
        member_term = (
            MemberTerm.objects.filter(
                term=self.term,
                is_standing=True,
                status=MemberTerm.Status.SERVING,
                town_committee=self.units["城关镇"],
            )
            .select_related("member")
            .first()
        ) or MemberTerm.objects.filter(term=self.term, status=MemberTerm.Status.SERVING).select_related(
            "member"
        ).first()
        member = member_term.member
        member.user = self.users["member"]
        member.save(update_fields=["user"])
        user = self.users["member"]
        user.display_name = member.name
        user.save(update_fields=["display_name"])

    def _liaison_contacts(self):
        topics = [
            ("就优化营商环境开展座谈，听取部门工作情况通报", "整理委员意见建议，形成专题报告"),
            ("联合开展基层调研，走访重点企业和项目", "对接部门反馈问题办理情况"),
            ("通报年度重点提案办理进展", "下季度开展跟踪视察"),
            ("围绕乡村振兴召开协商座谈会", "形成协商成果报送县委县政府"),
        ]
        for n, liaison in enumerate(Liaison.objects.filter(committee=self.committee).select_related("unit")):
            topic, follow = topics[n % len(topics)]
            LiaisonContact.objects.create(
                liaison=liaison,
                date=datetime.date(2026, 3 + n % 8, 5 + n % 20),
                participants=f"{liaison.unit.name}主任、副主任及部门分管负责同志",
                topic=topic,
                follow_up=follow,
                recorded_by=self.users["office"],
            )

    def _history_and_requests(self):
        office = self.users["office"]
        for member in self.members[:5]:
            before = member_services.snapshot(member)
            member.employer_post = member.employer_post + "（兼县政协特约研究员）"
            member_services.update_member(
                member=member, before=before, expected_version=member.version, actor=office
            )
        demo_member = self.users["member"].member
        ContactUpdateRequest.objects.create(
            member=demo_member,
            phone="13900001234",
            email="demo.member@example.cn",
            address=demo_member.address,
        )

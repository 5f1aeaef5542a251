"""Library documents of the demo committee (part of `seed_demo`). The texts are short summaries written
for the demo, not official texts: enough to show members what the library holds and who reads what."""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from lvzhi.core import docx_official
from lvzhi.library import services as library_services
from lvzhi.library.models import Document

C = Document.Category
A = Document.Audience

DOCUMENTS = [
    (
        C.CHARTER,
        A.EVERYONE,
        (1, 6),
        "政协章程要点（学习摘编）",
        "按章程的结构摘编人民政协的性质、主要职能和委员的权利义务，供委员和工作人员学习时对照。",
        """人民政协是中国共产党领导的多党合作和政治协商的重要机构，是国家治理体系的重要组成部分，是社会主义协商民主的重要渠道和专门协商机构。

主要职能是政治协商、民主监督、参政议政。政治协商是对国家和地方的大政方针以及政治、经济、文化和社会生活中的重要问题在决策之前和决策实施之中进行协商；民主监督是通过提出意见、批评、建议进行的协商式监督；参政议政是对政治、经济、文化、社会生活和生态环境等方面的重要问题以及人民群众普遍关心的问题开展调查研究，反映社情民意，进行协商讨论。

委员享有在政协会议上和各种活动中发表意见、提出提案、反映社情民意的权利，对政协工作提出批评和建议的权利；同时应当遵守章程，执行决议，参加会议和活动，密切联系所在界别和群众，如实反映情况。""",
    ),
    (
        C.RULES,
        A.MEMBERS_AND_STAFF,
        (2, 18),
        "政协青溪县委员会委员履职管理办法",
        "规定委员参加会议和活动、请假、提交提案和社情民意信息等履职要求，以及年度履职档案和考核的做法。",
        """第一条 为规范和加强委员履职管理，推动委员更好地履行职责，结合本县实际，制定本办法。

第二条 委员应当按时参加全体会议、常务委员会会议（常委）和所在专门委员会、镇区工委组织的会议与活动。因故不能参加的，应当在会前提出请假申请并说明理由。全体会议和常务委员会会议的请假由秘书长审批，其他活动由组织单位负责人审批。

第三条 委员每年至少提交一件提案或一篇社情民意信息，积极参加视察、调研、协商等履职活动。

第四条 委员履职情况由组织活动的单位如实记录，汇总形成委员年度履职档案。委员可以随时查看本人的履职档案，对记录有异议的，可以向委员工作委员会提出核实。

第五条 年度履职考核按照考核细则进行，结果向委员本人反馈，并在常务委员会会议上通报。""",
    ),
    (
        C.RULES,
        A.MEMBERS_AND_STAFF,
        (3, 2),
        "政协青溪县委员会会议请假和考勤规定",
        "说明各类会议的请假程序、审批权限和考勤记录方式，以及迟到、早退和缺席的认定。",
        """一、委员因公出差、患病或其他特殊原因不能参加会议的，应当在会前通过系统或书面方式请假，写明原因。

二、会议签到以扫码签到或工作人员现场登记为准。会议开始十五分钟后签到的，记为迟到；会议中途离开且未返回的，记为早退。

三、未请假或请假未获批准而未参加会议的，记为缺席。会议结束后，组织单位在三个工作日内核对考勤并关闭会议，考勤结果自动记入委员履职档案。

四、对考勤记录有异议的，委员可以向组织单位说明情况，由工作人员注明理由后更正。""",
    ),
    (
        C.RULES,
        A.STANDING,
        (3, 10),
        "常务委员会会议议事规则（摘要）",
        "常务委员会会议的召开、议题确定、审议和表决程序要点，供常委会组成人员参阅。",
        """常务委员会会议一般每两个月召开一次，由主席召集并主持，也可以由主席委托副主席主持。

会议议题由主席会议提出，会前七日通知常务委员，并提供有关材料。常务委员应当认真研读会议材料，围绕议题准备发言。

会议须有常务委员过半数出席方能召开；表决事项以全体常务委员过半数同意为通过。常务委员的书面发言由办公室汇编，随会议纪要印送有关方面。""",
    ),
    (
        C.OPINION,
        A.MEMBERS_AND_STAFF,
        (4, 1),
        "关于加强和改进委员联系界别群众工作的意见",
        "提出委员联系界别群众的方式、频次和反映问题的渠道，推动委员在本界别中发挥代表作用。",
        """委员应当经常深入所在界别和基层，了解群众关心的问题。各界别召集人每半年至少组织一次界别活动，镇区工委每季度组织一次委员活动日。

委员在联系群众中了解到的重要情况，可以通过社情民意信息或提案及时反映。委员工作委员会对委员联系群众情况进行汇总，纳入年度履职评价。""",
    ),
    (
        C.STUDY,
        A.EVERYONE,
        (2, 25),
        "{year}年度委员学习计划",
        "全年学习安排：理论学习、履职知识、县情专题三个板块，每季度一次集中学习，平时以自学为主。",
        """第一季度：学习人民政协理论和本届工作任务，参加年度履职能力提升培训班。

第二季度：结合“推进乡村全面振兴”协商议题，学习有关政策，参加常委会组成人员专题学习会。

第三季度：围绕县域营商环境和医疗卫生服务体系建设开展专题学习，结合视察调研撰写学习体会。

第四季度：开展委员读书活动，交流读书心得，每位委员提交一篇学习笔记。""",
    ),
    (
        C.STUDY,
        A.MEMBERS_AND_STAFF,
        (5, 6),
        "提案和社情民意信息撰写要点",
        "从选题、调研、写作到提交，一步步说明一件好提案和一篇好信息应当怎样写。",
        """选题：聚焦县委县政府中心工作和群众关心的问题，一事一案，避免题目过大。

调研：写之前到现场看、找部门问、听群众讲，掌握数据和典型事例。

写作：提案由案由、情况分析和具体建议组成，建议要有针对性和可操作性；社情民意信息要短、实、新，一事一报，突出问题和建议。

提交：通过系统提交，联名提案须在截止日期前由联名人确认。""",
    ),
    (
        C.OTHER,
        A.STAFF,
        (1, 20),
        "委员履职档案工作手册（工作人员用）",
        "说明活动组织单位如何记录考勤、关闭活动、更正记录，以及履职档案与年度考核的关系。",
        """活动结束后，组织单位应及时核对签到情况，对未签到但实际参加的委员补登签到并注明理由，然后关闭活动。关闭后考勤自动写入履职档案。

如需更正已关闭活动的考勤，应当填写更正理由；更正后履职档案同步更新，系统保留全部修改记录。

年度考核前，委员工作委员会核对各单位的活动记录，确认无遗漏后再生成考核结果。""",
    ),
]


AUTHOR = "政协青溪县委员会办公室"
# These come with their Word version attached, in the official-document layout.
WITH_WORD_FILE = {"政协青溪县委员会委员履职管理办法", "政协青溪县委员会会议请假和考勤规定"}


def build_library(demo):
    """The demo committee's library documents, entered by the office account."""
    today = timezone.localdate()
    year = today.year
    office = demo.users["office"]
    documents = []
    for category, audience, (month, day), title, summary, body in DOCUMENTS:
        title = title.format(year=year)
        documents.append(
            library_services.create_document(
                actor=office,
                data={
                    "title": title,
                    "category": category,
                    "audience": audience,
                    "summary": summary,
                    "body": body,
                    "published_on": min(datetime.date(year, month, day), today),
                    "is_published": True,
                },
                upload=_word_file(title, body) if title in WITH_WORD_FILE else None,
            )
        )
    return documents


def _word_file(title, body):
    """The document as a Word file, which create_document checks and stores like any upload."""
    document = docx_official.new_document(title=title, author=AUTHOR)
    docx_official.add_title(document, title)
    docx_official.add_blank_line(document)
    for paragraph in body.split("\n\n"):
        docx_official.add_body_paragraph(document, paragraph.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return ContentFile(buffer.getvalue(), name=f"{title}.docx")

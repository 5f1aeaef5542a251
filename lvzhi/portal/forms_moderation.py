"""Forms of the office's moderation pages (views/moderation.py): the queue's filters, the steps on a
message (publish, answer privately, hide, turn into a report), reply templates and the site's settings.
The services check everything again (services/moderation.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.forms import StyledFormMixin

from .models import Category
from .services import moderation as services

# The queue's tabs, in the order the page shows them.
TABS = [
    # zh: 待处理
    ("received", pgettext_lazy("messages tab", "Received")),
    # zh: 含敏感词
    ("held", pgettext_lazy("messages tab", "Held")),
    # zh: 超期
    ("overdue", pgettext_lazy("messages tab", "Overdue")),
    # zh: 已私下答复
    ("answered", pgettext_lazy("messages tab", "Answered privately")),
    # zh: 已公开
    ("published", pgettext_lazy("messages tab", "Published")),
    # zh: 已转社情民意
    ("converted", pgettext_lazy("messages tab", "Turned into reports")),
    # zh: 已隐藏
    ("hidden", pgettext_lazy("messages tab", "Hidden")),
]
Q_MAX = 100


class MessageFilterForm(forms.Form):
    """The queue's tab, category and search; an invalid value is dropped (the others still apply)."""

    tab = forms.ChoiceField(required=False, choices=TABS, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        # zh: 全部类别
        choices=[("", _("All categories")), *Category.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    q = forms.CharField(
        # zh: 标题或内容
        label=_("Title or content"),
        required=False,
        max_length=Q_MAX,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )

    def filters(self):
        """The valid filters only, `tab` always set ("received" unless a valid one was asked for)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        chosen = {name: data.get(name) for name in self.fields if name not in self.errors and data.get(name)}
        chosen.setdefault("tab", "received")
        if "q" in chosen:
            chosen["q"] = chosen["q"].strip()
        return chosen


class ReplyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            # zh: 答复
            label=_("Reply"),
            max_length=services.REPLY_MAX,
            widget=forms.Textarea(attrs={"rows": 6}),
            **kwargs,
        )


class PublishForm(StyledFormMixin, forms.Form):
    reply = ReplyField(
        # zh: 答复随留言一起在网站上公开。
        help_text=_("The reply is shown on the public site with the message."),
    )
    words_checked = forms.BooleanField(
        # zh: 我已核对标出的敏感词
        label=_("I have checked the flagged words"),
        required=True,
        # zh: 请先核对标出的敏感词，再勾选此项。
        error_messages={"required": _("Check the flagged words first, then tick this box.")},
    )

    def __init__(self, *args, held=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not held:
            del self.fields["words_checked"]


class AnswerForm(StyledFormMixin, forms.Form):
    """The private reply: its textarea is id_answer_reply (the page's publish form has id_reply)."""

    reply = ReplyField(
        # zh: 只有留言人凭查询码能看到这条答复，不在网站上公开。
        help_text=_("Only the writer reads this reply, with their query code; it is not shown on the site."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_answer_%s")
        super().__init__(*args, **kwargs)


class HideForm(StyledFormMixin, forms.Form):
    hide_reason = forms.CharField(
        # zh: 隐藏原因
        label=_("Reason for hiding"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        # zh: 例如：广告、辱骂、重复留言。留言不会被删除，可以恢复。
        help_text=_(
            "For example: advertising, abuse, a repeated message. The message is kept and can be restored."
        ),
    )


class ConvertForm(StyledFormMixin, forms.Form):
    report_title = forms.CharField(
        # zh: 信息标题
        label=_("Report title"),
        max_length=services.REPORT_TITLE_MAX,
    )
    report_body = forms.CharField(
        # zh: 信息正文
        label=_("Report text"),
        max_length=services.REPORT_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    include_contact = forms.BooleanField(
        # zh: 在正文末尾附上留言人的姓名和电话
        label=_("Add the writer's name and telephone at the end of the text"),
        required=False,
        # zh: 只在核实需要时勾选：编辑和领导都会看到。
        help_text=_("Only when the verification needs them: the editors and the leaders will read them."),
    )


class ReplyTemplateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        # zh: 名称
        label=pgettext_lazy("reply template", "Title"),
        max_length=services.TEMPLATE_TITLE_MAX,
    )
    text = forms.CharField(
        # zh: 内容
        label=_("Text"),
        max_length=services.TEMPLATE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    order = forms.IntegerField(
        # zh: 排序
        label=_("Order"),
        min_value=0,
        max_value=32767,
        initial=0,
        # zh: 数字小的排在前面。
        help_text=_("Smaller numbers come first."),
    )


class SettingsForm(StyledFormMixin, forms.Form):
    accepting_messages = forms.BooleanField(
        # zh: 接受公众留言
        label=_("Accepting public messages"),
        required=False,
        # zh: 取消勾选后，网站上的留言表单关闭，只显示办公室电话。
        help_text=_("When unticked, the message form on the site is closed and shows the office telephone."),
    )
    sensitive_words = forms.CharField(
        # zh: 敏感词
        label=_("Sensitive words"),
        required=False,
        max_length=services.WORDS_MAX * (services.WORD_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 10}),
        # zh: 每行一个词或短语。含有这些词的留言需要核对后才能公开（不会被拒收）。
        help_text=_(
            "One word or phrase a line. A message holding one waits for an explicit check before it can "
            "be published (it is never refused)."
        ),
    )
    overdue_days = forms.IntegerField(
        # zh: 超期天数
        label=_("Days before a message is overdue"),
        min_value=services.OVERDUE_DAYS_MIN,
        max_value=services.OVERDUE_DAYS_MAX,
        # zh: 留言提交后超过这么多天仍未答复，在列表中标为超期。
        help_text=_("A message not answered this many days after it was sent is marked overdue."),
    )
    office_phone = forms.CharField(
        # zh: 办公室电话
        label=_("Office telephone"),
        required=False,
        max_length=services.OFFICE_PHONE_MAX,
        # zh: 显示在网站各页和验证码旁边。
        help_text=_("Shown on every page of the site and beside the captcha."),
    )

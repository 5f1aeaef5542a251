"""Issue 3's journey: staff upload a roster with errors, read the preview with the errors by row and column,
import the valid rows, and download the export."""

import datetime

import pytest
from openpyxl import Workbook, load_workbook

from lvzhi.core import idcard
from lvzhi.demo.builder import DemoBuilder
from lvzhi.members.models import Member, RosterImport

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(transactional_db):
    return DemoBuilder(members=20, standing=4).build()


def roster_with_errors(path):
    good = idcard.make("990102", datetime.date(1979, 5, 6), 13)
    other = idcard.make("990102", datetime.date(1983, 8, 9), 24)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["政协青溪县第九届委员会新增委员名单"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "姓名", "性别", "公民身份号码", "界别", "所属工委", "工作单位及职务"])
    sheet.append([1, "欧阳明", "男", good, "教育", "城关镇", "县三中校长"])
    sheet.append([2, "司马兰", "女", other, "医药卫生界", "东关镇政协工委", "县妇幼保健院医生"])
    sheet.append([3, "上官勇", "男", 4.10105197905061e17, "经济界", "西河镇", "县农商行行长"])
    sheet.append(
        [
            4,
            "诸葛亮",
            "男",
            good[:-1] + "0" if good[-1] != "0" else good[:-1] + "1",
            "不存在界",
            "城关镇",
            "县某单位",
        ]
    )
    workbook.save(path)
    return path


def test_staff_import_a_roster_with_errors_and_export_it(demo, live_server, browser, screenshot, tmp_path):
    base = live_server.url
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, base, "office")
    page.click("nav >> text=委员管理")
    page.click("text=从 Excel 导入")
    page.set_input_files("#id_file", str(roster_with_errors(tmp_path / "新增委员名单.xlsx")))
    screenshot(page, "21-import-upload")
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-counts")

    errors = page.locator("#import-errors")
    assert errors.get_by_text("第5行").is_visible()  # 上官勇: Excel turned the ID into a number
    assert errors.get_by_text("第6行").first.is_visible()  # 诸葛亮: check digit and unknown sector
    assert errors.get_by_text("公民身份号码").first.is_visible()
    assert "不存在界" in errors.inner_text()
    assert Member.objects.filter(name__in=["欧阳明", "司马兰"]).count() == 0  # nothing written yet
    screenshot(page, "22-import-preview")

    page.click("#import-confirm button[type=submit]")
    page.wait_for_selector("#import-result")
    assert set(
        Member.objects.filter(name__in=["欧阳明", "司马兰", "上官勇", "诸葛亮"]).values_list(
            "name", flat=True
        )
    ) == {
        "欧阳明",
        "司马兰",
    }
    screenshot(page, "23-import-done")
    job = RosterImport.objects.get()
    assert not job.file and job.file_sha256  # the upload, with its ID numbers, is gone; its hash stays

    page.click("text=返回委员名单")
    page.click("text=导出")
    with page.expect_download() as download:
        page.click("main button[type=submit]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    names = {row[0] for row in load_workbook(path).active.iter_rows(values_only=True)}
    assert {"欧阳明", "司马兰"} <= names
    screenshot(page, "24-export")
    context.close()

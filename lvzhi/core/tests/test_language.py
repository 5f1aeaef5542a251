from django.urls import reverse


def test_the_interface_is_chinese_by_default(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "登录" in html
    assert "Sign in" not in html


def test_english_can_be_chosen_and_sticks(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in" in html
    assert "登录" not in html.replace("简体中文", "")


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client, db):
    html = client.get(
        reverse("accounts:login"), headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()
    assert "登录" in html

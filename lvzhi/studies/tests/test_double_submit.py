"""Adding a training session twice from the same form (a double click) adds it once."""

from django.urls import reverse

from lvzhi.studies.models import TrainingSession


def test_a_repeated_session_form_adds_one_session(client_of, office, plan):
    client = client_of(office)
    data = {"planned_on": f"{plan.year}-06-01", "topic": "专题", "submission_token": "tok-session-1"}
    url = reverse("studies:session_add", args=[plan.pk])
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert TrainingSession.objects.count() == 1
    assert "already submitted" in response.content.decode()


def test_the_session_form_carries_a_submission_token(client_of, office, plan):
    body = client_of(office).get(reverse("studies:plan_detail", args=[plan.pk])).content.decode()
    form = body[body.index(reverse("studies:session_add", args=[plan.pk])) :]
    assert 'name="submission_token"' in form[: form.index("</form>")]

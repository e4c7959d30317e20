"""No-login forms cannot be flooded: past the hourly limit per address they answer 429 and save nothing."""

from contacts.models import Arrival
from reports.models import Feedback


def test_public_feedback_answers_429_past_the_hourly_limit(kontum, client):
    from reports import views

    for _ in range(views.PUBLIC_POSTS_PER_HOUR):
        assert client.post("/reports/cong-khai/phan-anh/", {}).status_code == 200
    response = client.post("/reports/cong-khai/phan-anh/", {"text": "Xin hỏi về tiêm chủng"})
    assert response.status_code == 429 and not Feedback.objects.exists()


def test_public_health_declaration_answers_429_past_the_hourly_limit(kontum, client):
    from contacts import views

    for _ in range(views.PUBLIC_POSTS_PER_HOUR):
        assert client.post("/contacts/cong-khai/khai-bao-y-te/", {}).status_code == 200
    assert client.post("/contacts/cong-khai/khai-bao-y-te/", {}).status_code == 429
    assert not Arrival.objects.exists()

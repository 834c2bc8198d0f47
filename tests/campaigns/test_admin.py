"""The organizer's admin: campaign page with counts, guidelines preview, uploads, status moves."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigns.importing.sources import file_format
from campaigns.models import Campaign, CampaignStatus, Record
from campaigns.services.imports import import_records, import_responses
from tests.conftest import jsonl, record


@pytest.fixture
def organizer(db) -> Client:
    user = get_user_model().objects.create_superuser("boss", password="x" * 12)
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, campaign: Campaign, name: str, content: bytes):
    url = reverse("admin:campaigns_campaign_upload", args=[campaign.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_the_campaign_page_shows_counts_and_the_guidelines(organizer, make_campaign) -> None:
    campaign = make_campaign(guidelines="## Be fair\n<script>alert(1)</script>")
    import_records(
        campaign=campaign,
        source=jsonl(record("r1"), record("r2"), record("g1", kind="gold", gold={"rank": [0, 1]})),
    )
    import_responses(
        campaign=campaign,
        source=jsonl({"record": "r1", "annotator": "ann", "answers": {"rank": [0, 1]}}),
    )
    page = organizer.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3: 2 regular, 1 gold, 0 control" in html
    assert "<th>Judgements</th><td>1</td>" in html
    assert "1 (1 with a judgement)" in html
    assert "<h2>Be fair</h2>" in html
    assert "<script>alert(1)</script>" not in html


def test_the_campaign_page_carries_an_upload_form_outside_the_change_form(organizer, campaign):
    html = organizer.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content
    upload_url = reverse("admin:campaigns_campaign_upload", args=[campaign.pk])
    assert b'name="file"' in html and b'form="record-upload"' in html
    form = html.split(b'id="record-upload">')[1].split(b"</form>")[0]
    assert b"csrfmiddlewaretoken" in form
    assert f'action="{upload_url}"'.encode() in html


def test_the_file_picker_offers_every_format_the_import_reads(organizer, campaign) -> None:
    html = organizer.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content
    accept = html.split(b'accept="')[1].split(b'"')[0].decode().split(",")
    assert {file_format(f"records{suffix}") for suffix in accept} == {"csv", "jsonl", "parquet"}


def test_an_upload_imports_jsonl_and_csv(organizer, campaign: Campaign) -> None:
    response = upload(organizer, campaign, "a.jsonl", jsonl(record("r1"), record("r2")).read())
    assert response.status_code == 302
    csv_rows = b"id,prompt,response_1,response_2\nr3,p,a,b\n"
    assert upload(organizer, campaign, "b.csv", csv_rows).status_code == 302
    assert Record.objects.filter(campaign=campaign).count() == 3


def test_a_bad_upload_lists_the_errors_and_imports_nothing(organizer, campaign) -> None:
    response = upload(organizer, campaign, "a.jsonl", jsonl(record("r1"), record("r2", n=1)).read())
    assert response.status_code == 400
    assert "line 2, field &#x27;responses&#x27;" in response.content.decode()
    assert not Record.objects.exists()


def test_an_upload_with_an_unknown_suffix_is_refused(organizer, campaign) -> None:
    response = upload(organizer, campaign, "a.txt", b"{}")
    assert response.status_code == 302
    assert not Record.objects.exists()


def test_uploads_need_a_logged_in_organizer(campaign: Campaign, client: Client) -> None:
    response = upload(client, campaign, "a.jsonl", jsonl(record("r1")).read())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    annotator = get_user_model().objects.create_user("ann", password="x" * 12)
    client.force_login(annotator)
    response = upload(client, campaign, "a.jsonl", jsonl(record("r1")).read())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Record.objects.exists()


def test_status_actions_follow_the_allowed_moves(organizer, make_campaign) -> None:
    draft, closed = make_campaign("a"), make_campaign("b", status=CampaignStatus.CLOSED)
    url = reverse("admin:campaigns_campaign_changelist")
    organizer.post(url, {"action": "make_active", "_selected_action": [draft.pk, closed.pk]})
    draft.refresh_from_db()
    closed.refresh_from_db()
    assert (draft.status, closed.status) == ("active", "closed")


def test_the_record_list_filters_by_kind_and_completion(organizer, make_campaign) -> None:
    campaign = make_campaign(overlap=1)
    import_records(campaign=campaign, source=jsonl(record("done"), record("todo")))
    import_responses(
        campaign=campaign,
        source=jsonl({"record": "done", "annotator": "ann", "answers": {"rank": [0, 1]}}),
    )
    url = reverse("admin:campaigns_record_changelist")
    complete = organizer.get(url, {"completion": "complete"}).content.decode()
    untouched = organizer.get(url, {"completion": "untouched"}).content.decode()
    assert ">done<" in complete and ">todo<" not in complete
    assert ">todo<" in untouched and ">done<" not in untouched
    assert organizer.get(url, {"kind__exact": "gold"}).status_code == 200


def test_questions_are_edited_inline_with_one_option_a_line(organizer, campaign) -> None:
    page = organizer.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert "code\nfacts</textarea>" in page.content.decode()

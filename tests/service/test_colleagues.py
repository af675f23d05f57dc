"""The member admin's own tools: the organisation's profile and the colleagues' accounts.

Rules no page or API call may get around: only one's own organisation, always one member admin
who can act, the corporate number left to the secretariat, sessions ended on deactivation.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from api.accounts import service as accounts
from api.accounts.tables import Account, UserSession
from api.audit.tables import AuditEntry
from api.errors import NotFound, PermissionDenied, ValidationFailed
from api.mail.tables import OutboxMail
from api.members import colleagues
from api.members.reference import MembershipStatus
from api.members.tables import Organisation, OrganisationContact
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import PASSWORD, make_account
from tests.factories import corporate_number, make_organisation, organisation_form

PAGE = PageRequest.of(1, 50)


async def signed_in(settings: Settings, email: str) -> Principal:
    """The principal a real login gives (with the organisation and whether it is active)."""
    return (await accounts.login(settings, email, PASSWORD, "10.0.0.1")).principal


async def make_member(
    settings: Settings, email: str, organisation_id: int, role: Role = Role.MEMBER_USER
) -> accounts.AccountView:
    return await make_account(settings, email, {role}, organisation_id=organisation_id)


@pytest.fixture
async def org_a(settings: Settings, db: None) -> int:
    return await make_organisation(1)


@pytest.fixture
async def org_b(settings: Settings, db: None) -> int:
    return await make_organisation(2)


# --- inviting ------------------------------------------------------------------------------------


async def test_admin_invites_a_colleague_as_member_user_of_the_own_organisation(
    settings: Settings, org_a: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "admin-a@example.jp")

    view = await colleagues.invite_colleague(settings, admin, " New@Example.JP ", "新人 太郎")

    assert view.email == "new@example.jp"
    assert view.roles == {Role.MEMBER_USER}
    assert view.organisation_id == org_a
    assert colleagues.colleague_state(view) == "invited"
    mail = await OutboxMail.select().where(OutboxMail.to_address == "new@example.jp").first()
    assert mail is not None and "/invitation/" in mail["body"]
    listed = await colleagues.list_colleagues(admin, PAGE)
    assert {a.email for a in listed.items} == {"admin-a@example.jp", "new@example.jp"}


async def test_inviting_an_address_that_is_already_registered_says_so(
    settings: Settings, org_a: int, org_b: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    await make_member(settings, "someone-b@example.jp", org_b)
    admin = await signed_in(settings, "admin-a@example.jp")
    before = await Account.count()
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.invite_colleague(settings, admin, "someone-b@example.jp", "別 団体")
    assert "すでに登録されています" in caught.value.errors["email"]
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.invite_colleague(settings, admin, "not-an-address", "")
    assert set(caught.value.errors) == {"email", "display_name"}
    assert await Account.count() == before


# --- the organisation's boundary -----------------------------------------------------------------


async def test_admin_of_a_cannot_read_or_change_accounts_of_b(
    settings: Settings, org_a: int, org_b: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin_b = await make_member(settings, "admin-b@example.jp", org_b, Role.MEMBER_ADMIN)
    user_b = await make_member(settings, "user-b@example.jp", org_b)
    staff = await make_account(settings, "staff@example.jp", {Role.STAFF})
    admin = await signed_in(settings, "admin-a@example.jp")

    listed = await colleagues.list_colleagues(admin, PAGE)
    assert {a.email for a in listed.items} == {"admin-a@example.jp"}
    for account_id in (admin_b.id, user_b.id, staff.id, 999_999, 2**40):
        with pytest.raises(NotFound):
            await colleagues.get_colleague(admin, account_id)
        with pytest.raises(NotFound):
            await colleagues.update_colleague(admin, account_id, is_active=False)
        with pytest.raises(NotFound):
            await colleagues.update_colleague(admin, account_id, role="member_user")
        with pytest.raises(NotFound):
            await colleagues.hand_over_admin(admin, account_id)
        with pytest.raises(NotFound):
            await colleagues.resend_colleague_invitation(settings, admin, account_id)
    for account in (admin_b, user_b):
        unchanged = await accounts.get_account(account.id)
        assert unchanged.is_active and unchanged.roles == account.roles


async def test_members_of_a_suspended_organisation_are_refused(
    settings: Settings, db: None
) -> None:
    suspended = await make_organisation(3, status=MembershipStatus.SUSPENDED)
    await make_member(settings, "admin-s@example.jp", suspended, Role.MEMBER_ADMIN)
    colleague = await make_member(settings, "user-s@example.jp", suspended)
    admin = await signed_in(settings, "admin-s@example.jp")
    assert admin.organisation_id == suspended and not admin.organisation_active

    with pytest.raises(PermissionDenied) as caught:
        await colleagues.own_organisation(admin)
    assert "会員資格が有効ではない" in caught.value.message
    with pytest.raises(PermissionDenied):
        await colleagues.list_colleagues(admin, PAGE)
    with pytest.raises(PermissionDenied):
        await colleagues.invite_colleague(settings, admin, "x@example.jp", "招待 不可")
    with pytest.raises(PermissionDenied):
        await colleagues.update_colleague(admin, colleague.id, is_active=False)
    with pytest.raises(PermissionDenied):
        await colleagues.update_own_organisation(admin, organisation_form(3))
    assert (await accounts.get_account(colleague.id)).is_active


async def test_accounts_without_an_organisation_are_refused(settings: Settings, db: None) -> None:
    await make_account(settings, "lost@example.jp", {Role.MEMBER_ADMIN})
    lost = await signed_in(settings, "lost@example.jp")
    with pytest.raises(PermissionDenied):
        await colleagues.own_organisation(lost)
    with pytest.raises(PermissionDenied):
        await colleagues.list_colleagues(lost, PAGE)


# --- the last admin ------------------------------------------------------------------------------


async def test_the_only_admin_cannot_step_down(settings: Settings, org_a: int) -> None:
    only = await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    await make_member(settings, "user-a@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.update_colleague(admin, only.id, role="member_user")
    assert caught.value.errors["account"] == colleagues.LAST_ADMIN
    assert (await accounts.get_account(only.id)).roles == {Role.MEMBER_ADMIN}
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.update_colleague(admin, only.id, is_active=False)
    assert "自分自身" in caught.value.errors["is_active"]


async def test_the_last_admin_cannot_be_demoted_or_deactivated_by_another_admin(
    settings: Settings, org_a: int
) -> None:
    first = await make_member(settings, "admin-1@example.jp", org_a, Role.MEMBER_ADMIN)
    second = await make_member(settings, "admin-2@example.jp", org_a, Role.MEMBER_ADMIN)
    actor = await signed_in(settings, "admin-1@example.jp")
    # Two admins: the second may be deactivated; then the first is the last one.
    after = await colleagues.update_colleague(actor, second.id, is_active=False)
    assert not after.is_active
    with pytest.raises(ValidationFailed):
        await colleagues.update_colleague(actor, first.id, role="member_user")
    # Reactivated, the second one counts again and the first may step down.
    await colleagues.update_colleague(actor, second.id, is_active=True)
    stepped = await colleagues.update_colleague(actor, first.id, role="member_user")
    assert stepped.roles == {Role.MEMBER_USER}
    # Now the second is the last admin: the first (a member user now) is no admin any more, and
    # the rule holds for the second one too.
    second_principal = await signed_in(settings, "admin-2@example.jp")
    with pytest.raises(ValidationFailed):
        await colleagues.update_colleague(second_principal, second.id, role="member_user")


async def test_an_admin_who_never_accepted_the_invitation_does_not_count(
    settings: Settings, org_a: int
) -> None:
    only = await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "admin-a@example.jp")
    invited = await colleagues.invite_colleague(settings, admin, "new@example.jp", "新人 太郎")
    promoted = await colleagues.update_colleague(admin, invited.id, role="member_admin")
    assert promoted.roles == {Role.MEMBER_ADMIN}
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.update_colleague(admin, only.id, role="member_user")
    assert caught.value.errors["account"] == colleagues.LAST_ADMIN
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.hand_over_admin(admin, invited.id, step_down=True)
    assert "招待を承諾していない" in caught.value.errors["account_id"]
    assert (await accounts.get_account(only.id)).roles == {Role.MEMBER_ADMIN}


async def test_unknown_roles_are_refused(settings: Settings, org_a: int) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    user = await make_member(settings, "user-a@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")
    for role in ("admin", "staff", "", "member_admin' OR 1=1"):
        with pytest.raises(ValidationFailed) as caught:
            await colleagues.update_colleague(admin, user.id, role=role)
        assert "role" in caught.value.errors
    assert (await accounts.get_account(user.id)).roles == {Role.MEMBER_USER}


# --- handing over, deactivating --------------------------------------------------------------------


async def test_handing_over_the_admin_role_and_stepping_down_in_one_step(
    settings: Settings, org_a: int
) -> None:
    old = await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    new = await make_member(settings, "user-a@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")

    result = await colleagues.hand_over_admin(admin, new.id, step_down=True)

    assert result.roles == {Role.MEMBER_ADMIN}
    assert (await accounts.get_account(old.id)).roles == {Role.MEMBER_USER}
    entry = (
        await AuditEntry.select().where(AuditEntry.action == "organisation.admin_handover").first()
    )
    assert entry is not None and entry["actor_label"] == "admin-a@example.jp"
    assert json.loads(entry["after"]) == {"new_admin": "user-a@example.jp", "stepped_down": True}
    assert await AuditEntry.count().where(AuditEntry.action == "account.roles_change") == 2


async def test_handover_refuses_oneself_an_inactive_colleague_and_an_admin(
    settings: Settings, org_a: int
) -> None:
    me = await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    other_admin = await make_member(settings, "admin-2@example.jp", org_a, Role.MEMBER_ADMIN)
    inactive = await make_member(settings, "gone@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")
    await colleagues.update_colleague(admin, inactive.id, is_active=False)
    # (Handing over to someone already admin only makes sense with stepping down.)
    for target, step_down in ((me.id, True), (inactive.id, True), (other_admin.id, False)):
        with pytest.raises(ValidationFailed) as caught:
            await colleagues.hand_over_admin(admin, target, step_down=step_down)
        assert "account_id" in caught.value.errors
    assert (await accounts.get_account(me.id)).roles == {Role.MEMBER_ADMIN}
    assert (await accounts.get_account(inactive.id)).roles == {Role.MEMBER_USER}


async def test_deactivating_a_colleague_ends_their_sessions_at_once(
    settings: Settings, org_a: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    user = await make_member(settings, "user-a@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")
    session = await accounts.login(settings, "user-a@example.jp", PASSWORD, "10.0.0.2")
    assert await accounts.resolve_session(settings, session.session_token) is not None

    await colleagues.update_colleague(admin, user.id, is_active=False)

    assert await UserSession.count().where(UserSession.account == user.id) == 0
    assert await accounts.resolve_session(settings, session.session_token) is None
    entry = await AuditEntry.select().where(AuditEntry.action == "account.deactivate").first()
    assert entry is not None and json.loads(entry["after"])["sessions_ended"] == 1
    with pytest.raises(ValidationFailed):
        await accounts.login(settings, "user-a@example.jp", PASSWORD, "10.0.0.2")
    await colleagues.update_colleague(admin, user.id, is_active=True)
    assert (await accounts.login(settings, "user-a@example.jp", PASSWORD, "10.0.0.2")).principal


# --- the organisation's profile ------------------------------------------------------------------


async def test_member_user_sees_the_profile_without_contacts(
    settings: Settings, org_a: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    await make_member(settings, "user-a@example.jp", org_a)
    admin = await signed_in(settings, "admin-a@example.jp")
    user = await signed_in(settings, "user-a@example.jp")
    assert (await colleagues.own_organisation(admin)).contacts
    as_user = await colleagues.own_organisation(user)
    assert as_user.id == org_a and as_user.contacts == ()


async def test_admin_edits_the_profile_but_not_the_corporate_number(
    settings: Settings, org_a: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "admin-a@example.jp")
    before = await colleagues.own_organisation(admin)
    form = organisation_form(
        1,
        name="株式会社テスト新社名",
        name_kana="てすとしんしゃめい",  # hiragana is stored in katakana
        corporate_number=corporate_number(77),
        profile_text="新しい紹介文です。",
        contact_1_name="副担当 次郎",
        contact_1_email="sub@example.jp",
        contact_1_phone="０９６－１１１－２２２２",
        status="withdrawn",
    )
    del form["profile_public"]

    after = await colleagues.update_own_organisation(admin, form)

    assert after.name == "株式会社テスト新社名"
    assert after.name_kana == "テストシンシャメイ"
    assert after.corporate_number == before.corporate_number  # sent, but kept
    assert after.status == MembershipStatus.ACTIVE  # not a form field at all
    assert after.profile_public is False
    assert [c.email for c in after.contacts] == ["contact1@example.jp", "sub@example.jp"]
    assert after.contacts[1].phone == "096-111-2222"
    entry = await AuditEntry.select().where(AuditEntry.action == "organisation.update_own").first()
    assert entry is not None
    assert json.loads(entry["before"])["name"] == "株式会社テスト1"
    recorded = json.loads(entry["after"])
    assert recorded["name"] == "株式会社テスト新社名"
    assert set(recorded["changed"]) == {
        "name", "name_kana", "profile_public", "profile_text", "contacts",
    }  # fmt: skip
    assert "sub@example.jp" not in entry["after"]  # the log keeps no contact details


async def test_profile_errors_name_their_fields_and_nothing_is_written(
    settings: Settings, org_a: int, org_b: int
) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "admin-a@example.jp")
    before = await colleagues.own_organisation(admin)
    cases = [
        ({"name": "", "postal_code": "12"}, {"name", "postal_code"}),
        ({"contact_0_name": "", "contact_0_email": "", "contact_0_phone": ""}, None),
        ({"contact_0_email": "bad"}, {"contact_0_email"}),
        ({"name": "株式会社テスト2"}, {"name"}),  # the name of organisation B
        ({"kind": "school"}, set()),  # allowed: a corporate number is stored
        ({"industry": "Z", "municipality": "東京"}, {"industry", "municipality"}),
    ]
    for changes, fields in cases:
        form = organisation_form(1, **changes)
        if fields == set():
            await colleagues.update_own_organisation(admin, form)
            continue
        with pytest.raises(ValidationFailed) as caught:
            await colleagues.update_own_organisation(admin, form)
        if fields is None:  # no contact at all: the first contact's fields say so
            assert {"contact_0_name", "contact_0_email", "contact_0_phone"} <= set(
                caught.value.errors
            )
        else:
            assert set(caught.value.errors) == fields, caught.value.errors
    after = await colleagues.own_organisation(admin)
    assert after.name == before.name and after.postal_code == before.postal_code
    assert await OrganisationContact.count().where(OrganisationContact.organisation == org_a) == 1


async def test_a_kind_that_needs_a_corporate_number_is_refused_without_one(
    settings: Settings, db: None
) -> None:
    sole = await make_organisation(5, kind="sole_proprietor", corporate_number="")
    await make_member(settings, "sole@example.jp", sole, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "sole@example.jp")
    form = organisation_form(5, kind="company", corporate_number=corporate_number(5))
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.update_own_organisation(admin, form)
    assert set(caught.value.errors) == {"kind"}
    assert "事務局" in caught.value.errors["kind"]
    row = await Organisation.select(Organisation.kind, Organisation.corporate_number).where(
        Organisation.id == sole
    )
    assert row == [{"kind": "sole_proprietor", "corporate_number": None}]


async def test_patch_changes_only_what_is_sent(settings: Settings, org_a: int) -> None:
    await make_member(settings, "admin-a@example.jp", org_a, Role.MEMBER_ADMIN)
    admin = await signed_in(settings, "admin-a@example.jp")
    before = await colleagues.own_organisation(admin)
    after = await colleagues.patch_own_organisation(admin, {"profile_text": "変更後"})
    assert after.profile_text == "変更後"
    assert after.as_input().contacts == before.as_input().contacts
    assert (after.name, after.website) == (before.name, before.website)

    contact = {"name": "新 担当", "department": "", "email": "n@example.jp", "phone": "0963332111"}
    after = await colleagues.patch_own_organisation(admin, {}, [contact])
    assert [(c.name, c.phone) for c in after.contacts] == [("新 担当", "0963332111")]
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.patch_own_organisation(admin, {}, [])
    assert "contact_0_name" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        await colleagues.patch_own_organisation(admin, {}, [contact] * 6)
    assert "contacts" in caught.value.errors


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    settings: Settings, org_a: int
) -> None:
    first = await make_member(settings, "admin-1@example.jp", org_a, Role.MEMBER_ADMIN)
    second = await make_member(settings, "admin-2@example.jp", org_a, Role.MEMBER_ADMIN)
    one = await signed_in(settings, "admin-1@example.jp")
    two = await signed_in(settings, "admin-2@example.jp")

    results = await asyncio.gather(
        colleagues.update_colleague(one, second.id, role="member_user"),
        colleagues.update_colleague(two, first.id, role="member_user"),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refused) == 1, results
    assert await accounts.count_usable_member_admins(org_a) == 1

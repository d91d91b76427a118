"""Admin pages: users, enterprises (CSV import, pairing), departments, categories, routing rules, holiday
overrides and the audit log. Every change is audited; only admins get in."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from helpdesk.audit.models import AdminAuditLog
from helpdesk.auth.models import User
from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.services import get_calendar
from helpdesk.enterprises.models import Enterprise
from helpdesk.jurisdictions.models import Category, Department, RoutingRule
from tests import factories as f
from tests.pages.conftest import PASSWORD, errors_beside, fresh, text


@pytest.fixture()
def admin(w, login):
    return login(w.admin)


def _audit(entity: str, entity_id: int | None = None) -> list[AdminAuditLog]:
    query = select(AdminAuditLog).where(AdminAuditLog.entity == entity).order_by(AdminAuditLog.id)
    if entity_id is not None:
        query = query.where(AdminAuditLog.entity_id == entity_id)
    return list(f.db.session.scalars(query))


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/users",
        "/admin/users/new",
        "/admin/enterprises",
        "/admin/enterprises/import",
        "/admin/departments",
        "/admin/categories",
        "/admin/routing-rules",
        "/admin/holidays",
        "/admin/audit",
        "/admin/deliveries",
        "/admin/robots",
    ],
)
def test_only_admins_get_in(w, login, app, url):
    assert app.test_client().get(url).status_code == 302  # to the login page
    for person in (w.owner, w.liaison, w.supervisor):
        assert login(person).get(url).status_code == 403
    assert login(w.admin).get(url).status_code == 200


def test_the_admin_lands_on_the_overview(admin):
    html = text(admin.get("/"))
    assert "Administration" in html and 'href="/admin/users"' in html


def test_users_are_listed_with_filters(w, admin):
    html = text(admin.get("/admin/users?role=cadre"))
    assert w.liaison.email in html and w.owner.email not in html
    assert w.owner.email in text(admin.get(f"/admin/users?q={w.owner.email[:8]}"))
    assert admin.get("/admin/users?role=<b>&active=maybe&jurisdiction_id=x&page=abc").status_code == 200


def test_the_admin_creates_a_cadre_and_the_change_is_audited(w, admin):
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "new.cadre@example.cn",
            "name": "新干部",
            "password": "a-long-password",
            "role": "cadre",
            "department_id": w.nr.id,
            "locale": "zh_CN",
        },
    )
    assert response.status_code == 302
    user = f.db.session.scalar(select(User).where(User.email == "new.cadre@example.cn"))
    assert (user.role, user.department_id) == ("cadre", w.nr.id)
    [entry] = _audit("user", user.id)
    assert entry.action == "create" and entry.actor_id == w.admin.id and "password_hash" not in entry.after


def test_user_creation_errors_are_shown_beside_their_fields(w, admin):
    duplicate = admin.post(
        "/admin/users/new",
        data={"email": w.owner.email, "name": "重复", "password": "a-long-password", "role": "admin", "locale": "en"},
    )
    assert duplicate.status_code == 409
    assert errors_beside(text(duplicate), "email") == [f"A user with email {w.owner.email} already exists."]
    no_department = admin.post(
        "/admin/users/new",
        data={"email": "x@example.cn", "name": "无部门", "password": "a-long-password", "role": "cadre"},
    )
    assert no_department.status_code == 422 and errors_beside(text(no_department), "department_id")
    no_company = admin.post(
        "/admin/users/new",
        data={
            "email": "y@example.cn",
            "name": "无企业",
            "password": "a-long-password",
            "role": "enterprise",
            "credit_code": "91411602MA00000000",
        },
    )
    assert no_company.status_code == 422
    assert errors_beside(text(no_company), "credit_code") == ["No enterprise has this credit code."]
    short = admin.post(
        "/admin/users/new", data={"email": "z@example.cn", "name": "短", "password": "short", "role": "admin"}
    )
    assert short.status_code == 422 and errors_beside(text(short), "password")


def test_deactivate_and_reset_password(w, admin, login, app):
    response = admin.post(f"/admin/users/{w.owner.id}/password", data={"password": "brand-new-secret"})
    assert response.status_code == 302
    client = app.test_client()
    assert client.post("/login", data={"email": w.owner.email, "password": "brand-new-secret"}).status_code == 302
    assert admin.post(f"/admin/users/{w.owner.id}/active").status_code == 302
    assert fresh(w.owner).active is False
    assert (
        app.test_client().post("/login", data={"email": w.owner.email, "password": "brand-new-secret"}).status_code
        == 200
    )
    assert [e.action for e in _audit("user", w.owner.id)] == ["update", "update"]
    assert admin.post(f"/admin/users/{w.owner.id}/active").status_code == 302
    assert fresh(w.owner).active is True
    admin.post(f"/admin/users/{w.admin.id}/active")  # cannot deactivate oneself
    assert fresh(w.admin).active is True
    assert admin.post("/admin/users/999999/active").status_code == 404


def test_enterprises_create_edit_and_pair(w, admin):
    code = f.credit_code("411603")
    response = admin.post(
        "/admin/enterprises/new",
        data={
            "name": "淮阳新建食品有限公司",
            "credit_code": code,
            "jurisdiction_id": f.jurisdiction("411603").id,
            "industry": "食品",
            "size": "small",
            "is_key": "y",
        },
    )
    assert response.status_code == 302
    company = f.db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert company.is_key and company.size == "small"
    bad = admin.post(
        f"/admin/enterprises/{company.id}",
        data={"name": company.name, "credit_code": "91411603MA0000000X", "jurisdiction_id": company.jurisdiction_id},
    )
    assert bad.status_code == 422 and errors_beside(text(bad), "credit_code")
    ok = admin.post(
        f"/admin/enterprises/{company.id}",
        data={
            "name": "淮阳新建食品股份有限公司",
            "credit_code": code,
            "jurisdiction_id": company.jurisdiction_id,
            "size": "medium",
        },
    )
    assert ok.status_code == 302 and fresh(company).name == "淮阳新建食品股份有限公司"
    city_cadre = w.city_cadre
    assert admin.post(f"/admin/enterprises/{company.id}/pair", data={"liaison_id": city_cadre.id}).status_code == 302
    assert fresh(company).liaison_id == city_cadre.id
    not_a_cadre = admin.post(f"/admin/enterprises/{company.id}/pair", data={"liaison_id": w.owner.id})
    assert not_a_cadre.status_code == 422 and errors_beside(text(not_a_cadre), "liaison_id")
    assert [e.action for e in _audit("enterprise", company.id)] == ["create", "update", "update"]
    assert "淮阳新建食品" in text(admin.get("/admin/enterprises?q=淮阳新建"))


def test_csv_import_reports_every_bad_row_and_imports_nothing(w, admin):
    good = f.credit_code("411602")
    rows = [
        "name,credit_code,jurisdiction_code,size,liaison_email",
        f"好企业有限公司,{good},411602,small,{w.liaison.email}",
        "坏企业有限公司,123,411602,small,",
        f"无区划有限公司,{f.credit_code('411602')},999999,huge,",
    ]
    response = admin.post(
        "/admin/enterprises/import",
        data={"file": (io.BytesIO("\n".join(rows).encode()), "e.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = text(response)
    assert "<td>3</td>" in html and "<td>4</td>" in html and "<td>2</td>" not in html
    assert f.db.session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.credit_code == good)) == 0
    response = admin.post(
        "/admin/enterprises/import",
        data={"file": (io.BytesIO("\n".join(rows[:2]).encode()), "e.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    company = f.db.session.scalar(select(Enterprise).where(Enterprise.credit_code == good))
    assert company.liaison_id == w.liaison.id
    binary = admin.post(
        "/admin/enterprises/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00garbage"), "e.csv")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 422 and "not UTF-8" in text(binary)


def test_departments_are_created_and_edited_with_the_audit_log(w, admin):
    chuanhui = f.jurisdiction("411602")
    response = admin.post(
        "/admin/departments/new",
        data={
            "jurisdiction_id": chuanhui.id,
            "code": "bigdata",
            "name": "川汇区大数据局",
            "name_en": "Chuanhui Big Data Bureau",
        },
    )
    assert response.status_code == 302
    department = f.db.session.scalar(select(Department).where(Department.code == "bigdata"))
    clash = admin.post(
        f"/admin/departments/{department.id}",
        data={"code": "nr", "name": "川汇区大数据局", "name_en": "Chuanhui Big Data Bureau"},
    )
    assert clash.status_code == 409 and errors_beside(text(clash), "code")
    assert (
        admin.post(
            f"/admin/departments/{department.id}",
            data={"code": "bigdata", "name": "川汇区数据局", "name_en": "Chuanhui Data Bureau", "is_default": "y"},
        ).status_code
        == 302
    )
    department = fresh(department)
    assert department.name == "川汇区数据局" and department.is_default
    defaults = f.db.session.scalars(
        select(Department).where(Department.jurisdiction_id == chuanhui.id, Department.is_default.is_(True))
    ).all()
    assert defaults == [department]  # one default per jurisdiction
    assert [e.action for e in _audit("department", department.id)] == ["create", "update"]


def test_a_departments_short_names_are_set_on_its_form_and_shown_in_the_list(w, admin):
    data = {
        "code": "nr",
        "name": w.nr.name,
        "name_en": w.nr.name_en,
        "short_name": "资源局",
        "short_name_en": "Resources",
    }
    assert admin.post(f"/admin/departments/{w.nr.id}", data=data).status_code == 302
    nr = fresh(w.nr)
    assert (nr.short_name, nr.short_name_en) == ("资源局", "Resources")
    assert (nr.short_display_name(None), nr.short_display_name("en")) == ("资源局", "Resources")
    assert "资源局 · " in text(admin.get(f"/admin/departments?jurisdiction_id={nr.jurisdiction_id}"))
    too_long = admin.post(f"/admin/departments/{w.nr.id}", data={**data, "short_name": "长" * 41})
    assert too_long.status_code == 422 and errors_beside(text(too_long), "short_name")
    cleared = admin.post(f"/admin/departments/{w.nr.id}", data={**data, "short_name": "", "short_name_en": ""})
    assert cleared.status_code == 302
    assert fresh(w.nr).short_display_name(None) == "川汇区自然资源局"  # no short name: the full name
    assert [e.action for e in _audit("department", w.nr.id)] == ["update", "update"]


def test_category_deadlines_are_edited(w, admin):
    land = f.db.session.scalar(select(Category).where(Category.code == "land"))
    data = {
        "code": "land",
        "name": land.name,
        "name_en": land.name_en,
        "help": land.help,
        "help_en": land.help_en,
        "response_days": "2",
        "resolution_days": "12",
        "position": land.position,
    }
    assert admin.post(f"/admin/categories/{land.id}", data=data).status_code == 302
    assert (fresh(land).response_days, fresh(land).resolution_days) == (2, 12)
    bad = admin.post(f"/admin/categories/{land.id}", data={**data, "response_days": "20", "resolution_days": "5"})
    assert bad.status_code == 422 and errors_beside(text(bad), "response_days")
    worse = admin.post(f"/admin/categories/{land.id}", data={**data, "resolution_days": "999"})
    assert worse.status_code == 422 and errors_beside(text(worse), "resolution_days")
    assert _audit("category", land.id)[-1].before["resolution_days"] == 15


def test_routing_rules_are_created_edited_and_deleted(w, admin):
    huaiyang = f.jurisdiction("411603")
    tax = f.db.session.scalar(select(Category).where(Category.code == "tax"))
    existing = f.db.session.scalar(
        select(RoutingRule).where(RoutingRule.category_id == tax.id, RoutingRule.jurisdiction_id == huaiyang.id)
    )
    if existing is not None:
        assert admin.post(f"/admin/routing-rules/{existing.id}/delete").status_code == 302
    office = f.department("411603", "office")
    assert (
        admin.post(
            "/admin/routing-rules/new",
            data={"category_id": tax.id, "jurisdiction_id": huaiyang.id, "department_id": office.id},
        ).status_code
        == 302
    )
    rule = f.db.session.scalar(
        select(RoutingRule).where(RoutingRule.category_id == tax.id, RoutingRule.jurisdiction_id == huaiyang.id)
    )
    assert rule.department_id == office.id
    twice = admin.post(
        "/admin/routing-rules/new",
        data={"category_id": tax.id, "jurisdiction_id": huaiyang.id, "department_id": office.id},
    )
    assert twice.status_code == 409 and errors_beside(text(twice), "category_id")
    elsewhere = f.department("411602", "nr")
    wrong = admin.post(f"/admin/routing-rules/{rule.id}", data={"department_id": elsewhere.id})
    assert wrong.status_code == 422  # 川汇区's department is not offered for a 淮阳区 rule
    city_nr = f.department("411600", "nr")
    assert admin.post(f"/admin/routing-rules/{rule.id}", data={"department_id": city_nr.id}).status_code == 302
    assert fresh(rule).department_id == city_nr.id
    assert admin.post(f"/admin/routing-rules/{rule.id}/delete").status_code == 302
    assert f.db.session.scalar(select(func.count()).select_from(RoutingRule).where(RoutingRule.id == rule.id)) == 0
    assert [e.action for e in _audit("routing_rule", rule.id)] == ["create", "update", "delete"]


def test_holiday_overrides_are_added_and_deleted_and_the_calendar_sees_them(w, admin):
    day = date(2025, 3, 12)  # an ordinary Wednesday
    assert get_calendar().is_workday(day)
    assert (
        admin.post("/admin/holidays", data={"day": day.isoformat(), "is_workday": "0", "note": "防汛调休"}).status_code
        == 302
    )
    assert get_calendar().is_workday(day) is False
    twice = admin.post("/admin/holidays", data={"day": day.isoformat(), "is_workday": "1"})
    assert twice.status_code == 409 and errors_beside(text(twice), "day")
    override = f.db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    assert admin.post(f"/admin/holidays/{override.id}/delete").status_code == 302
    assert get_calendar().is_workday(day) is True
    # Delete the newest and add another: the calendar must notice (ids are never reused).
    assert admin.post("/admin/holidays", data={"day": day.isoformat(), "is_workday": "0"}).status_code == 302
    assert get_calendar().is_workday(day) is False
    assert [e.action for e in _audit("holiday_override")][-3:] == ["create", "delete", "create"]
    garbage = admin.post("/admin/holidays", data={"day": "31/02/2025", "is_workday": "maybe"})
    assert garbage.status_code == 422
    assert errors_beside(text(garbage), "day") and errors_beside(text(garbage), "is_workday")


def test_the_calendar_warning_lists_the_years_it_does_not_know(w, admin):
    from helpdesk.calendar.workdays import local_date
    from helpdesk.db import utcnow

    html = text(admin.get("/admin/holidays"))
    unknown = [
        y
        for y in range(local_date(utcnow()).year - 1, local_date(utcnow()).year + 2)
        if not get_calendar().package_covers_year(y)
    ]
    if unknown:
        assert 'id="calendar-warning"' in html and str(unknown[0]) in html
    else:
        assert 'id="calendar-warning"' not in html


def test_the_audit_log_shows_who_changed_what(w, admin):
    admin.post(f"/admin/users/{w.owner.id}/password", data={"password": "another-secret"})
    admin.post(f"/admin/users/{w.liaison.id}", data={"name": "王芳芳", "locale": "zh_CN", "department_id": w.nr.id})
    html = text(admin.get("/admin/audit?entity=user"))
    assert "王芳芳" in html and w.admin.name in html and "password_hash" not in html
    assert admin.get("/admin/audit?entity=<x>&entity_id=abc&page=0").status_code == 200


def test_an_admin_edits_a_cadres_department_and_leave(w, admin):
    response = admin.post(
        f"/admin/users/{w.colleague.id}",
        data={"name": w.colleague.name, "locale": "en", "department_id": w.hrss.id, "away_until": "2030-01-01"},
    )
    assert response.status_code == 302
    colleague = fresh(w.colleague)
    assert (colleague.department_id, colleague.locale, colleague.away_until) == (w.hrss.id, "en", date(2030, 1, 1))
    bad = admin.post(f"/admin/users/{w.colleague.id}", data={"name": "", "locale": "fr", "department_id": "x"})
    assert bad.status_code == 422 and errors_beside(text(bad), "name") and errors_beside(text(bad), "locale")
    assert PASSWORD  # the fixture password is unchanged for the others

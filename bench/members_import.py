"""Roster import at 100,000 rows × 20 columns (issue 3), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_import_bench python bench/members_import.py
    python bench/members_import.py --small            # 10,000 rows, baseline on 1,000 rows: well under a minute
    python bench/members_import.py --rows 30000

Measured in one run, each in a fresh subprocess (wall time of the import call, and peak RSS of the process
from getrusage, which includes the ~90 MB of Python + Django it starts with):
- baseline: a plain django-import-export ModelResource (default settings, import_id_fields = the ID column,
  org by code with ForeignKeyWidget) importing a slice of the same rows (--baseline-rows, default 2,000,
  written with stored codes so the plain resource can save them), extrapolated linearly to the full size;
- ours: ``member_import`` dry run on an empty roster, the commit of every row (full validation, HMAC
  match, AES-GCM encryption, COPY), and a re-import of the same file with 10% of the phones changed
  (all-matched path: 90% unchanged, 10% UPDATE);
- limit: python-calamine reading the file + COPY of the raw cells into an unlogged 20-column text table.
The generated files are cached in /tmp (bench_members_<rows>.xlsx).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from _common import add_tiny_flag  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dj_import_bench"
TODAY = datetime.date(2026, 11, 23)
BENCH_COLUMNS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "籍贯",
    "学历",
    "联系电话",
    "工作单位",
    "职务",
    "工作岗位类别",
    "人员类别",
    "入党日期",
    "转正日期",
    "所在党组织",
    "党内职务",
    "党籍状态",
    "流动党员",
    "流出/流入地",
    "积分",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉鹏飞玉兰海燕春梅"
PLACES = ["安徽合肥", "安徽芜湖", "江苏南京", "浙江杭州", "山东济南", "河南郑州", "湖北武汉", "上海", "北京"]
UNITS = ["县人民医院", "第一中学", "城关镇政府", "县供电公司", "县农商银行", "阳光社区居委会", "县住建局", "个体经营"]
POSITIONS = ["职员", "科长", "教师", "医生", "主任", "工程师", "退休", "村民", ""]
OCCUPATIONS = ["工人", "农牧渔民", "专业技术人员", "党政机关工作人员", "离退休人员", "学生", ""]
EDUCATION = [("本科", "20"), ("大学本科", "20"), ("大专", "30"), ("中专", "41"), ("研究生", "10"), ("高中", "61")]
ETHNIC = [("汉", "01"), ("汉族", "01"), ("汉族", "01"), ("回族", "03"), ("满", "11")]


def setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.base")
    os.environ.setdefault("DEBUG", "False")
    import django

    django.setup()


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# -- data ----------------------------------------------------------------------------------------------------


def build_tree(branches: int) -> list[tuple[str, str]]:
    """A county committee, 10 street committees, ``branches`` branches. Returns (code, name path) per branch."""
    from apps.accounts.models import User
    from apps.organizations.models import Organization
    from apps.organizations.services import organization_create

    actor = User(username="bench", is_superuser=True, is_active=True)
    root = Organization.objects.filter(code="BENCHROOT").first()
    if root is None:
        root = organization_create(acting_user=actor, parent=None, kind="committee", name="基准县委", code="BENCHROOT")
        streets = [
            organization_create(
                acting_user=actor, parent=root, kind="working_committee", name=f"第{i}街道党工委", code=f"BST{i:03d}"
            )
            for i in range(10)
        ]
        for i in range(branches):
            organization_create(
                acting_user=actor,
                parent=streets[i % 10],
                kind="branch",
                name=f"第{i}支部",
                code=f"BBR{i:05d}",
                sector="community",
            )
    branches_qs = Organization.objects.filter(code__startswith="BBR").select_related("parent").order_by("code")
    return [(o.code, f"{o.parent.name}/{o.name}") for o in branches_qs]


def generate_rows(n: int, branches: list[tuple[str, str]], seed: int = 7) -> list[dict]:
    """Realistic, messy rows (as people type them) and, per row, the stored codes (for the baseline)."""
    from apps.members.validators import id_check_char

    rng = random.Random(seed)
    seen: set[str] = set()
    rows = []
    while len(rows) < n:
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 60))
        male = rng.random() < 0.7
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{rng.choice(['340524', '340104', '110105', '320102'])}{born:%Y%m%d}{seq:03d}"
        number = first17 + id_check_char(first17)
        if number in seen:
            continue
        seen.add(number)
        i = len(rows)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 1, 2])))
        probationary = rng.random() < 0.08
        if probationary:
            joined = TODAY - datetime.timedelta(days=rng.randrange(30, 330))
            confirmed = None
        else:
            latest = min(TODAY - datetime.timedelta(days=400), born + datetime.timedelta(days=365 * 45))
            earliest = born + datetime.timedelta(days=365 * 18 + 10)
            joined = earliest + datetime.timedelta(days=rng.randrange(0, max(1, (latest - earliest).days)))
            confirmed = joined + datetime.timedelta(days=366 + rng.randrange(0, 30))
        edu_text, edu_code = rng.choice(EDUCATION)
        eth_text, eth_code = rng.choice(ETHNIC)
        phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
        code, path = branches[i % len(branches)]
        mobile = rng.random() < 0.05
        messy = {
            "姓名": (name[0] + "\u3000" + name[1]) if len(name) == 2 and rng.random() < 0.15 else name,
            "性别": "男" if male else "女",
            "民族": eth_text,
            "出生日期": _messy_date(rng, born, allow_month=True),
            "身份证号": number.lower() if rng.random() < 0.1 else number,
            "籍贯": rng.choice(PLACES),
            "学历": edu_text,
            "联系电话": (phone[:3] + "-" + phone[3:7] + "-" + phone[7:]) if rng.random() < 0.2 else phone,
            "工作单位": rng.choice(UNITS),
            "职务": rng.choice(POSITIONS),
            "工作岗位类别": rng.choice(OCCUPATIONS),
            "人员类别": "预备党员" if probationary else "正式党员",
            "入党日期": _messy_date(rng, joined),
            "转正日期": _messy_date(rng, confirmed) if confirmed else "",
            "所在党组织": path if rng.random() < 0.1 else code,
            "党内职务": "",
            "党籍状态": "正常",
            "流动党员": "流出" if mobile else "",
            "流出/流入地": "上海" if mobile else "",
            "积分": rng.randrange(0, 100),
        }
        r = rng.random()
        if r < 0.005:
            messy["身份证号"] = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit
        elif r < 0.01:
            messy["联系电话"] = phone[:-2]  # too short
        coded = {
            **messy,
            "姓名": name,
            "性别": "1" if male else "2",
            "民族": eth_code,
            "出生日期": born,
            "身份证号": number,
            "学历": edu_code,
            "联系电话": phone,
            "工作岗位类别": "",
            "人员类别": "probationary" if probationary else "full",
            "入党日期": joined,
            "转正日期": confirmed,
            "所在党组织": code,
            "党籍状态": "active",
            "流动党员": "outflow" if mobile else "",
        }
        rows.append({"messy": messy, "coded": coded})
    return rows


def _messy_date(rng: random.Random, d: datetime.date, allow_month: bool = False):
    r = rng.random()
    if r < 0.35:
        return d  # a real date cell
    if r < 0.55:
        return d.isoformat()
    if r < 0.7:
        return f"{d.year}/{d.month}/{d.day}"
    if r < 0.85:
        return f"{d.year}年{d.month}月{d.day}日"
    if allow_month and r < 0.9:
        return f"{d.year}.{d.month:02d}"
    return (d - datetime.date(1899, 12, 30)).days  # an Excel serial number


def write_xlsx(path: Path, rows: list[dict], key: str, title: bool = True) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员名册")
    if title:  # a real 花名册 has a title row above the header
        ws.append(["基准县委党员花名册"])
    ws.append(BENCH_COLUMNS)
    for row in rows:
        ws.append([row[key][h] for h in BENCH_COLUMNS])
    wb.save(path)


# -- children (each measured in its own process) ---------------------------------------------------------------


def child(mode: str, file: str, username: str) -> None:
    setup_django()
    from django.db import connection

    from apps.accounts.models import User

    user = User.objects.get(username=username)
    connection.ensure_connection()
    out: dict = {"rss_start_mb": _proc_status("VmRSS")}
    t0, c0 = time.perf_counter(), time.process_time()
    if mode in ("dry", "commit"):
        from apps.members.roster_import.write import member_import

        result = member_import(
            acting_user=user, path=Path(file), file_name=Path(file).name, commit=mode == "commit", today=TODAY
        )
        out.update(
            new=result.new,
            updated=result.updated,
            unchanged=result.unchanged,
            invalid=result.invalid,
            timings=result.timings,
        )
    elif mode == "baseline":
        out.update(_baseline(file, user))
    elif mode == "limit":
        out.update(_limit(file))
    out["wall"] = time.perf_counter() - t0
    out["cpu"] = time.process_time() - c0
    out["rss_peak_mb"] = _proc_status("VmHWM")
    print("RESULT " + json.dumps(out))


def _proc_status(field: str) -> float:
    """VmHWM (peak RSS) / VmRSS in MB. Unlike getrusage's ru_maxrss, VmHWM starts afresh at exec."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _baseline(file: str, user) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from apps.members.models import Member
    from apps.organizations.models import Organization

    class PlainMemberResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名", widget=widgets.CharWidget())
        gender = fields.Field(attribute="gender", column_name="性别", widget=widgets.CharWidget())
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族", widget=widgets.CharWidget())
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())
        id_masked = fields.Field(attribute="id_masked", column_name="身份证号", widget=widgets.CharWidget())
        native_place = fields.Field(attribute="native_place", column_name="籍贯", widget=widgets.CharWidget())
        education = fields.Field(attribute="education", column_name="学历", widget=widgets.CharWidget())
        phone = fields.Field(attribute="phone", column_name="联系电话", widget=widgets.CharWidget())
        work_unit = fields.Field(attribute="work_unit", column_name="工作单位", widget=widgets.CharWidget())
        position = fields.Field(attribute="position", column_name="职务", widget=widgets.CharWidget())
        category = fields.Field(attribute="category", column_name="人员类别", widget=widgets.CharWidget())
        joined_on = fields.Field(attribute="joined_on", column_name="入党日期", widget=widgets.DateWidget())
        confirmed_on = fields.Field(attribute="confirmed_on", column_name="转正日期", widget=widgets.DateWidget())
        organization = fields.Field(
            attribute="organization", column_name="所在党组织", widget=widgets.ForeignKeyWidget(Organization, "code")
        )
        status = fields.Field(attribute="status", column_name="党籍状态", widget=widgets.CharWidget())
        mobile_state = fields.Field(attribute="mobile_state", column_name="流动党员", widget=widgets.CharWidget())
        mobile_place = fields.Field(attribute="mobile_place", column_name="流出/流入地", widget=widgets.CharWidget())
        points = fields.Field(attribute="points", column_name="积分", widget=widgets.IntegerWidget())

        class Meta:
            model = Member
            fields = (
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "id_masked",
                "native_place",
                "education",
                "phone",
                "work_unit",
                "position",
                "category",
                "joined_on",
                "confirmed_on",
                "organization",
                "status",
                "mobile_state",
                "mobile_place",
                "points",
            )
            import_id_fields = ("id_masked",)

        def before_save_instance(self, instance, row, **kwargs):
            instance.org_path = instance.organization.path

    with open(file, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx", headers=True)
    result = PlainMemberResource().import_data(dataset, dry_run=False, user=user)
    totals = result.totals
    return {
        "new": totals.get("new", 0),
        "updated": totals.get("update", 0),
        "errors": totals.get("error", 0),
        "invalid": totals.get("invalid", 0),
    }


def _limit(file: str) -> dict:
    from django.db import connection
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(file).get_sheet_by_index(0).to_python()
    header_at = 1
    data = rows[header_at + 1 :]
    cols = ", ".join(f"c{i} text" for i in range(20))
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_limit")
        cur.execute(f"CREATE UNLOGGED TABLE bench_limit ({cols})")
        with cur.cursor.copy(f"COPY bench_limit ({', '.join(f'c{i}' for i in range(20))}) FROM STDIN") as copy:
            for row in data:
                copy.write_row([None if v == "" else str(v) for v in row[:20]])
        cur.execute("SELECT count(*) FROM bench_limit")
        n = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_limit")
    return {"rows": n}


def run_child(mode: str, file: Path, username: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--file", str(file), "--user", username],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=ROOT,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{mode} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


# -- main ----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--branches", type=int, default=300)
    parser.add_argument("--small", action="store_true", help="10,000 rows, baseline on 1,000")
    parser.add_argument("--child")
    parser.add_argument("--file")
    parser.add_argument("--user")
    add_tiny_flag(parser)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.user)
        return
    if args.small:
        args.rows, args.baseline_rows = 10_000, 1_000
    if args.tiny:
        args.rows, args.baseline_rows, args.branches = 300, 100, 20
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import User
    from apps.accounts.services import user_create
    from apps.members.models import Member

    call_command("migrate", verbosity=0)
    branches = build_tree(args.branches)
    user = User.objects.filter(username="bench_roster").first() or user_create(
        acting_user=None,
        username="bench_roster",
        password="x-Bench-2026",
        role="roster_admin",
        organization=__import__("apps.organizations.models", fromlist=["Organization"]).Organization.objects.get(
            code="BENCHROOT"
        ),
    )

    main_file = Path(f"/tmp/bench_members_{args.rows}.xlsx")
    changed_file = Path(f"/tmp/bench_members_{args.rows}_changed.xlsx")
    base_file = Path(f"/tmp/bench_members_{args.rows}_baseline_{args.baseline_rows}.xlsx")
    if not (main_file.exists() and changed_file.exists() and base_file.exists()):
        t0 = time.perf_counter()
        rows = generate_rows(args.rows, branches)
        write_xlsx(main_file, rows, "messy")
        rng = random.Random(3)
        for row in rows:
            if rng.random() < 0.1 and row["messy"]["联系电话"][-1:].isdigit():
                row["messy"]["联系电话"] = f"139{rng.randrange(10**7, 10**8)}"
        write_xlsx(changed_file, rows, "messy")
        write_xlsx(base_file, rows[: args.baseline_rows], "coded", title=False)
        print(f"generated {args.rows} rows × {len(BENCH_COLUMNS)} columns in {time.perf_counter() - t0:.1f}s")
    print(
        f"file: {main_file} ({main_file.stat().st_size / 1048576:.1f} MB), {len(branches)} branches, "
        f"PostgreSQL {connection.pg_version // 10000}\n"
    )

    def reset() -> None:
        # Not "TRUNCATE members_member CASCADE": organizations point at their secretary (a member), so CASCADE
        # would empty the organizations and then the users. Unlink the secretaries, then truncate the roster
        # with the tables that hang off it (from the catalog, organizations excluded); the roster itself is
        # DELETEd, since PostgreSQL will not TRUNCATE a table that another table references.
        # Accounts point at members too (a provisioned secretary's account): unlinked and kept, like organizations.
        from apps.organizations.models import Organization

        Organization.objects.filter(secretary_member__isnull=False).update(secretary_member=None)
        User.objects.filter(member__isnull=False).update(member=None)
        with connection.cursor() as cur:
            cur.execute(
                "WITH RECURSIVE refs(tbl) AS (SELECT %s::regclass UNION SELECT c.conrelid::regclass"
                " FROM pg_constraint c JOIN refs r ON c.confrelid = r.tbl WHERE c.contype = 'f'"
                " AND c.conrelid <> ALL(ARRAY[%s::regclass, %s::regclass])) SELECT tbl::text FROM refs",
                [Member._meta.db_table, Organization._meta.db_table, User._meta.db_table],
            )
            children = [row[0] for row in cur.fetchall() if row[0] != Member._meta.db_table]
            if children:
                cur.execute(f"TRUNCATE {', '.join(children)} RESTART IDENTITY")
            cur.execute(f'DELETE FROM "{Member._meta.db_table}"')  # still referenced (by organizations)

    reset()
    base = run_child("baseline", base_file, user.username)
    scale = args.rows / args.baseline_rows
    base_full = base["wall"] * scale
    reset()
    limit = run_child("limit", main_file, user.username)
    dry = run_child("dry", main_file, user.username)
    commit = run_child("commit", main_file, user.username)
    with connection.cursor() as cur:
        cur.execute(f'ANALYZE "{Member._meta.db_table}"')
    again = run_child("dry", changed_file, user.username)
    update = run_child("commit", changed_file, user.username)
    stored = Member.objects.count()

    def line(label: str, r: dict, extra: str = "") -> str:
        return (
            f"{label:<46} {r['wall']:6.2f} s (cpu {r['cpu']:5.2f} s)  peak RSS {r['rss_peak_mb']:4.0f} MB "
            f"(start {r['rss_start_mb']:.0f})  {extra}"
        )

    print(
        line(
            f"baseline: plain ModelResource, {args.baseline_rows} rows",
            base,
            f"new {base['new']} upd {base['updated']} err {base['errors']}",
        )
    )
    print(f"{'  extrapolated to ' + str(args.rows) + ' rows':<46} {base_full:7.2f} s")
    print(line("limit: calamine read + COPY raw cells", limit, f"rows {limit['rows']}"))
    print(line("ours: dry run (empty roster)", dry, _counts(dry)))
    print(line("ours: import, all new (validate+encrypt+COPY)", commit, _counts(commit)))
    print(line("ours: dry run of re-import, 10% phones changed", again, _counts(again)))
    print(line("ours: re-import, 10% phones changed (UPDATE)", update, _counts(update)))
    print(f"\nmembers stored: {stored}; load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"speed-up vs baseline (import, all new): {base_full / commit['wall']:.0f}×   "
        f"vs limit: {commit['wall'] / limit['wall']:.1f}× the limit (cpu: {base['cpu'] * scale / commit['cpu']:.0f}× / "
        f"{commit['cpu'] / limit['cpu']:.1f}×)"
    )
    print(
        f"targets at 100k rows (this run: {args.rows}): import ≤ 15 s (stretch 8 s): {commit['wall']:.1f} s; "
        f"peak RSS ≤ 400 MB (stretch 250): "
        f"{commit['rss_peak_mb']:.0f} MB; dry run ≤ 5 s: {dry['wall']:.1f} s"
    )


def _counts(r: dict) -> str:
    stages = " ".join(f"{k} {v:.1f}s" for k, v in r.get("timings", {}).items())
    return f"new {r['new']} upd {r['updated']} same {r['unchanged']} invalid {r['invalid']}  [{stages}]"


if __name__ == "__main__":
    main()

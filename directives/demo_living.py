"""Living era of the demo (see core.demo): a directive of today's province issued a few days ago, its tasks due this
week around today (one already done, one in progress, the others open and due in the coming days), registered and
confirmed through the services like a user's upload, and today's reminders. The history era is closed first
(`close_history`: the 2021–2022 tasks still open were completed late), so no 2022 task is "overdue" today."""
import datetime as dt

from core.demo import LIVING_DAYS

from . import services
from .models import Assignment, ProgressReport

TASKS = [
    # (ref, agency, text, deadline in days from today: kept inside today's Monday–Sunday week)
    ("1", "Sở Y tế", "Chỉ đạo các trạm y tế xã, phường theo dõi sức khỏe người bệnh điều trị tại nhà hai lần mỗi ngày; "
                     "báo cáo ca bệnh mới trong ngày.", -1),
    ("2", "Sở Y tế", "Đẩy nhanh tiến độ tiêm mũi nhắc lại cho người từ 65 tuổi; tổ chức tiêm lưu động cho người cao tuổi "
                     "không đi lại được.", 0),
    ("3", "Sở Giáo dục và Đào tạo", "Hướng dẫn các trường học theo dõi học sinh có biểu hiện sốt, phát ban; phối hợp với "
                                   "trạm y tế xã phát hiện sớm ca bệnh.", 1),
    ("4", "Sở Thông tin và Truyền thông", "Tuyên truyền các biện pháp phòng bệnh trên các phương tiện thông tin đại chúng.", 2),
]
# The regional health centre of the demo's first health region (accounts.demo gives the `khuvuc` login this agency).
REGIONAL_TASK = ("Rà soát, điều tra ổ dịch sốt xuất huyết, sởi tại các xã trong khu vực; báo cáo Sở Y tế.", 1)


def close_history(ctx) -> None:
    """Before the re-homing (the demo command): the 2021–2022 tasks still open were completed, late, a week after
    their deadline (recurring ones at the end of the history), so today's boards count only today's tasks."""
    start = ctx.today - dt.timedelta(days=LIVING_DAYS - 1)
    # Runs before the living era's directive exists: every task still open is the history's (whose directives may
    # have no issue date read from the text).
    rows = list(Assignment.objects.filter(status__in=[Assignment.Status.OPEN, Assignment.Status.IN_PROGRESS])
                .select_related("task").order_by("pk"))
    last = max([a.task.deadline for a in rows if a.task.deadline] or [start - dt.timedelta(days=8)]) + dt.timedelta(days=7)
    for a in rows:
        a.status, a.progress = Assignment.Status.DONE, 100
        a.completed_on = min(a.task.deadline + dt.timedelta(days=7) if a.task.deadline else last, start - dt.timedelta(days=1))
    Assignment.objects.bulk_update(rows, ["status", "progress", "completed_on"])
    n = len(rows)
    ctx.say(f"directives: {n} nhiệm vụ của giai đoạn 2021–2022 đã kết thúc / history tasks closed")


def build(ctx) -> None:
    from .models import Directive

    today = ctx.today
    issued = today - dt.timedelta(days=3)
    number = f"{100 + today.timetuple().tm_yday}/UBND-KGVX"
    if Directive.objects.filter(number=number).exists():
        ctx.say("directives (90 ngày): đã có dữ liệu / already present")
        return
    by = ctx.users.get("health_dept") or ctx.users.get("sysadmin")
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    regional = _regional_agency(ctx)
    lines = [f"ỦY BAN NHÂN DÂN TỈNH {ctx.province.name.replace('Tỉnh ', '').upper()}", f"Số: {number}",
             f"{ctx.province.name.replace('Tỉnh ', '')}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
             "V/v tăng cường công tác phòng, chống dịch bệnh", "Chủ tịch UBND tỉnh giao:"]
    tasks = []
    specs = list(TASKS) + ([("5", regional.name, *REGIONAL_TASK)] if regional else [])
    for ref, agency, text, days in specs:
        # Due this week, around today: on a Monday the first is due today, on a Sunday the last ones are.
        deadline = min(max(today + dt.timedelta(days=days), monday), sunday)
        lines.append(f"{ref}. {agency}: {text} Hoàn thành trước ngày {deadline:%d/%m/%Y}.")
        tasks.append({"ref": ref, "text": text, "assignees": [agency], "deadline": deadline, "recurrence": None, "milestones": []})
    d = services.register_directive(by=by, text="\n\n".join(lines))
    services.confirm_directive(d, by=by, tasks=tasks)
    assignments = list(Assignment.objects.filter(task__directive=d).order_by("task__ref", "pk"))
    if assignments:
        first = assignments[0]
        first.status, first.progress, first.completed_on = Assignment.Status.DONE, 100, min(today, first.task.deadline)
        updates = [first]
        if len(assignments) > 1:
            second = assignments[1]
            second.status, second.progress = Assignment.Status.IN_PROGRESS, 60
            updates.append(second)
        Assignment.objects.bulk_update(updates, ["status", "progress", "completed_on"])
        ProgressReport.objects.bulk_create([ProgressReport(assignment=a, author=by, text="Đã triển khai thực hiện." if a.progress == 100
                                                           else "Đang triển khai.", progress=a.progress, marks_done=a.progress == 100)
                                            for a in updates])
    reminders = services.send_reminders(today)  # what the scheduler writes each morning
    ctx.say(f"directives (90 ngày): văn bản {number}, {len(assignments)} nhiệm vụ đến hạn trong tuần / tasks due this "
            f"week, {reminders} nhắc việc / reminders")


def _regional_agency(ctx):
    user = ctx.users.get("regional_health")
    return getattr(user, "agency", None) if user else None

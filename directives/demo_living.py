"""Living era of the demo (see core.demo): a directive of today's province issued a few days ago, its tasks due this
week (one already done, one in progress, the others open), registered and confirmed through the services like a
user's upload."""
import datetime as dt

from . import services
from .models import Assignment, ProgressReport

TASKS = [
    ("1", "Sở Y tế", "Chỉ đạo các trạm y tế xã, phường theo dõi sức khỏe người bệnh điều trị tại nhà hai lần mỗi ngày; "
                     "báo cáo ca bệnh mới trong ngày.", 1),
    ("2", "Sở Y tế", "Đẩy nhanh tiến độ tiêm mũi nhắc lại cho người từ 65 tuổi; tổ chức tiêm lưu động cho người cao tuổi "
                     "không đi lại được.", 4),
    ("3", "Sở Giáo dục và Đào tạo", "Hướng dẫn các trường học theo dõi học sinh có biểu hiện sốt, phát ban; phối hợp với "
                                   "trạm y tế xã phát hiện sớm ca bệnh.", 3),
    ("4", "Sở Thông tin và Truyền thông", "Tuyên truyền các biện pháp phòng bệnh trên các phương tiện thông tin đại chúng.", 5),
]


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
    lines = [f"ỦY BAN NHÂN DÂN TỈNH {ctx.province.name.replace('Tỉnh ', '').upper()}", f"Số: {number}",
             f"{ctx.province.name.replace('Tỉnh ', '')}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
             "V/v tăng cường công tác phòng, chống dịch bệnh", "Chủ tịch UBND tỉnh giao:"]
    tasks = []
    for ref, agency, text, weekday in TASKS:
        deadline = monday + dt.timedelta(days=weekday)
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
    ctx.say(f"directives (90 ngày): văn bản {number}, {len(assignments)} nhiệm vụ đến hạn trong tuần / tasks due this week")

"""A realistic but fictional fair for `jobfair serve --demo`: an online job exchange session of a
provincial employment service center, with three employers at home and abroad (or, with
`--demo-size large`, a regional fair of 140 employers and 1,000 postings: rooms/demo_large.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rooms.demo_large import LARGE_TITLE, large_booths
from rooms.fairs import Fairs
from rooms.models import BoothInput, Fair, FairInput, JobInput, Participant, Role
from rooms.people import People

DEMO_TITLE = "Phiên giao dịch việc làm trực tuyến tháng 11 — Trung tâm Dịch vụ việc làm tỉnh"

BOOTHS: list[dict[str, Any]] = [
    {
        "employer": "Công ty TNHH Điện tử Sông Mai",
        "sector": "Điện tử",
        "description": "Lắp ráp linh kiện điện tử, khu công nghiệp Song Khê – Nội Hoàng. "
        "Xe đưa đón, bữa trưa, ký túc xá miễn phí.",
        "jobs": [
            {
                "title": "Công nhân lắp ráp linh kiện điện tử",
                "openings": 550,
                "salary_min_vnd": 7_000_000,
                "salary_max_vnd": 11_000_000,
                "location": "Bắc Giang",
                "requirements": "Nam/nữ 18–40 tuổi, tốt nghiệp THCS trở lên, sức khỏe tốt.",
            },
            {
                "title": "Kỹ thuật viên bảo trì máy SMT",
                "openings": 12,
                "salary_min_vnd": 10_000_000,
                "salary_max_vnd": 15_000_000,
                "location": "Bắc Giang",
                "requirements": "Trung cấp/cao đẳng điện – điện tử; biết đọc bản vẽ.",
            },
        ],
    },
    {
        "employer": "Công ty CP Hợp tác quốc tế Hoa Sen",
        "sector": "Xuất khẩu lao động",
        "description": "Tuyển chọn lao động đi làm việc có thời hạn ở nước ngoài theo hợp đồng; "
        "đào tạo tiếng Nhật, tiếng Hàn trước xuất cảnh.",
        "jobs": [
            {
                "title": "Thực tập sinh chế biến thực phẩm",
                "openings": 40,
                "salary_min_vnd": 28_000_000,
                "salary_max_vnd": 32_000_000,
                "location": "Aichi",
                "abroad": "JP",
                "requirements": "Nam/nữ 18–30 tuổi, không xăm hình, đạt tiếng Nhật N5 sau đào tạo.",
            },
            {
                "title": "Lao động nông nghiệp (chương trình EPS)",
                "openings": 25,
                "salary_min_vnd": 35_000_000,
                "salary_max_vnd": 40_000_000,
                "location": "Gyeonggi",
                "abroad": "KR",
                "requirements": "Đã đăng ký hoặc đạt kỳ thi tiếng Hàn EPS-TOPIK.",
            },
            {
                "title": "Công nhân cơ khí",
                "openings": 30,
                "salary_min_vnd": 22_000_000,
                "salary_max_vnd": 26_000_000,
                "location": "Đài Trung",
                "abroad": "TW",
                "requirements": "Nam 20–35 tuổi, ưu tiên có kinh nghiệm hàn, tiện.",
            },
        ],
    },
    {
        "employer": "Công ty May mặc Tiến Phát",
        "sector": "Dệt may",
        "description": "May xuất khẩu áo jacket, đồ thể thao; nhận cả lao động chưa có tay nghề "
        "và đào tạo tại chỗ có hưởng lương.",
        "jobs": [
            {
                "title": "Công nhân may công nghiệp",
                "openings": 200,
                "salary_min_vnd": 7_500_000,
                "salary_max_vnd": 12_000_000,
                "location": "Điện Biên Phủ, Điện Biên",
                "requirements": "Nam/nữ 18–45 tuổi; chưa có tay nghề được đào tạo 1 tháng.",
            },
            {
                "title": "Nhân viên thiết kế rập",
                "openings": 3,
                "salary_min_vnd": 12_000_000,
                "salary_max_vnd": 18_000_000,
                "location": "Điện Biên Phủ, Điện Biên",
                "requirements": "Thành thạo Gerber hoặc Lectra; 2 năm kinh nghiệm.",
            },
        ],
    },
]


RECRUITERS = ["Nguyễn Thu Hà", "Trần Văn Minh", "Lò Thị Mai"]
DEMO_WORKER = {"name": "Cà Văn Duy", "contact": "0912 345 678"}


async def seed_demo(
    fairs: Fairs, people: People, size: str = "small"
) -> tuple[Fair, list[Participant], bool]:
    """The demo fair with a recruiter for each of its first booths and a test worker, and
    whether it was created now. On a restart it is found again (by its title) with everyone
    who may sign in to it, so that every link can be printed again."""
    title = LARGE_TITLE if size == "large" else DEMO_TITLE
    for existing in await fairs.list_fairs():
        if existing.title == title:
            return existing, await _participants(people, existing.id), False
    booths = large_booths() if size == "large" else BOOTHS
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    fair = await fairs.create_fair(
        FairInput(
            title=title,
            description="Kết nối người lao động, sinh viên sắp tốt nghiệp, thanh niên dân tộc "
            "thiểu số với doanh nghiệp trong và ngoài tỉnh, và thị trường xuất khẩu lao động.",
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            language="vi",
        )
    )
    participants: list[Participant] = []
    for i, spec in enumerate(booths):
        fields = {k: v for k, v in spec.items() if k != "jobs"}
        booth = await fairs.create_booth(fair.id, BoothInput.model_validate(fields))
        for job in spec["jobs"]:
            await fairs.create_job(fair.id, booth.id, JobInput.model_validate(job))
        if i < len(RECRUITERS):
            participants.append(await people.add_recruiter(fair.id, booth.id, RECRUITERS[i]))
    participants.append(await people.register_worker(fair.id, DEMO_WORKER))
    return fair, participants, True


async def _participants(people: People, fair_id: str) -> list[Participant]:
    """Who of the demo fair signs in with a printed link: its recruiters, then the test worker
    (workers who registered themselves are not printed)."""
    everyone = await people.of_fair(fair_id)
    recruiters = [p for p in everyone if p.role is Role.RECRUITER]
    tester = [p for p in everyone if p.role is Role.WORKER and p.name == DEMO_WORKER["name"]]
    return recruiters + tester[:1]

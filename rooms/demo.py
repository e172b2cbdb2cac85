"""A realistic but fictional fair for `jobfair serve --demo`: an online job exchange session of a
provincial employment service center, with three employers at home and abroad."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rooms.fairs import Fairs
from rooms.models import BoothInput, Fair, FairInput, JobInput, Participant
from rooms.people import People

DEMO_TITLE = "Phiên giao dịch việc làm trực tuyến tháng 11 — Trung tâm Dịch vụ việc làm tỉnh"

BOOTHS: list[dict[str, Any]] = [
    {
        "employer": "Công ty TNHH Điện tử Sông Mai",
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
        "description": "Tuyển chọn lao động đi làm việc có thời hạn ở nước ngoài theo hợp đồng; "
        "đào tạo tiếng Nhật, tiếng Hàn trước xuất cảnh.",
        "jobs": [
            {
                "title": "Thực tập sinh chế biến thực phẩm",
                "openings": 40,
                "salary_min_vnd": 28_000_000,
                "salary_max_vnd": 32_000_000,
                "location": "Aichi, Nhật Bản",
                "abroad": "JP",
                "requirements": "Nam/nữ 18–30 tuổi, không xăm hình, đạt tiếng Nhật N5 sau đào tạo.",
            },
            {
                "title": "Lao động nông nghiệp (chương trình EPS)",
                "openings": 25,
                "salary_min_vnd": 35_000_000,
                "salary_max_vnd": 40_000_000,
                "location": "Gyeonggi, Hàn Quốc",
                "abroad": "KR",
                "requirements": "Đã đăng ký hoặc đạt kỳ thi tiếng Hàn EPS-TOPIK.",
            },
            {
                "title": "Công nhân cơ khí",
                "openings": 30,
                "salary_min_vnd": 22_000_000,
                "salary_max_vnd": 26_000_000,
                "location": "Đài Trung, Đài Loan",
                "abroad": "TW",
                "requirements": "Nam 20–35 tuổi, ưu tiên có kinh nghiệm hàn, tiện.",
            },
        ],
    },
    {
        "employer": "Công ty May mặc Tiến Phát",
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


async def seed_demo(fairs: Fairs, people: People) -> tuple[Fair, list[Participant]] | None:
    """Create the demo fair once; returns it with a recruiter per booth and a test worker, or
    None when a fair with the demo title already exists."""
    if any(f.title == DEMO_TITLE for f in await fairs.list_fairs()):
        return None
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    fair = await fairs.create_fair(
        FairInput(
            title=DEMO_TITLE,
            description="Kết nối người lao động, sinh viên sắp tốt nghiệp, thanh niên dân tộc "
            "thiểu số với doanh nghiệp trong và ngoài tỉnh, và thị trường xuất khẩu lao động.",
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            language="vi",
        )
    )
    participants: list[Participant] = []
    recruiters = ["Nguyễn Thu Hà", "Trần Văn Minh", "Lò Thị Mai"]
    for spec, recruiter_name in zip(BOOTHS, recruiters, strict=True):
        booth = await fairs.create_booth(
            fair.id, BoothInput(employer=spec["employer"], description=spec["description"])
        )
        for job in spec["jobs"]:
            await fairs.create_job(fair.id, booth.id, JobInput.model_validate(job))
        participants.append(await people.add_recruiter(fair.id, booth.id, recruiter_name))
    participants.append(
        await people.register_worker(fair.id, {"name": "Cà Văn Duy", "contact": "0912 345 678"})
    )
    return fair, participants

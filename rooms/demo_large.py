"""`jobfair serve --demo --demo-size large`: a regional fair of 140 employers and 1,000 job
postings, to see the lobby (ordering, search, filters) and its speed at the scale of a real
provincial fair. Made from a fixed seed, so every run creates the same fair."""

from __future__ import annotations

import random
from typing import Any

LARGE_TITLE = "Ngày hội việc làm vùng Tây Bắc — 140 doanh nghiệp (dữ liệu mẫu)"
BOOTH_COUNT = 140
JOB_COUNT = 1000

SECTORS = {
    "Điện tử": ["Công nhân lắp ráp", "Kỹ thuật viên SMT", "Nhân viên kiểm tra chất lượng"],
    "Dệt may": ["Công nhân may", "Nhân viên thiết kế rập", "Tổ trưởng chuyền may"],
    "Da giày": ["Công nhân gò giày", "Công nhân chặt da", "Nhân viên kho"],
    "Chế biến thực phẩm": ["Công nhân chế biến", "Nhân viên đóng gói", "Kỹ thuật viên lạnh"],
    "Xây dựng": ["Thợ nề", "Thợ cốp pha", "Kỹ sư giám sát"],
    "Nông nghiệp": ["Công nhân trồng rau", "Kỹ thuật viên chăn nuôi", "Lái máy nông nghiệp"],
    "Du lịch – khách sạn": ["Nhân viên buồng phòng", "Phụ bếp", "Lễ tân"],
    "Xuất khẩu lao động": ["Thực tập sinh", "Lao động nông nghiệp", "Công nhân cơ khí"],
}
DOMESTIC = ["Bắc Giang", "Bắc Ninh", "Điện Biên", "Lai Châu", "Sơn La", "Lào Cai", "Hà Nội"]
ABROAD = {"JP": ["Aichi", "Osaka", "Saitama"], "KR": ["Gyeonggi", "Busan"], "TW": ["Đài Trung"]}
NAMES = ["Sông Mai", "Hoa Sen", "Tiến Phát", "Bình Minh", "Trường Sơn", "Ánh Dương", "Phú Cường"]
FORMS = ["Công ty TNHH", "Công ty CP", "Tập đoàn"]


def large_booths(seed: int = 13) -> list[dict[str, Any]]:
    """140 booths whose jobs add up to 1,000: booth specs as rooms/demo.py's BOOTHS."""
    rng = random.Random(seed)
    sectors = list(SECTORS)
    per_booth, extra = divmod(JOB_COUNT, BOOTH_COUNT)
    booths = []
    for i in range(BOOTH_COUNT):
        sector = sectors[i % len(sectors)]
        employer = f"{rng.choice(FORMS)} {sector} {rng.choice(NAMES)} {i + 1:03d}"
        jobs = [_job(rng, sector) for _ in range(per_booth + (1 if i < extra else 0))]
        booths.append(
            {
                "employer": employer,
                "sector": sector,
                "description": f"Tuyển dụng ngành {sector.lower()}, nhận lao động phổ thông.",
                "slot_minutes": rng.choice([10, 15, 20]),
                "jobs": jobs,
            }
        )
    return booths


def _job(rng: random.Random, sector: str) -> dict[str, Any]:
    abroad = rng.choice(list(ABROAD)) if sector == "Xuất khẩu lao động" else ""
    location = rng.choice(ABROAD[abroad]) if abroad else rng.choice(DOMESTIC)
    low = rng.randrange(5, 30 if abroad else 15) * 1_000_000
    return {
        "title": rng.choice(SECTORS[sector]),
        "openings": rng.randrange(1, 300),
        "salary_min_vnd": low,
        "salary_max_vnd": low + rng.randrange(1, 8) * 1_000_000,
        "location": location,
        "abroad": abroad,
        "requirements": "Nam/nữ 18–40 tuổi, sức khỏe tốt.",
    }

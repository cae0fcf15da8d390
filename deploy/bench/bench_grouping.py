"""Time CommentGrouper.add over 50,000 comments on one draft: 20 campaigns and many unique comments.

Run: .venv/bin/python deploy/bench/bench_grouping.py
"""

from __future__ import annotations

import random
import resource
import statistics
import time

from consultation.domain.grouping import CommentGrouper

TOTAL = 50_000
CAMPAIGN_SIZES = [
    6000,
    4000,
    3000,
    2500,
    2000,
    1500,
    1200,
    1000,
    800,
    600,
    500,
    400,
    300,
    250,
    200,
    150,
    100,
    60,
    30,
    10,
]
SEED = 1405

_WORDS = (
    "شهرداری شورا پیش‌نویس دستورالعمل عوارض نوسازی پارک حاشیه‌ای خیابان کوچه محله منطقه ساکنان کسبه "
    "دستفروشان پیاده‌رو درختان چنار نهال آبیاری فضای سبز بوستان نیمکت زباله مخزن پسماند تفکیک نخاله "
    "اتوبوس مترو ایستگاه تاکسی کرایه دوچرخه آسفالت چاله سرعت‌گیر روشنایی عابر پیاده مدرسه بیمارستان "
    "سر و صدا کارگاه ساختمانی تالار بلندگو موتورسیکلت بزرگراه دیوار صوتی مجوز کمیسیون ماده بند تبصره "
    "تخفیف بازنشستگان معلمان ایثارگران دفتر خدمات الکترونیک پیشخوان استعلام پرونده کد رهگیری سامانه "
    "درگاه پرداخت رسید تعرفه مصوب شفافیت شکایت پیگیری نتیجه اعتراض حمایت مخالفت موافقت پیشنهاد "
    "لطفاً حتماً واقعاً هرگز همیشه امسال پارسال هفته ماه صبح شب نیمه‌شب بامداد زمستان تابستان باران "
    "خشکسالی آب برق گاز حفاری لاستیک ترافیک سنگین خطر ایمنی کودکان سالمندان زنان معلولان ویلچر کالسکه "
    "است نیست شد شود کرد کنید کنند داریم دارند می‌خواهیم می‌کنیم نمی‌شود باید نباید بدون با از به در برای "
    "که این آن هر هیچ چند همه بیشتر کمتر دو سه چهار پنج ده بیست صد هزار"
)
VOCABULARY = _WORDS.split()
NAMES = ["محمد رضایی", "زهرا احمدی", "علی کریمی", "فاطمه موسوی", "حسین نوری", "مریم یزدانی", "رضا صادقی"]


def random_text(rng: random.Random, words: tuple[int, int]) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(*words)))
    return f"{text} {rng.randint(1, 1400)}."


def lightly_edited(template: str, rng: random.Random) -> str:
    words = template.split(" ")
    if rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(VOCABULARY))
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace("\u200c", " ")
    if rng.random() < 0.3:
        text = text.replace("ی", "ي").replace("ک", "ك")
    if rng.random() < 0.3:
        text = text.replace(".", "!") + "؟"
    if rng.random() < 0.5:
        text = f"{text} {rng.choice(NAMES)}"
    return text


def generate_comments() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    texts = []
    for size in CAMPAIGN_SIZES:
        template = random_text(rng, (30, 60))
        texts.extend(lightly_edited(template, rng) for _ in range(size))
    texts.extend(random_text(rng, (8, 60)) for _ in range(TOTAL - len(texts)))
    rng.shuffle(texts)
    return [(f"c-{index}", text) for index, text in enumerate(texts)]


def main() -> None:
    comments = generate_comments()
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    grouper = CommentGrouper()
    latencies = []
    started = time.perf_counter()
    for comment_id, text in comments:
        before = time.perf_counter()
        grouper.add(comment_id, text)
        latencies.append(time.perf_counter() - before)
    total = time.perf_counter() - started
    groups = grouper.groups()
    quantiles = statistics.quantiles(latencies, n=100)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"comments:           {len(comments)}")
    print(f"total seconds:      {total:.2f}")
    print(f"comments/second:    {len(comments) / total:.0f}")
    print(f"p50 add latency ms: {quantiles[49] * 1000:.3f}")
    print(f"p99 add latency ms: {quantiles[98] * 1000:.3f}")
    print(f"groups:             {len(groups)}")
    print(f"largest group:      {max(len(members) for members in groups.values())}")
    print(f"campaign groups:    {sum(1 for members in groups.values() if len(members) > 1)}")
    print(f"RSS MB before adds: {rss_before_mb:.1f}")
    print(f"peak RSS MB:        {peak_rss_mb:.1f}")


if __name__ == "__main__":
    main()

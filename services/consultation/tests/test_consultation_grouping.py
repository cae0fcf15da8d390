import random

import pytest

from consultation.domain.grouping import CommentGrouper, normalise_for_grouping

PARKING_CAMPAIGN = (
    "اینجانب به عنوان شهروند منطقه ۳ با افزایش ۴۰ درصدی عوارض پارک حاشیه‌ای در پیش‌نویس این "
    "دستورالعمل مخالفم. این افزایش فشار زیادی بر کسبه و ساکنان محله وارد می‌کند و پیش از تصویب "
    "باید نظر اهالی گرفته شود. لطفاً بند ۱۲ حذف شود."
)
TREES_CAMPAIGN = (
    "ما اهالی خیابان ولیعصر از بند ۷ پیش‌نویس درباره حفاظت از درختان چنار حمایت می‌کنیم و "
    "درخواست داریم قطع هر درخت بیش از ۲۰ سال عمر فقط با مجوز کمیسیون و کاشت پنج نهال "
    "جایگزین انجام شود."
)

TOPICS = [
    [
        "جای پارک در خیابان {place} از ساعت هشت صبح پر می‌شود و ساکنان ناچارند خودرو را چند کوچه دورتر بگذارند.",
        "پارکومترهای جدید {place} بیشتر وقت‌ها خراب‌اند و مأموران باز هم جریمه می‌نویسند.",
        "پیشنهاد می‌کنم برای ساکنان {place} کارت پارک ماهانه با نرخ کمتر صادر شود.",
        "پارک دوبل جلوی مدرسه {place} هر روز ترافیک سنگینی درست می‌کند و کسی برخورد نمی‌کند.",
        "طبقات پارکینگ عمومی {place} نیمه‌خالی است چون تابلوی راهنما ندارد و کسی آن را پیدا نمی‌کند.",
    ],
    [
        "دستفروشان پیاده‌روی {place} را کامل گرفته‌اند و عبور با کالسکه یا ویلچر ممکن نیست.",
        "به جای جمع‌آوری دستفروشان، برای آن‌ها در {place} بازارچه موقت با غرفه ارزان بسازید.",
        "بساط میوه‌فروشی‌های سیار در {place} تا نیمه‌شب باز است و زباله‌اش تا صبح می‌ماند.",
        "برخورد تند مأموران سد معبر با دستفروشان سالمند {place} شایسته شهرداری نیست.",
        "ثبت‌نام دستفروشان {place} در سامانه و دادن مجوز روزانه، درآمد شهر را هم بیشتر می‌کند.",
    ],
    [
        "سه چنار کهنسال کوچه {place} را هفته پیش بدون هیچ اطلاعیه‌ای قطع کردند.",
        "آبیاری فضای سبز بلوار {place} با آب شرب انجام می‌شود که در این خشکسالی اسراف است.",
        "نهال‌هایی که پارسال در {place} کاشتید همه خشک شده‌اند چون کسی به آن‌ها آب نداد.",
        "ریشه درختان {place} آسفالت پیاده‌رو را بلند کرده و چند نفر زمین خورده‌اند.",
        "هرس شدید درختان {place} در فصل بهار شاخه‌ها را بی‌برگ کرده و سایه‌ای نمانده است.",
    ],
    [
        "عوارض نوسازی امسال ملک ما در {place} دو برابر پارسال آمده در حالی که هیچ خدمتی اضافه نشده.",
        "پرداخت عوارض خودرو در سامانه شهرداری برای {place} خطا می‌دهد و درگاه بانکی باز نمی‌شود.",
        "تخفیف خوش‌حسابی عوارض باید برای بازنشستگان {place} هم در نظر گرفته شود.",
        "معلوم نیست عوارض پسماندی که از کسبه {place} می‌گیرید صرف چه کاری می‌شود.",
        "برای صدور پایان کار در {place} از ما عوارضی گرفتند که در هیچ مصوبه‌ای نیامده است.",
    ],
    [
        "کارگاه ساختمانی {place} از ساعت شش صبح با دستگاه بتن‌کن کار می‌کند و خواب را از اهالی گرفته.",
        "موتورسیکلت‌های با اگزوز دستکاری‌شده هر شب در {place} مسابقه می‌دهند.",
        "بلندگوی تالار عروسی {place} تا دو بامداد روشن است و کسی به شکایت‌ها رسیدگی نمی‌کند.",
        "دیوار صوتی کنار بزرگراه {place} نیمه‌کاره رها شده و صدای کامیون‌ها تا خانه‌ها می‌رسد.",
        "ژنراتور برق فروشگاه بزرگ {place} شب‌ها روشن می‌ماند و لرزشش در ساختمان‌های کناری حس می‌شود.",
    ],
    [
        "مخزن‌های زباله {place} دو روز است تخلیه نشده و بوی بدش همه کوچه را گرفته.",
        "سطل‌های تفکیک پسماند خشک در {place} هیچ‌وقت جدا جمع نمی‌شوند و همه با هم در یک کامیون می‌روند.",
        "ساعت جمع‌آوری زباله در {place} را به بعد از ده شب منتقل کنید تا ترافیک صبح کم شود.",
        "نخاله‌های ساختمانی را شبانه کنار رودخانه {place} خالی می‌کنند و کسی جلویش را نمی‌گیرد.",
        "گربه‌ها و کلاغ‌ها کیسه‌های زباله {place} را پاره می‌کنند چون مخزن در دار نداریم.",
    ],
    [
        "فاصله حرکت اتوبوس‌های خط {place} به بیست و پنج دقیقه رسیده و ایستگاه‌ها سقف ندارند.",
        "ایستگاه مترو {place} آسانسور ندارد و سالمندان باید از پله برقی خراب بالا بروند.",
        "کارت بلیت الکترونیک در اتوبوس‌های {place} اغلب خوانده نمی‌شود و راننده پول نقد می‌خواهد.",
        "خط ویژه دوچرخه در {place} پر از خودروهای پارک‌شده است و عملاً قابل استفاده نیست.",
        "تاکسی‌های خطی {place} کرایه را خودسرانه بالا برده‌اند و نرخ‌نامه را نصب نمی‌کنند.",
    ],
    [
        "چاله‌های خیابان {place} بعد از حفاری شرکت گاز دوباره پر نشده و به لاستیک‌ها آسیب می‌زند.",
        "سرعت‌گیرهای بلند {place} بدون علامت و رنگ هستند و شب دیده نمی‌شوند.",
        "جدول‌گذاری کوچه {place} شش ماه است نیمه‌تمام مانده و آب باران در آن جمع می‌شود.",
        "چراغ‌های روشنایی معبر در {place} خاموش است و رفت‌وآمد شبانه برای زنان ناامن شده.",
        "خط‌کشی عابر پیاده جلوی بیمارستان {place} پاک شده و رانندگان توقف نمی‌کنند.",
    ],
    [
        "وسایل بازی کودکان در بوستان {place} زنگ زده و لبه‌های تیز دارد.",
        "سرویس بهداشتی بوستان {place} همیشه قفل است و خانواده‌ها مشکل دارند.",
        "در بوستان {place} هیچ نیمکت سایه‌داری برای سالمندان وجود ندارد.",
        "سگ‌گردانی بدون قلاده در بوستان {place} بچه‌ها را ترسانده و نگهبانی نیست.",
        "پیست پیاده‌روی بوستان {place} شب‌ها چراغ ندارد و ورزش عصرگاهی تعطیل شده.",
    ],
    [
        "دفتر خدمات الکترونیک {place} برای یک استعلام ساده سه بار مراجعه حضوری خواست.",
        "هزینه خدمات دفاتر پیشخوان {place} با تعرفه مصوب شورا فرق دارد و رسید هم نمی‌دهند.",
        "سامانه پیگیری درخواست‌ها کد رهگیری دفتر {place} را نمی‌شناسد و وضعیت پرونده معلوم نیست.",
        "ساعت کار دفتر پیشخوان {place} با ساعت اداری ما یکی است و مجبوریم مرخصی بگیریم.",
        "کارمند دفتر خدمات {place} گفت پرونده را خودتان به شهرداری ببرید که خلاف هدف این دفاتر است.",
    ],
]
PLACES = [
    "ستارخان",
    "نارمک",
    "پیروزی",
    "شهرک غرب",
    "تهرانپارس",
    "جنت‌آباد",
    "یوسف‌آباد",
    "منطقه ۴",
    "خیابان شریعتی",
    "میدان ونک",
]
CLOSINGS = [
    "لطفاً پیگیری کنید.",
    "ممنون از اینکه نظر مردم را می‌پرسید.",
    "امیدوارم در متن نهایی به این موضوع توجه شود.",
    "از شورای شهر انتظار داریم جدی‌تر برخورد کند.",
    "این مشکل را چند بار به ۱۳۷ هم گزارش داده‌ام.",
    "",
    "با تشکر.",
    "لطفاً نتیجه را اطلاع دهید.",
]
NAMES = ["محمد رضایی", "زهرا احمدی", "علی کریمی", "فاطمه موسوی", "حسین نوری", "مریم یزدانی"]
FILLERS = ["واقعاً", "حتماً", "لطفاً", "هم", "جداً", "قطعاً"]


def _add_word(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
    return " ".join(words)


def _drop_word(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    del words[rng.randrange(len(words))]
    return " ".join(words)


def _change_punctuation(text: str, rng: random.Random) -> str:
    return rng.choice(
        [
            text.replace(".", "!"),
            text.replace(".", ""),
            text.replace("،", "") + "؟",
            "«" + text + "»",
            text.replace(" و ", "، و "),
        ]
    )


def _zwnj_as_space(text: str, rng: random.Random) -> str:
    return text.replace("\u200c", " ")


def _arabic_letters(text: str, rng: random.Random) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def _ascii_digits(text: str, rng: random.Random) -> str:
    return text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


def _append_name(text: str, rng: random.Random) -> str:
    return f"{text} {rng.choice(NAMES)}"


EDITS = [
    _add_word,
    _drop_word,
    _change_punctuation,
    _zwnj_as_space,
    _arabic_letters,
    _ascii_digits,
    _append_name,
]


def lightly_edited(template: str, rng: random.Random) -> str:
    text = template
    for edit in rng.sample(EDITS, rng.randint(1, 3)):
        text = edit(text, rng)
    return text


def campaign(template: str, prefix: str, count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(f"{prefix}-{index}", lightly_edited(template, rng)) for index in range(count)]


def unrelated_comments() -> list[tuple[str, str]]:
    rng = random.Random(7)
    comments = []
    for topic_index, sentences in enumerate(TOPICS):
        for variant, sentence in enumerate(sentences):
            text = f"{sentence.format(place=rng.choice(PLACES))} {rng.choice(CLOSINGS)}".strip()
            comments.append((f"u-{topic_index}-{variant}", text))
    return comments


def interleaved(*streams: list[tuple[str, str]], seed: int = 11) -> list[tuple[str, str]]:
    merged = [comment for stream in streams for comment in stream]
    random.Random(seed).shuffle(merged)
    return merged


def _first(comments: list[tuple[str, str]], prefix: str) -> str:
    return next(comment_id for comment_id, _ in comments if comment_id.startswith(prefix))


@pytest.mark.unit
def test_normalisation_folds_spelling_digits_marks_and_punctuation() -> None:
    text = "«علي» كريمي، مــی\u200cخواهد ۱۲ و ٣٤ دَرصد؛ OK؟"
    assert normalise_for_grouping(text) == "علی کریمی می خواهد 12 و 34 درصد ok"


@pytest.mark.unit
def test_a_campaign_of_lightly_edited_copies_is_one_group_of_two_hundred() -> None:
    grouper = CommentGrouper.from_comments(campaign(PARKING_CAMPAIGN, "p", 200, seed=1))
    assert grouper.groups() == {"p-0": [f"p-{index}" for index in range(200)]}
    assert grouper.size("p-0") == 200


@pytest.mark.unit
def test_unrelated_comments_neither_join_the_campaign_nor_each_other() -> None:
    unrelated = unrelated_comments()
    comments = interleaved(campaign(PARKING_CAMPAIGN, "p", 200, seed=2), unrelated)
    grouper = CommentGrouper.from_comments(comments)
    assert grouper.size(_first(comments, "p-")) == 200
    for comment_id, _ in unrelated:
        assert grouper.group_of(comment_id) == comment_id
        assert grouper.size(comment_id) == 1
    assert len(grouper.groups()) == 1 + len(unrelated)


@pytest.mark.unit
def test_two_campaigns_stay_two_groups() -> None:
    comments = interleaved(
        campaign(PARKING_CAMPAIGN, "p", 120, seed=3), campaign(TREES_CAMPAIGN, "t", 80, seed=4)
    )
    grouper = CommentGrouper.from_comments(comments)
    sizes = {group_id: len(members) for group_id, members in grouper.groups().items()}
    assert sizes == {_first(comments, "p-"): 120, _first(comments, "t-"): 80}


@pytest.mark.unit
def test_identical_texts_group_whatever_their_spelling() -> None:
    grouper = CommentGrouper()
    assert grouper.add("a", PARKING_CAMPAIGN) == "a"
    assert (
        grouper.add("b", _arabic_letters(_ascii_digits(PARKING_CAMPAIGN, random.Random()), random.Random()))
        == "a"
    )
    assert grouper.groups() == {"a": ["a", "b"]}


@pytest.mark.unit
def test_short_texts_group_only_when_equal() -> None:
    grouper = CommentGrouper()
    assert grouper.add("a", "با این طرح مخالفم.") == "a"
    assert grouper.add("b", "با این طرح مخالفم") == "a"
    assert grouper.add("c", "با این طرح موافقم.") == "c"
    assert grouper.add("d", "با این طرح مخالفیم.") == "d"
    assert grouper.size("a") == 2


@pytest.mark.unit
def test_group_ids_are_the_first_member_and_stay_stable() -> None:
    grouper = CommentGrouper()
    ids = [grouper.add(comment_id, text) for comment_id, text in campaign(TREES_CAMPAIGN, "t", 30, seed=5)]
    assert set(ids) == {"t-0"}
    assert grouper.add("t-0", "متن دیگری که دیگر اهمیتی ندارد چون این شناسه قبلاً ثبت شده") == "t-0"
    assert grouper.group_of("t-29") == "t-0"
    assert grouper.group_of("unknown") is None
    assert grouper.size("unknown") == 0


@pytest.mark.unit
def test_rebuilding_from_stored_comments_gives_the_same_groups() -> None:
    comments = interleaved(
        campaign(PARKING_CAMPAIGN, "p", 60, seed=6),
        campaign(TREES_CAMPAIGN, "t", 40, seed=8),
        unrelated_comments(),
    )
    live = CommentGrouper()
    for comment_id, text in comments:
        live.add(comment_id, text)
    assert CommentGrouper.from_comments(comments).groups() == live.groups()

"""Demo publishing content for the embedded mode (never production): case studies with
illustrations, news and DX event information, so the public site looks like the real one.

Everything goes through the articles and media services (validation, accessibility check,
revisions, audit log, EXIF stripping and renditions), written by the demo editor and published
by the demo staff member. Loading is idempotent: an article whose kind and slug exist is left
alone, so an editor's changes survive a restart. Dates are computed from today, so the case
studies and news always span the recent months and the upcoming events stay ahead.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from api import clock
from api.accounts.tables import Account
from api.articles import service as articles
from api.articles.default_pages import system_principal
from api.articles.generation import bump_content_generation
from api.articles.tables import Article
from api.dates import JST
from api.db import transaction
from api.demo_case_studies import CASES, DemoCase
from api.demo_images import illustration
from api.media import service as media
from api.members.tables import Organisation
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from storage import ObjectStore, open_store

log = logging.getLogger("kdx.demo")

EDITOR_EMAIL = "editor@example.jp"
PUBLISHER_EMAIL = "staff@example.jp"


@dataclass(frozen=True, slots=True)
class DemoNews:
    slug: str
    title: str
    summary: str
    body: str


@dataclass(frozen=True, slots=True)
class DemoEvent:
    slug: str
    title: str
    summary: str
    body: str
    days_from_today: int  # negative: a past event
    starts: tuple[int, int]  # hour, minute (JST)
    hours: float
    organiser: str
    venue: str
    online: bool
    url: str


# Newest first; published over the last 18 months.
NEWS: tuple[DemoNews, ...] = (
    DemoNews(
        "case-study-call",
        "導入事例の取材にご協力いただける会員を募集しています",
        "DXの取り組みを導入事例として紹介させていただける会員企業・団体を募集します。",
        """コンソーシアムでは、会員の皆さまのDXの取り組みを導入事例として取材し、このサイトで紹介しています。\
これから取り組みを始めたばかりの段階でも構いません。うまくいかなかった経験も、ほかの会員にとって貴重な学びになります。

## 取材の流れ

1. 事務局までメールでご連絡ください
2. 事務局の担当者がオンラインで30分ほどお話を伺います
3. 記者がご訪問し、1時間程度の取材と写真撮影を行います
4. 原稿を確認していただいたうえで公開します

## これまでの事例

公開中の事例は[導入事例の一覧](/case-studies)でご覧いただけます。""",
    ),
    DemoNews(
        "members-550",
        "会員数が550を超えました",
        "コンソーシアムの会員数が550の企業・団体になりました。",
        """熊本県DX推進コンソーシアムの会員数が、550の企業・団体になりました。ご参加いただいている皆さまに心よりお礼申し上げます。

今年度は、製造業と農業の分野からの入会が特に多く、熊本市以外の地域からの入会が全体の4割を占めています。\
引き続き、県内の幅広い地域・業種の皆さまのご参加をお待ちしています。

入会の方法は[入会のご案内](/pages/membership)をご覧ください。""",
    ),
    DemoNews(
        "system-maintenance-winter",
        "会員向けプラットフォームのメンテナンスのお知らせ",
        "システムのメンテナンスのため、会員向けプラットフォームを一時停止します。",
        """システムのメンテナンスのため、次の日時に会員向けプラットフォームを停止します。ご不便をおかけしますが、ご理解をお願いいたします。

| 項目 | 内容 |
| --- | --- |
| 停止する日時 | 日曜日の午前2時から午前6時まで（予定） |
| 停止するサービス | 会員向けプラットフォーム（ログイン、ソリューション検索、チャンネル） |
| 影響のないサービス | 公開サイト（導入事例、お知らせ、イベント情報） |

作業の状況により、終了の時刻が早まったり遅れたりすることがあります。""",
    ),
    DemoNews(
        "seminar-report-generative-ai",
        "「生成AIを業務に生かす」セミナーを開催しました",
        "会場とオンラインで約180人が参加し、県内企業の活用事例と注意点を学びました。",
        """熊本市内の会場とオンラインを組み合わせて、「生成AIを業務に生かす」セミナーを開催しました。約180人の方にご参加いただきました。

## 講演の内容

- 生成AIでできること、できないこと
- 県内企業の活用事例（議事録の作成、問い合わせへの回答案の作成、プログラムの作成支援）
- 情報漏えいを防ぐための社内ルールの作り方

## 参加者の声

> 社内ルールのひな形が具体的で、すぐに使えそうです。

セミナーの録画は、会員向けプラットフォームでご覧いただけます。""",
    ),
    DemoNews(
        "subsidy-dx",
        "県の「中小企業DX推進補助金」の募集が始まりました",
        "熊本県が、中小企業のデジタル化を支援する補助金の募集を始めました。",
        """熊本県が、県内の中小企業・小規模事業者のデジタル技術の導入を支援する補助金の募集を始めました。

## 補助の概要

| 項目 | 内容 |
| --- | --- |
| 対象 | 県内に事業所がある中小企業・小規模事業者 |
| 対象の経費 | ソフトウェアやクラウドサービスの導入費、機器の購入費、専門家への委託費 |
| 補助率 | 対象経費の2分の1以内 |
| 上限額 | 100万円 |

申請の方法や締め切りは、熊本県の担当課が公表する募集要項でご確認ください。\
申請の準備についてのご相談は、コンソーシアムの事務局でも受け付けています。""",
    ),
    DemoNews(
        "new-members-autumn",
        "新しく入会された会員のご紹介（秋）",
        "この3か月で新たに15の企業・団体にご入会いただきました。",
        """この3か月で、新たに15の企業・団体にご入会いただきました。製造業、農業、観光、福祉など、さまざまな分野の皆さまです。

会員の皆さまのソリューションは、会員向けプラットフォームで検索できます。新しく入会された会員のソリューションも順次掲載しています。""",
    ),
    DemoNews(
        "data-community-launch",
        "データ利活用コミュニティの参加者を募集します",
        "データを業務に生かしたい会員が学び合うコミュニティを立ち上げます。",
        """データを業務に生かしたい会員の皆さまが、分析の進め方や事例を学び合う「データ利活用コミュニティ」を立ち上げます。

## 活動の内容

- 月1回のオンライン勉強会
- 参加者のデータを持ち寄った分析演習（年4回）
- 大学の教員による個別の相談会

分析の経験は問いません。会員の方であればどなたでも参加できます。""",
    ),
    DemoNews(
        "seminar-report-security",
        "「中小企業のためのセキュリティ対策」セミナーを開催しました",
        "ランサムウェアの被害事例と、今日からできる対策を学びました。",
        """県内の事業者を対象に、「中小企業のためのセキュリティ対策」セミナーを開催しました。

講師からは、県内でも実際に起きているランサムウェアの被害の事例と、被害を防ぐための基本的な対策が紹介されました。

- 機器とソフトウェアを最新の状態に保つ
- バックアップを取り、ネットワークから切り離して保管する
- 不審なメールの添付ファイルを開かない、リンクを押さない
- 二段階認証を設定する

当日の資料は、会員向けプラットフォームに掲載しています。""",
    ),
    DemoNews(
        "annual-survey-results",
        "会員アンケートの結果を公表しました",
        "会員の約5割がDXの取り組みを始めていると回答しました。",
        """昨年度末に実施した会員アンケートの結果をまとめました。回答いただいた皆さま、ありがとうございました。

## 主な結果

| 質問 | 回答の割合 |
| --- | --- |
| DXの取り組みを始めている | 52% |
| 取り組みを検討している | 31% |
| 取り組む予定はない | 17% |

取り組みの課題としては、「担当できる人材がいない」「費用対効果が分からない」という回答が多くありました。\
今年度は、人材育成のセミナーと、導入事例の発信に一層力を入れていきます。""",
    ),
    DemoNews(
        "case-study-book",
        "導入事例集を発行しました",
        "この1年に取材した12の導入事例をまとめた冊子を発行しました。",
        """この1年に取材した12の導入事例をまとめた冊子「くまもとDX導入事例集」を発行しました。

冊子は、県内の商工会・商工会議所、金融機関の窓口などで配布しています。\
掲載している事例は、このサイトの[導入事例の一覧](/case-studies)でもご覧いただけます。""",
    ),
    DemoNews(
        "matching-event-report",
        "会員交流会とビジネスマッチングを開催しました",
        "会員約90人が参加し、ソリューションの紹介と個別の商談が行われました。",
        """会員同士のつながりを深める交流会を開催し、約90人の方にご参加いただきました。

第1部では、IT企業など8社の会員が自社のソリューションを5分ずつ紹介しました。\
第2部の個別相談では、約30件の商談が行われ、その後、具体的な導入の検討に進んだ例もあります。""",
    ),
    DemoNews(
        "year-end-holidays",
        "年末年始の事務局の休業について",
        "年末年始は事務局を休業します。",
        """年末年始は、事務局を休業します。休業中にいただいたお問い合わせには、休業明けから順に回答します。

休業中も、公開サイトと会員向けプラットフォームはご利用いただけます。""",
    ),
    DemoNews(
        "members-500",
        "会員数が500を超えました",
        "コンソーシアムの会員数が500の企業・団体になりました。",
        """熊本県DX推進コンソーシアムの会員数が500の企業・団体になりました。

設立からの歩みと、会員の皆さまの取り組みは[コンソーシアムの概要](/pages/about)でご紹介しています。""",
    ),
    DemoNews(
        "seminar-report-manufacturing",
        "「製造業のデータ活用」セミナーを開催しました",
        "工場のIoTとデータ活用について、県内企業の事例を交えて学びました。",
        """製造業の皆さまを対象に、工場の設備データを生かす方法を学ぶセミナーを開催しました。

会員企業から、設備の稼働状況の見える化と、故障の予兆を検知する取り組みが紹介されました。\
参加者からは「小さく始めて効果を確かめる進め方が参考になった」との声をいただきました。

紹介された取り組みの詳しい内容は、導入事例でご覧いただけます。""",
    ),
    DemoNews(
        "website-renewal",
        "ウェブサイトをリニューアルしました",
        "導入事例を業種・地域・テーマで探せるようになりました。",
        """コンソーシアムのウェブサイトをリニューアルしました。

## 主な変更点

- 導入事例を業種、市町村、テーマで絞り込んで探せるようになりました
- スマートフォンでも読みやすい画面にしました
- 文字の大きさや色の組み合わせを見直し、より多くの方が利用しやすいようにしました

サイトのアクセシビリティについての考え方は[ウェブアクセシビリティ方針](/pages/accessibility)に掲載しています。""",
    ),
    DemoNews(
        "talent-program",
        "DX人材育成プログラムの受講者を募集します",
        "経営者向けと実務担当者向けの2つのコースを開講します。",
        """会員の皆さまを対象に、DXを進める人材を育てるプログラムを開講します。

| コース | 対象 | 期間 |
| --- | --- | --- |
| 経営者コース | 経営者・役員 | 3か月（全4回） |
| 実務者コース | 業務の改善やシステム導入を担当する方 | 6か月（全10回） |

受講料は無料です。定員を超えた場合は、地域や業種のバランスを考えて選ばせていただきます。""",
    ),
    DemoNews(
        "new-members-spring",
        "新しく入会された会員のご紹介（春）",
        "新年度に入り、20の企業・団体にご入会いただきました。",
        """新年度に入り、20の企業・団体にご入会いただきました。県南地域と天草地域からのご入会が増えています。

会員の皆さまの交流の場として、地域ごとの勉強会も予定しています。日程は[イベント情報](/event-info)でお知らせします。""",
    ),
    DemoNews(
        "secretariat-handover",
        "今年度の事務局の運営体制について",
        "今年度の事務局の連絡先と担当をお知らせします。",
        """今年度も、熊本県から委託を受けた事務局がコンソーシアムを運営します。\
お問い合わせの窓口と連絡先は変わりません。

- 電話: 096-000-0000（平日 9時から17時）
- メール: info@kumamoto-dx.example.jp""",
    ),
    DemoNews(
        "seminar-report-kickoff",
        "年度初めの全体会を開催しました",
        "今年度の活動計画と、県のDX施策について説明しました。",
        """会員の皆さまを対象に、年度初めの全体会を開催しました。

熊本県の担当課から今年度のDX施策について説明があり、事務局からは活動計画をご説明しました。\
活動の全体像は[活動内容](/pages/about/activities)のページにまとめています。""",
    ),
    DemoNews(
        "inquiry-form-notice",
        "お問い合わせの受付時間について",
        "お電話でのお問い合わせは平日の9時から17時まで受け付けています。",
        """お電話でのお問い合わせは、平日の9時から17時まで受け付けています。メールでのお問い合わせは24時間受け付けており、\
原則として2営業日以内に回答します。""",
    ),
)

# Upcoming events (days ahead of today) stay upcoming on a fresh demo database.
EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        "kumamoto-dx-forum",
        "くまもとDXフォーラム",
        "県内外の先進事例の講演と、DXに取り組む企業の展示を行うフォーラムです。",
        """熊本県が主催する、DXをテーマにしたフォーラムです。基調講演、県内企業の事例発表、\
ソリューションの展示を通じて、DXに取り組むヒントを持ち帰っていただけます。

## プログラム

1. 基調講演「地域から始めるDX」
2. 県内企業による事例発表（3社）
3. パネルディスカッション「人材をどう育てるか」
4. 展示・交流

参加は無料です。申し込みは主催者のウェブサイトで受け付けています。""",
        12, (13, 0), 4.5, "熊本県", "熊本城ホール（熊本市中央区）", True,
        "https://www.pref-kumamoto.example.jp/dx-forum",
    ),
    DemoEvent(
        "manufacturing-iot-workshop",
        "製造業向けIoT導入ワークショップ",
        "センサーを実際に触りながら、工場のデータを集める方法を学ぶ少人数のワークショップです。",
        """くまもと産業支援財団が主催する、製造業の方向けのワークショップです。\
市販のセンサーと小型のコンピューターを使い、設備の稼働データを集めて見える化するまでを体験します。

## 対象

県内の製造業で、設備の管理や生産性の向上を担当している方（定員20人）

## 持ち物

ノートパソコン（お持ちでない方には貸し出します）""",
        26, (13, 30), 3, "公益財団法人くまもと産業支援財団", "くまもと産業支援センター 研修室（益城町）", False,
        "https://www.kumamoto-support.example.jp/events/iot-workshop",
    ),
    DemoEvent(
        "security-webinar-smb",
        "中小企業のためのサイバーセキュリティ対策ウェビナー",
        "最近の被害事例と、今日からできる対策をオンラインで学びます。",
        """会員企業の株式会社光の森ネットワークスが主催するオンラインセミナーです。\
県内で実際に起きた被害の事例をもとに、中小企業が優先して取り組むべき対策を分かりやすく解説します。

- 最近のサイバー攻撃の傾向
- 従業員に伝えたい5つの基本
- 万一被害に遭ったときの連絡先と初動

質疑応答の時間も設けています。""",
        40, (15, 0), 1.5, "株式会社光の森ネットワークス", "", True,
        "https://www.hikarinomori-net.example.jp/seminar/security",
    ),
    DemoEvent(
        "agri-dx-field-day",
        "スマート農業 現地見学会",
        "環境制御システムを導入した施設園芸の現場を見学し、生産者と意見を交わします。",
        """熊本県農業研究センターと会員企業が共催する現地見学会です。\
環境制御システムと栽培データを活用しているハウスを見学し、導入の費用や効果について生産者から直接お話を伺います。

当日は現地に集合です。駐車場には限りがあるため、乗り合わせにご協力ください。""",
        60, (10, 0), 3, "熊本県農業研究センター、株式会社くまもとスマート農業研究所", "合志市内の生産者のハウス（詳細は申込者にお知らせします）", False,
        "https://www.agri-kumamoto.example.jp/field-day",
    ),
    DemoEvent(
        "amakusa-digital-study",
        "天草地域 デジタル活用勉強会",
        "天草地域の事業者を対象に、キャッシュレスとネット販売の始め方を学ぶ勉強会でした。",
        """天草デジタル未来協議会が主催する勉強会です。地域の事業者が、キャッシュレス決済とネット販売の始め方を学びました。""",
        -45, (18, 30), 2, "天草デジタル未来協議会", "天草市民センター 会議室", False,
        "https://www.amakusa-digital.example.jp/study",
    ),
    DemoEvent(
        "kumamoto-it-career-fair",
        "くまもとIT企業 合同説明会",
        "県内のIT企業が集まり、学生と転職希望者に仕事の魅力を紹介した合同説明会でした。",
        """くまもとIT事業者協会が主催する合同説明会です。県内のIT企業約30社が出展し、学生と転職希望の方に仕事の内容と魅力を紹介しました。""",
        -100, (12, 0), 5, "くまもとIT事業者協会", "熊本市国際交流会館", False,
        "https://www.kumamoto-it.example.jp/career-fair",
    ),
)  # fmt: skip


# --- dates ------------------------------------------------------------------------------------


def _at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=JST)


def case_published_at(index: int, count: int, now: datetime) -> datetime:
    """About one a month over the last `count` months, the newest a few days ago (10:00 JST)."""
    months_ago = count - 1 - index
    day = now.astimezone(JST).date() - timedelta(days=round(months_ago * 30.44) + 3 + index % 5)
    return min(now, _at_ten(day))


def news_published_at(index: int, count: int, now: datetime) -> datetime:
    """Spread over the last 18 months, index 0 the newest (a day ago)."""
    days = 1 + round(index * 540 / max(1, count - 1))
    return min(now, _at_ten(now.astimezone(JST).date() - timedelta(days=days)))


# --- loading ----------------------------------------------------------------------------------


async def _principal(email: str, role: Role) -> Principal:
    row = (
        await Account.select(Account.id, Account.email, Account.display_name)
        .where(Account.email == email)
        .first()
    )
    if row is None:  # demo accounts are created first; without them the system acts
        return system_principal()
    return Principal(
        account_id=row["id"], email=row["email"], display_name=row["display_name"],
        roles=frozenset({role}),
    )  # fmt: skip


async def _set_published_dates(article_id: int, when: datetime) -> None:
    # Demo data only: the service stamps "now" when publishing, but a demo site needs a
    # history (one case study a month), so the dates are moved back in the table directly.
    async with transaction():
        await Article.update({Article.published_at: when, Article.first_published_at: when}).where(
            Article.id == article_id
        )


async def _upload_image(
    actor: Principal, store: ObjectStore, scene: str, seed: str, alt: str
) -> int:
    data = illustration(scene, seed)
    item = await media.upload(
        actor, store, f"{seed}.jpg", io.BytesIO(data), title=alt[:60], alt_text=alt
    )
    return item.id


async def _upload_images(
    actor: Principal, store: ObjectStore, cases: list[DemoCase]
) -> dict[str, tuple[int, int | None]]:
    """(lead image id, body image id) per case slug. Encoding the renditions takes most of the
    load time, so two uploads run at a time (each one is its own short transaction)."""
    limit = asyncio.Semaphore(2)

    async def one(scene: str, seed: str, alt: str) -> int:
        async with limit:
            return await _upload_image(actor, store, scene, seed, alt)

    async def both(case: DemoCase) -> tuple[int, int | None]:
        lead = await one(case.scene, case.slug, case.image_alt)
        if case.body_image is None:
            return lead, None
        scene, alt = case.body_image
        return lead, await one(scene, f"{case.slug}-body", alt)

    results = await asyncio.gather(*(both(case) for case in cases))
    return {case.slug: result for case, result in zip(cases, results, strict=True)}


def case_body(case: DemoCase, body_image_id: int | None) -> str:
    approach = case.approach
    if case.body_image is not None and body_image_id is not None:
        approach += f"\n\n![{case.body_image[1]}](media:{body_image_id})"
    return (
        f"## 課題\n\n{case.challenge}\n\n## 取り組み\n\n{approach}\n\n## 成果\n\n{case.results}\n"
    )


async def _load_cases(
    editor: Principal, publisher: Principal, store: ObjectStore, existing: set[tuple[str, str]]
) -> int:
    missing = [case for case in CASES if ("case_study", case.slug) not in existing]
    if not missing:
        return 0
    themes = {theme.slug: theme.id for theme in await articles.list_themes()}
    organisations = {
        row["name"]: row["id"]
        for row in await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.name.is_in(list({case.organisation for case in missing}))
        )
    }
    ids = {
        row["slug"]: row["id"]
        for row in await Article.select(Article.id, Article.slug).where(
            Article.kind == "case_study"
        )
    }
    published = [case for case in CASES if case.state == "published"]
    images = await _upload_images(editor, store, missing)
    now = clock.now()
    created = 0
    for case in missing:
        lead, body_image = images[case.slug]
        when = (
            case_published_at(published.index(case), len(published), now)
            if case.state == "published"
            else now - timedelta(days=5)
        )
        data = articles.ArticleInput(
            kind="case_study", slug=case.slug, title=case.title, summary=case.summary,
            body_markdown=case_body(case, body_image), organisation_name=case.organisation,
            organisation_id=organisations.get(case.organisation), industry=case.industry,
            municipality=case.municipality,
            interview_date=(when - timedelta(days=21 + len(case.slug) % 14)).date(),
            lead_image=lead, lead_image_alt=case.image_alt,
            theme_ids=tuple(themes[slug] for slug in case.themes if slug in themes),
            related_ids=tuple(ids[slug] for slug in case.related if slug in ids),
        )  # fmt: skip
        view = await articles.create_article(editor, data, note="デモデータ")
        ids[case.slug] = view.id
        if case.state == "in_review":
            await articles.submit_for_review(editor, view.id)
        elif case.state == "published":
            await articles.publish_now(publisher, view.id)
            await _set_published_dates(view.id, when)
        created += 1
    return created


async def _load_news(
    editor: Principal, publisher: Principal, existing: set[tuple[str, str]]
) -> int:
    now = clock.now()
    created = 0
    for index, item in enumerate(NEWS):
        if ("news", item.slug) in existing:
            continue
        data = articles.ArticleInput(
            kind="news", slug=item.slug, title=item.title, summary=item.summary,
            body_markdown=item.body,
        )  # fmt: skip
        view = await articles.create_article(editor, data, note="デモデータ")
        await articles.publish_now(publisher, view.id)
        await _set_published_dates(view.id, news_published_at(index, len(NEWS), now))
        created += 1
    return created


async def _load_events(
    editor: Principal, publisher: Principal, existing: set[tuple[str, str]]
) -> int:
    today = clock.now().astimezone(JST).date()
    created = 0
    for event in EVENTS:
        if ("event_info", event.slug) in existing:
            continue
        day = today + timedelta(days=event.days_from_today)
        starts = datetime.combine(day, time(*event.starts), tzinfo=JST)
        data = articles.ArticleInput(
            kind="event_info", slug=event.slug, title=event.title, summary=event.summary,
            body_markdown=event.body, event_starts_at=starts,
            event_ends_at=starts + timedelta(hours=event.hours), venue=event.venue,
            online=event.online, organiser=event.organiser, event_url=event.url,
        )  # fmt: skip
        view = await articles.create_article(editor, data, note="デモデータ")
        await articles.publish_now(publisher, view.id)
        # Announced about a month before the event (never in the future).
        announced = min(clock.now(), _at_ten(day - timedelta(days=30)))
        await _set_published_dates(view.id, announced)
        created += 1
    return created


async def _keep_events_upcoming(rows: list[dict[str, Any]]) -> int:
    """Move the upcoming demo events that have passed forward again, so a demo database kept
    for months still shows upcoming events. Only untouched ones (still published, never saved
    after creation): an editor's work is never changed. Demo data only, so the table is
    updated directly (a published article is otherwise never edited in place)."""
    now = clock.now()
    today = now.astimezone(JST).date()
    upcoming = {event.slug: event for event in EVENTS if event.days_from_today > 0}
    moved = 0
    for row in rows:
        event = upcoming.get(row["slug"]) if row["kind"] == "event_info" else None
        if event is None or row["state"] != "published" or row["version"] != 1:
            continue
        if row["event_starts_at"] is None or row["event_starts_at"] > now:
            continue
        starts = datetime.combine(
            today + timedelta(days=event.days_from_today), time(*event.starts), tzinfo=JST
        )
        async with transaction():
            await Article.update(
                {
                    Article.event_starts_at: starts,
                    Article.event_ends_at: starts + timedelta(hours=event.hours),
                }
            ).where(Article.id == row["id"], Article.version == 1)
        moved += 1
    return moved


def demo_slugs() -> list[tuple[str, str]]:
    return [
        *(("case_study", case.slug) for case in CASES),
        *(("news", item.slug) for item in NEWS),
        *(("event_info", event.slug) for event in EVENTS),
    ]


async def load_demo_articles(settings: Settings, store: ObjectStore | None = None) -> int:
    """Create the missing demo articles; returns how many were created."""
    if settings.is_production:
        raise RuntimeError("demo content is for the embedded mode only")
    wanted = demo_slugs()
    rows = await Article.select(
        Article.id, Article.kind, Article.slug, Article.state, Article.version,
        Article.event_starts_at,
    ).where(Article.slug.is_in(list({slug for _, slug in wanted})))  # fmt: skip
    existing = {(row["kind"], row["slug"]) for row in rows}
    moved = await _keep_events_upcoming(rows)
    if all(key in existing for key in wanted):
        if moved:
            await bump_content_generation()  # cached pages must not keep the old dates
        return 0  # a restart only looks (one query)
    store = store or open_store(settings.storage_url, settings.data_dir)
    editor = await _principal(EDITOR_EMAIL, Role.EDITOR)
    publisher = await _principal(PUBLISHER_EMAIL, Role.STAFF)
    created = await _load_cases(editor, publisher, store, existing)
    created += await _load_news(editor, publisher, existing)
    created += await _load_events(editor, publisher, existing)
    # The dates were moved back in the table after publishing: count that as a change too.
    await bump_content_generation()
    return created

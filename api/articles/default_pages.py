"""The static pages every installation needs, seeded at every start (production included).

ensure_default_pages() creates only the pages whose path is missing and publishes them through
the same service functions the editors use, so the accessibility check and the audit log apply.
A page that exists is never touched again: an editor's later edits (or unpublishing) stay.
The texts are a starting point written for this consortium; the secretariat edits them in the
console.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from api.articles import service as articles
from api.articles.tables import Page
from api.permissions import Role
from api.principal import Principal

log = logging.getLogger("kdx.pages")

SECRETARIAT_CONTACT = """熊本県DX推進コンソーシアム事務局

- 電話: 096-000-0000（平日 9時から17時。土日祝日と年末年始を除く）
- メール: info@kumamoto-dx.example.jp"""


@dataclass(frozen=True, slots=True)
class DefaultPage:
    parent: str  # path of the parent page ("" for a top-level page)
    slug: str
    title: str
    body: str
    position: int = 0
    show_in_menu: bool = False

    @property
    def path(self) -> str:
        return f"{self.parent}/{self.slug}" if self.parent else self.slug


ABOUT = """熊本県DX推進コンソーシアムは、県内の企業・団体、教育機関、金融機関、市町村と熊本県が力を合わせ、\
地域全体のデジタルトランスフォーメーション（DX）を進めるために設立された組織です。

人口減少と人手不足が進むなかでも、熊本で働き、暮らし続けられる地域をつくるには、\
デジタル技術を「導入する」だけでなく、仕事の進め方やサービスそのものを変えていくことが欠かせません。\
コンソーシアムは、その一歩を踏み出す事業者を、会員同士のつながりで支えます。

## 設立の目的

- 県内の事業者がDXに取り組むきっかけと、相談できる相手をつくること
- 先行する会員の取り組みを導入事例として共有し、県内に広げること
- ITを提供する企業と、課題を抱える企業・団体とを結び付けること
- DXを担う人材を、企業・大学・行政が一緒に育てること

## 会員の構成

| 区分 | 主な会員 |
| --- | --- |
| 企業会員 | 製造業、建設業、農業法人、小売・サービス業、IT企業など |
| 団体会員 | 商工会・商工会議所、業界団体、協同組合、任意団体 |
| 教育・研究機関 | 大学、高等専門学校、専門学校 |
| 金融機関 | 銀行、信用金庫、信用組合 |
| 行政機関 | 熊本県、県内市町村、産業支援機関 |

入会金と年会費はかかりません。県内に事業所があれば、規模や業種を問わずご参加いただけます。

## 運営

コンソーシアムは熊本県が設置し、日々の運営は県から委託を受けた事務局が担っています。\
事業の方針は、会員の代表と県でつくる運営委員会で毎年度決めています。

## 関連するページ

- [熊本県DXグランドデザインの概要](/pages/about/grand-design)
- [コンソーシアムの活動内容](/pages/about/activities)
- [入会のご案内](/pages/membership)
"""

GRAND_DESIGN = """熊本県は、県全体でDXを進める際の道しるべとして「熊本県DXグランドデザイン」を定めています。\
このページでは、コンソーシアムの活動と関わりの深い部分を中心に、その概要をご紹介します。

## 目指す姿

デジタル技術とデータを生かして、県民一人ひとりが豊かさを実感でき、\
事業者が新しい価値を生み出し続ける「誰一人取り残さない、くまもとのDX」を目指しています。

## 三つの柱

### 暮らしのDX

医療・福祉、子育て、教育、交通など、暮らしに身近なサービスをデジタルで便利にし、\
住む場所や年齢、障害の有無にかかわらず、誰もが使いやすいサービスを広げます。

### 産業のDX

製造業や農林水産業、観光業などの県内産業が、データとデジタル技術を使って生産性を高め、\
新しい商品やサービスを生み出せるよう支援します。半導体関連産業の集積を生かした人材育成にも力を入れます。

### 行政のDX

行政手続きのオンライン化や、県と市町村のシステムの共同利用を進め、\
県民と事業者の手間を減らすとともに、職員が人にしかできない仕事に時間を使えるようにします。

## コンソーシアムの役割

コンソーシアムは、このうち主に「産業のDX」を担う場として、次のことに取り組みます。

1. 県内企業の導入事例を集め、分かりやすく発信する
2. 課題を抱える企業と、解決策をもつ企業を結び付ける
3. 経営者と現場の担当者それぞれに向けた学びの場をつくる
4. 成果を指標で確かめ、県に報告して次の施策に生かす

## 成果を確かめる指標

| 指標 | 考え方 |
| --- | --- |
| 会員数 | 県内の幅広い業種・地域から参加があるか |
| 導入事例の公開数 | 取り組みの成果が共有されているか |
| セミナー・勉強会の参加者数 | 学びの機会が使われているか |
| 会員間のマッチング件数 | つながりが具体的な取り組みに結び付いたか |

指標の実績は年度ごとに取りまとめ、県に報告しています。
"""

ACTIVITIES = """コンソーシアムでは、会員の皆さまがDXに取り組みやすくなるよう、年間を通じて次の活動を行っています。

## 導入事例の発信

県内の会員企業・団体を取材し、課題、取り組み、成果をまとめた導入事例を毎月公開しています。\
業種や地域、テーマで絞り込んで探せます。

- [導入事例の一覧](/case-studies)

## セミナー・勉強会

経営者向けのDX入門セミナー、現場の担当者向けの実践講座、分野別の勉強会を開いています。\
オンラインでも参加でき、会員の方は過去のセミナーの録画をいつでもご覧いただけます。

- [DX関連のイベント情報](/event-info)

## ソリューションの紹介とマッチング

IT企業などの会員が提供する製品・サービスを会員向けプラットフォームに登録し、\
課題を抱える会員が検索・相談できるようにしています。事務局が間に入ってご紹介することもできます。

## データ利活用コミュニティ

データを業務に生かしたい会員が集まり、分析の進め方や事例を学び合うコミュニティを運営しています。

## 相談窓口

「何から始めればよいか分からない」という段階からご相談を受け付けています。\
内容に応じて、専門家や支援機関、会員企業をご紹介します。

## お知らせ

活動の報告や募集のご案内は、お知らせで随時お伝えしています。

- [お知らせの一覧](/news)
"""

MEMBERSHIP = (
    """熊本県DX推進コンソーシアムは、DXに関心のある県内の企業・団体の皆さまの入会をお待ちしています。

## 入会できる方

熊本県内に本社・事業所がある企業、個人事業主、団体、教育・研究機関、行政機関などが対象です。\
県外の企業でも、県内の事業者を支援する活動をされている場合はご入会いただけます。

## 費用

入会金・年会費は無料です。セミナーの多くも無料でご参加いただけます（実費が必要な場合は事前にお知らせします）。

## 会員になるとできること

- 会員向けプラットフォームで、会員のソリューション（製品・サービス）を検索・登録できます
- 会員限定のセミナーや勉強会に参加でき、過去のセミナーの録画を視聴できます
- チャンネルやスレッドで、会員同士で情報交換ができます
- 自社の取り組みを導入事例として紹介できます

## 入会の流れ

1. 会員規約をお読みください
2. 入会申込フォームに必要事項を入力して送信してください
3. 事務局で内容を確認し、審査を行います（通常2週間程度）
4. 審査の結果をメールでお知らせします。入会が認められた場合は、会員向けプラットフォームのアカウントをご案内します

## 申し込み

- [熊本県DX推進コンソーシアム会員規約](/membership-terms)
- [入会申込フォーム](/join)

## お問い合わせ

入会についてご不明な点は、事務局までお気軽にお問い合わせください。

"""
    + SECRETARIAT_CONTACT
)

PRIVACY = (
    """熊本県DX推進コンソーシアム事務局（以下「事務局」）は、会員の皆さまとこのサイトを利用される方の個人情報を、\
個人情報の保護に関する法律その他の法令を守り、次のとおり取り扱います。

## 取得する情報

- 入会申込、イベント・セミナーの申込、お問い合わせの際にご入力いただく氏名、所属、役職、メールアドレス、電話番号などの情報
- 会員向けプラットフォームのアカウント情報と、ご自身で登録された情報
- サイトの利用記録（閲覧したページ、検索語、アクセスした日時など）

## 利用の目的

取得した個人情報は、次の目的にだけ利用します。

1. 会員の管理と、入会申込の審査
2. コンソーシアムの事業やイベントのご案内
3. イベント・セミナーの運営と、参加者への連絡
4. お問い合わせへの回答
5. サイトの改善と、熊本県への実績報告（個人を特定できない集計に限ります）

## 第三者への提供

法令に基づく場合を除き、ご本人の同意なく個人情報を第三者に提供することはありません。\
事業の運営を委託する場合は、委託先と契約を結び、適切に管理されるよう監督します。

## 安全管理

個人情報は、業務上必要な担当者だけが閲覧できるようにしています。\
変更の操作はすべて記録し、通信は暗号化しています。事務局の運営が次の受託者に引き継がれる場合も、\
このポリシーに沿って取り扱われます。

## サイトの利用記録とクッキー

このサイトでは、ログインの状態を保つためと、フォームの不正な送信を防ぐためにクッキーを使っています。\
利用記録は、サイトの改善と利用状況の集計のために使い、広告の配信には使いません。

## 開示・訂正・利用停止の求め

ご自身の個人情報の開示、訂正、利用停止などを希望される場合は、事務局までご連絡ください。\
ご本人であることを確認したうえで、法令に従って対応します。

## ポリシーの変更

このポリシーの内容は、必要に応じて変更することがあります。変更した場合は、このページでお知らせします。

## お問い合わせ窓口

"""
    + SECRETARIAT_CONTACT
)

ACCESSIBILITY = (
    """熊本県DX推進コンソーシアムは、高齢の方や障害のある方を含め、誰もが必要な情報を得て、\
サービスを利用できるウェブサイトを目指しています。

## 目標とする適合レベル

日本産業規格 JIS X 8341-3:2016「高齢者・障害者等配慮設計指針－情報通信における機器，ソフトウェア及びサービス－\
第3部：ウェブコンテンツ」の適合レベルAAに準拠することを目標とします。

## 対象範囲

このサイト（公開サイト、会員向けプラットフォーム、事務局コンソール）のすべてのページが対象です。\
ただし、次のものは対象外とします。

- 会員の皆さまがご自身で登録された情報（ソリューションの説明、投稿など）
- リンク先の外部サイト

会員の皆さまがご自身で登録される情報についても、分かりやすい見出しや画像の代替テキストを付けていただけるよう、\
入力画面でご案内しています。

## 確認の方法

- すべてのページを、自動検査ツールのaxe-coreとHTMLの文法検査（Nu Html Checker）で確認しています。\
この検査は、サイトを更新するたびに自動で実行しています
- キーボードだけで操作できること、フォーカスの位置が見えることを、担当者が実際に操作して確かめています
- 画面の幅を320ピクセルまで狭めたときや、文字を200%に拡大したときにも、内容が欠けないことを確かめています
- 記事を公開する前に、画像の代替テキスト、見出しの順序、リンクの文言などを自動で点検しています

## 試験の結果

試験の結果は、年度ごとにこのページでお知らせします。

## お気づきの点のご連絡

このサイトで利用しにくい点やお気づきの点がありましたら、事務局までお知らせください。\
いただいたご意見は、サイトの改善に役立てます。

"""
    + SECRETARIAT_CONTACT
)

# Parents come before their children (a child is created under the page its `parent` names).
DEFAULT_PAGES: tuple[DefaultPage, ...] = (
    DefaultPage("", "about", "コンソーシアムの概要", ABOUT, position=10, show_in_menu=True),
    DefaultPage("about", "grand-design", "熊本県DXグランドデザイン", GRAND_DESIGN, position=10),
    DefaultPage("about", "activities", "活動内容", ACTIVITIES, position=20),
    DefaultPage("", "membership", "入会のご案内", MEMBERSHIP, position=20, show_in_menu=True),
    DefaultPage("", "privacy", "プライバシーポリシー", PRIVACY, position=90),
    DefaultPage("", "accessibility", "ウェブアクセシビリティ方針", ACCESSIBILITY, position=91),
)


def system_principal() -> Principal:
    """The actor of what the system seeds by itself: no account, recorded as "system".

    The audit log stores no actor account for it (its account column is nullable), so this
    works on a fresh production database before any administrator exists.
    """
    return Principal(
        account_id=None,  # type: ignore[arg-type]  # no account behind the system
        email="system",
        display_name="システム",
        roles=frozenset({Role.ADMIN}),
    )


async def _existing_paths() -> dict[str, int]:
    """Path -> id of every page, published or not (one query)."""
    rows = await Page.select(Page.id, Page.parent, Page.slug)
    by_id = {row["id"]: row for row in rows}

    def path_of(row: dict[str, Any], depth: int = 0) -> str:
        parent = by_id.get(row["parent"]) if row["parent"] is not None else None
        if parent is None or depth > 50:  # depth guards against a corrupt cycle
            return str(row["slug"])
        return f"{path_of(parent, depth + 1)}/{row['slug']}"

    return {path_of(row): int(row["id"]) for row in rows}


async def ensure_default_pages(pages: tuple[DefaultPage, ...] = DEFAULT_PAGES) -> int:
    """Create and publish the default pages whose path is missing; returns how many."""
    existing = await _existing_paths()
    if all(page.path in existing for page in pages):
        return 0
    actor = system_principal()
    created = 0
    for page in pages:
        if page.path in existing:
            continue
        parent_id = existing.get(page.parent) if page.parent else None
        if page.parent and parent_id is None:
            continue  # the parent could not be created; never put a child at the top level
        view = await articles.create_page(
            actor,
            articles.PageInput(
                slug=page.slug, title=page.title, body_markdown=page.body,
                parent_id=parent_id, position=page.position, show_in_menu=page.show_in_menu,
            ),
        )  # fmt: skip
        await articles.set_page_state(actor, view.id, "published")
        existing[page.path] = view.id
        created += 1
    if created:
        log.info("default pages: %d created", created)
    return created

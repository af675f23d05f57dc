"""Demo solutions for the embedded mode: about 150 fictional products and services of the demo
member organisations (api.demo_members), spread over the categories, industries and places.

Each organisation offers the offerings that suit its line of business (an IT company sells
software, a builder offers drone surveys, a hotel its booking know-how). Dates of the last update
are spread over the past two years, so the staff's list of stale solutions is not empty; the demo
member organisation has one hidden and one moderated solution, monthly counts and an inquiry.
Loading creates only what is missing (by organisation and title).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from api import clock
from api.accounts.tables import Account
from api.dates import month_of
from api.db import transaction
from api.demo_members import DEMO_MEMBER_ORGANISATION, DEMO_ORGANISATIONS
from api.members.reference import KUMAMOTO_MUNICIPALITIES, MembershipStatus
from api.members.tables import Organisation
from api.permissions import Role
from api.principal import Principal
from api.solutions import service, taxonomy
from api.solutions.tables import Solution, SolutionInquiry, SolutionMonthlyStat
from api.solutions.validation import SolutionInput


@dataclass(frozen=True, slots=True)
class Offering:
    title: str
    summary: str
    features: tuple[str, ...]
    categories: tuple[str, ...]
    delivery: tuple[str, ...]
    price_model: str
    price_text: str = ""
    industries: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    subsidy: bool = False


def _offer(*args: object, **kwargs: object) -> Offering:
    return Offering(*args, **kwargs)  # type: ignore[arg-type]


SMALL = ("1-5", "6-20", "21-50")
MID = ("21-50", "51-100", "101-300")

# What each line of business offers, by JSIC division of the provider.
OFFERINGS: dict[str, tuple[Offering, ...]] = {
    "G": (
        _offer(
            "クラウド勤怠管理",
            "スマートフォンやICカードで打刻し、残業時間と有給休暇を自動で集計します。",
            (
                "スマートフォン・ICカード・PCで打刻",
                "36協定の上限に近づくと管理者に通知",
                "給与計算ソフトへCSV連携",
            ),
            ("業務効率化", "会計・人事"),
            ("cloud",),
            "subscription",
            "1人あたり月額300円（初期費用なし）",
            sizes=SMALL,
            subsidy=True,
        ),
        _offer(
            "販売管理クラウド",
            "見積・受注・請求・入金をひとつの画面で管理し、インボイス制度にも対応します。",
            (
                "見積から請求まで二重入力なし",
                "適格請求書の発行と電子保存",
                "会計ソフトとの仕訳連携",
            ),
            ("販売・顧客管理", "会計・人事"),
            ("cloud",),
            "subscription",
            "月額9,800円〜",
            ("D", "E", "I"),
            (*SMALL, "51-100"),
            True,
        ),
        _offer(
            "業務アプリ受託開発",
            "紙やExcelで回している業務を、現場に合わせた業務アプリに置き換えます。",
            (
                "現場ヒアリングから画面試作まで2週間",
                "ノーコード基盤で改修費を抑制",
                "導入後の操作研修つき",
            ),
            ("業務効率化",),
            ("consulting", "service"),
            "quote",
            "300万円〜（規模により見積）",
        ),
        _offer(
            "クラウド移行支援",
            "社内サーバーで動くシステムを、安全にクラウドへ移行します。",
            ("現状調査と移行計画の作成", "バックアップと災害対策の設計", "移行後の運用監視"),
            ("業務効率化", "セキュリティ"),
            ("consulting", "cloud"),
            "quote",
            sizes=MID,
        ),
        _offer(
            "中小企業向けセキュリティ診断",
            "社内ネットワークとパソコンの弱点を調べ、優先度つきの対策をお伝えします。",
            ("外部からの脆弱性診断", "パスワード・権限設定の点検", "従業員向け標的型メール訓練"),
            ("セキュリティ",),
            ("service",),
            "one_off",
            "1回 15万円〜",
            sizes=SMALL,
        ),
        _offer(
            "予約・顧客管理アプリ",
            "飲食・美容・宿泊の予約を一元管理し、リピーターにクーポンを配信します。",
            (
                "LINE・ウェブ・電話の予約を一元化",
                "来店履歴に応じたクーポン配信",
                "無断キャンセルの防止",
            ),
            ("販売・顧客管理", "観光"),
            ("cloud",),
            "subscription",
            "月額5,500円",
            ("M", "N"),
            SMALL,
        ),
        _offer(
            "データ分析ダッシュボード構築",
            "売上・在庫・生産のデータを集め、毎朝見られるダッシュボードにします。",
            ("既存システムからのデータ自動収集", "経営指標のグラフ化", "分析定着までの伴走支援"),
            ("データ分析・AI",),
            ("consulting", "cloud"),
            "quote",
            "80万円〜",
            sizes=MID,
        ),
        _offer(
            "AI-OCR帳票読み取り",
            "手書きの注文書や検査記録をAIで読み取り、データ入力の手間を減らします。",
            ("手書き文字の高精度な読み取り", "読み取り結果の確認画面", "基幹システムへの自動登録"),
            ("データ分析・AI", "業務効率化"),
            ("cloud",),
            "subscription",
            "月額20,000円〜（枚数による）",
            subsidy=True,
        ),
        _offer(
            "社内ヘルプデスク代行",
            "パソコンやネットワークの困りごとに、電話とリモートでお答えします。",
            ("平日9時〜18時の電話・チャット窓口", "リモート操作での解決", "IT機器の台帳管理"),
            ("業務効率化", "セキュリティ"),
            ("service",),
            "subscription",
            "月額30,000円〜",
            sizes=SMALL,
        ),
        _offer(
            "DX人材育成研修",
            "現場の社員が自分で業務改善を進められるよう、実習中心の研修を行います。",
            ("データ活用とノーコードの基礎", "自社の業務を題材にした演習", "研修後3か月のフォロー"),
            ("人材育成",),
            ("consulting",),
            "one_off",
            "1社 40万円〜（10名まで）",
        ),
    ),
    "D": (
        _offer(
            "ドローン測量サービス",
            "ドローンで現場を撮影し、3次元の点群データと土量計算を短期間で納品します。",
            ("造成・災害現場の3次元測量", "土量の自動計算", "ICT施工用のデータ作成"),
            ("建設", "IoT・センサー"),
            ("service",),
            "quote",
            "1現場 20万円〜",
            ("D",),
        ),
        _offer(
            "施工管理アプリ導入支援",
            "写真・日報・工程表をスマートフォンで共有し、現場と事務所の往復を減らします。",
            ("電子小黒板つき工事写真", "日報と工程表の共有", "協力会社との情報共有"),
            ("建設", "業務効率化"),
            ("consulting", "cloud"),
            "subscription",
            "月額15,000円〜",
            ("D",),
            SMALL,
        ),
        _offer(
            "遠隔臨場の支援",
            "ウェアラブルカメラで発注者の立会いをオンライン化する仕組みを整えます。",
            ("機材の貸出と設定", "通信環境の事前確認", "運用ルールづくり"),
            ("建設",),
            ("service",),
            "one_off",
            "1現場 8万円〜",
            ("D", "S"),
        ),
    ),
    "E": (
        _offer(
            "生産実績の見える化パッケージ",
            "設備の稼働と生産数をセンサーで集め、ラインごとの実績を画面に表示します。",
            ("後付けセンサーで既存設備に対応", "稼働率・停止理由の記録", "日報の自動作成"),
            ("生産管理", "IoT・センサー"),
            ("on_premises", "cloud"),
            "one_off",
            "1ライン 120万円〜",
            ("E",),
            MID,
            True,
        ),
        _offer(
            "品質検査の画像AI",
            "カメラ画像から外観不良を検出し、目視検査の負担を減らします。",
            (
                "少ない不良画像から学習",
                "検査結果の記録とトレーサビリティ",
                "ライン速度に合わせた判定",
            ),
            ("生産管理", "データ分析・AI"),
            ("on_premises",),
            "quote",
            "個別見積（ライン数・検査項目による）",
            ("E",),
            MID,
        ),
        _offer(
            "工場の省エネ診断",
            "電力データを測って分析し、設備ごとの省エネ策と投資回収の目安を示します。",
            ("分電盤への計測器設置", "時間帯別の使用量分析", "補助金活用の助言"),
            ("IoT・センサー", "データ分析・AI"),
            ("consulting",),
            "one_off",
            "50万円〜",
            ("E", "I"),
        ),
    ),
    "M": (
        _offer(
            "宿泊施設のDX導入ノウハウ",
            "自社ホテルで実践した予約・清掃・会計の連携の仕組みを、導入支援として提供します。",
            ("予約サイトと客室管理の連携", "清掃状況のタブレット共有", "自動チェックイン機の選定"),
            ("観光", "業務効率化"),
            ("consulting",),
            "quote",
            industries=("M",),
        ),
        _offer(
            "多言語観光案内サービス",
            "QRコードから館内案内・周辺観光を多言語で案内します。",
            ("日英中韓の4言語", "案内文の翻訳とナレーション", "利用状況の集計"),
            ("観光",),
            ("cloud",),
            "subscription",
            "月額8,000円",
            ("M", "N"),
        ),
    ),
    "P": (
        _offer(
            "オンライン診療の導入支援",
            "予約・問診・ビデオ診療・決済までの流れを整え、運用開始まで支援します。",
            ("システム選定と院内の流れの設計", "スタッフ研修", "患者向け案内の作成"),
            ("医療・福祉",),
            ("consulting",),
            "one_off",
            "30万円〜",
            ("P",),
        ),
        _offer(
            "介護記録タブレット",
            "介護記録をタブレットで入力し、申し送りと請求業務に連携します。",
            ("音声入力に対応", "バイタルのグラフ表示", "介護請求ソフトとの連携"),
            ("医療・福祉", "業務効率化"),
            ("cloud",),
            "subscription",
            "1事業所 月額12,000円",
            ("P",),
            subsidy=True,
        ),
    ),
    "H": (
        _offer(
            "配車計画の自動化",
            "配送先と車両の条件から、最適な配車と運行ルートを自動で作ります。",
            ("積載率と時間指定を考慮", "ドライバーのスマホにルート配信", "運行実績の分析"),
            ("業務効率化", "データ分析・AI"),
            ("cloud",),
            "subscription",
            "車両1台 月額2,000円",
            ("H", "I", "E"),
        ),
        _offer(
            "倉庫の在庫管理システム",
            "ハンディ端末で入出庫を記録し、ロケーション管理で探す時間を減らします。",
            ("バーコード・QRでの入出庫", "ロケーション管理", "棚卸の効率化"),
            ("生産管理", "販売・顧客管理"),
            ("cloud", "on_premises"),
            "one_off",
            "150万円〜",
            ("H", "I", "E"),
        ),
    ),
    "A": (
        _offer(
            "ハウス環境モニタリング",
            "温度・湿度・CO2・日射をセンサーで測り、スマートフォンで確認・警報します。",
            ("太陽電池で動くセンサー", "異常時のスマホ通知", "栽培記録との連携"),
            ("農業", "IoT・センサー"),
            ("cloud",),
            "subscription",
            "センサー1式 月額3,300円",
            ("A",),
            SMALL,
            True,
        ),
        _offer(
            "農作業記録アプリ",
            "作業・農薬・収穫をスマートフォンで記録し、GAP認証の書類づくりを助けます。",
            ("圃場ごとの作業記録", "農薬使用基準のチェック", "出荷記録の集計"),
            ("農業", "業務効率化"),
            ("cloud",),
            "free",
            "基本機能無料（有料版 月額980円）",
            ("A",),
            SMALL,
        ),
        _offer(
            "ドローン防除サービス",
            "ドローンで農薬・肥料を散布し、作業時間と負担を減らします。",
            ("水稲・麦・大豆に対応", "散布計画と記録の提出", "機体の導入相談"),
            ("農業",),
            ("service",),
            "quote",
            "10aあたり 1,800円〜",
            ("A",),
        ),
    ),
    "L": (
        _offer(
            "IT導入補助金の申請サポート",
            "補助金の対象となるツール選びから申請・実績報告までを支援します。",
            ("対象経費の整理", "事業計画書の作成支援", "交付後の実績報告"),
            ("会計・人事",),
            ("consulting",),
            "one_off",
            "着手金5万円＋成功報酬",
            sizes=SMALL,
        ),
        _offer(
            "ウェブサイト制作とアクセシビリティ改善",
            "見やすく使いやすいサイトを、JIS X 8341-3に沿って制作・改善します。",
            ("アクセシビリティ診断", "スマートフォン対応", "更新しやすい管理画面"),
            ("販売・顧客管理",),
            ("service",),
            "quote",
            "50万円〜",
        ),
        _offer(
            "インフラ点検データのクラウド管理",
            "橋梁・道路の点検記録と写真をクラウドで管理し、補修計画に役立てます。",
            ("点検調書の電子化", "写真と損傷位置の地図表示", "補修優先度の評価"),
            ("建設", "データ分析・AI"),
            ("cloud",),
            "subscription",
            "月額50,000円〜",
            ("D", "S"),
        ),
    ),
    "J": (
        _offer(
            "事業承継とDXの相談窓口",
            "取引先の事業承継にあわせて、業務のデジタル化の計画づくりを支援します。",
            ("専門家との無料相談", "業務の棚卸し", "設備資金の相談"),
            ("会計・人事",),
            ("consulting",),
            "free",
            "相談無料",
        ),
    ),
    "I": (
        _offer(
            "ネットショップ開設支援",
            "商品撮影から開設・集客まで、地元の小売店のネット販売を支援します。",
            ("ショップ開設と決済設定", "商品撮影と説明文の作成", "SNS集客の指導"),
            ("販売・顧客管理",),
            ("service", "consulting"),
            "one_off",
            "20万円〜",
            ("I", "E", "A"),
            SMALL,
        ),
    ),
    "O": (
        _offer(
            "社会人向けデータサイエンス講座",
            "業務データの分析に必要な統計とプログラミングを、週末の講座で学べます。",
            ("全12回・オンライン併用", "自社データでの課題演習", "修了証の発行"),
            ("人材育成", "データ分析・AI"),
            ("consulting",),
            "one_off",
            "1名 6万円",
        ),
    ),
    "R": (
        _offer(
            "IT企業マッチング相談",
            "会員のIT企業から、課題に合う相談先を紹介します。",
            ("課題のヒアリング", "複数社の紹介", "初回打合せへの同席"),
            ("業務効率化",),
            ("consulting",),
            "free",
            "無料",
        ),
    ),
}


def _description(offering: Offering, organisation: str) -> str:
    points = "\n".join(f"- {feature}" for feature in offering.features)
    return (
        f"## 特長\n\n{points}\n\n"
        f"## 提供団体から\n\n{organisation}が、熊本県内の事業者の皆さまの導入を支援します。"
        "まずはお気軽にお問い合わせください。\n"
    )


def _plan() -> list[tuple[int, Offering, str]]:
    """(organisation index, offering, title) for every demo organisation, the same on every
    start."""
    plan: list[tuple[int, Offering, str]] = []
    for index, entry in enumerate(DEMO_ORGANISATIONS):
        # Lines of business without offerings of their own offer advice and web work.
        offers = list(OFFERINGS.get(entry.industry, ())) or [*OFFERINGS["L"][:2], OFFERINGS["G"][9]]
        count = 4 if entry.industry == "G" else 3 if len(offers) >= 3 else len(offers)
        start = index % len(offers)
        for step in range(min(count, len(offers))):
            offering = offers[(start + step) % len(offers)]
            plan.append((index, offering, offering.title))
    return plan


def demo_solution_count() -> int:
    """How many solutions a fresh start creates (the withdrawn organisations get none)."""
    return sum(
        1
        for index, _, _ in _plan()
        if DEMO_ORGANISATIONS[index].status != MembershipStatus.WITHDRAWN
    )


async def load_demo_solutions() -> int:
    """Create the missing demo solutions; returns how many were created."""
    plan = [
        (index, offering, title)
        for index, offering, title in _plan()
        if DEMO_ORGANISATIONS[index].status != MembershipStatus.WITHDRAWN
    ]  # a former member keeps nothing on the platform
    names = sorted({entry.name for entry in DEMO_ORGANISATIONS})
    rows = await Solution.select(
        Solution.organisation.name.as_alias("organisation_name"), Solution.title
    ).where(Solution.organisation.name.is_in(names))
    existing = {(row["organisation_name"], row["title"]) for row in rows}
    if all((DEMO_ORGANISATIONS[index].name, title) in existing for index, _, title in plan):
        return 0  # a restart only looks (one query)
    await taxonomy.ensure_default_categories()
    categories = {category.name: category.id for category in await taxonomy.list_categories()}
    organisations = {
        row["name"]: row
        for row in await Organisation.select(
            Organisation.id, Organisation.name, Organisation.status, Organisation.municipality
        ).where(Organisation.name.is_in(names))
    }
    # The demo solutions are recorded as entered by the demo system administrator.
    author = await Account.select(Account.id).where(Account.email == "admin@example.jp").first()
    author_id = author["id"] if author else None
    rng = random.Random(5)
    now = clock.now()
    created = 0
    async with transaction():
        for serial, (index, offering, title) in enumerate(plan):
            entry = DEMO_ORGANISATIONS[index]
            row = organisations.get(entry.name)
            if row is None or (entry.name, title) in existing:
                continue
            principal = Principal(
                account_id=author_id or 0, email="demo@example.jp", display_name="デモ",
                roles=frozenset({Role.MEMBER_ADMIN}), organisation_id=row["id"],
                organisation_active=True,
            )  # fmt: skip
            local = serial % 3 == 0 and row["municipality"] in KUMAMOTO_MUNICIPALITIES
            nearby = [row["municipality"]] + [
                KUMAMOTO_MUNICIPALITIES[(serial * 7 + step) % len(KUMAMOTO_MUNICIPALITIES)]
                for step in range(2)
            ]
            data = SolutionInput.from_mapping(
                {
                    "title": title,
                    "summary": offering.summary,
                    "description": _description(offering, entry.name),
                    "category_ids": [str(categories[name]) for name in offering.categories],
                    "industries": list(offering.industries),
                    "all_kumamoto": not local,
                    "municipalities": nearby if local else [],
                    "sizes": list(offering.sizes),
                    "price_model": offering.price_model,
                    "price_text": offering.price_text,
                    "delivery": list(offering.delivery),
                    "subsidy_eligible": offering.subsidy,
                    "website": f"https://example.jp/{entry.slug}/{serial}",
                }
            )
            view = await service.create_solution(principal, data)
            # Spread the last updates over two years (some become stale); created a bit before.
            updated = now - dt.timedelta(days=(serial * 37) % 730, hours=serial % 24)
            await Solution.update(
                {Solution.updated_at: updated, Solution.created_at: updated - dt.timedelta(days=30)}
            ).where(Solution.id == view.id)
            created += 1
        if created:
            await _demo_member_extras(now, organisations.get(DEMO_MEMBER_ORGANISATION), rng)
    return created


async def _demo_member_extras(
    now: dt.datetime, organisation: dict[str, object] | None, rng: random.Random
) -> None:
    """The demo member organisation's own page shows something of every kind: monthly counts,
    an unread inquiry, a hidden and a moderated solution."""
    if organisation is None:
        return
    own = (
        await Solution.select(Solution.id, Solution.title)
        .where(Solution.organisation == organisation["id"])
        .order_by(Solution.id)
    )
    if not own:
        return
    this_month = month_of(now)
    for solution in own:
        month = this_month
        for _ in range(12):
            await SolutionMonthlyStat.insert(
                SolutionMonthlyStat(
                    solution=solution["id"], month=month,
                    views=rng.randint(5, 80), inquiries=rng.randint(0, 3),
                )
            )  # fmt: skip
            month = (month - dt.timedelta(days=1)).replace(day=1)
    await SolutionInquiry.insert(
        SolutionInquiry(
            solution=own[0]["id"], solution_title=own[0]["title"], provider=organisation["id"],
            sender=None, sender_organisation_name="株式会社江津湖フーズ", sender_name="中島 悠",
            sender_email="haruka.nakashima@example.jp", subject="導入費用と期間について",
            body="製造ライン2本で使う場合の費用と、導入までの期間を教えてください。\n"
            "来月、社内で検討会議があります。",
            created_at=now - dt.timedelta(days=2),
        )
    )  # fmt: skip
    if len(own) >= 3:
        await Solution.update({Solution.provider_hidden: True}).where(Solution.id == own[-1]["id"])
        await Solution.update(
            {
                Solution.moderated: True,
                Solution.moderated_at: now - dt.timedelta(days=5),
                Solution.moderation_reason: "料金の表記が最新のものか確認し、更新してください。",
            }
        ).where(Solution.id == own[-2]["id"])

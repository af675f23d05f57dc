"""Demo member organisations for the embedded mode: about 60 fictional but plausible members.

Names, people, corporate numbers, phone numbers (exchange 000, never assigned) and addresses are
made up; e-mail addresses are under example.jp. The organisations joined over the last four fiscal
years, counted back from today, so the member report shows a trend whenever the demo runs.
Every entry goes through the same validation as the forms. Loading is idempotent: an
organisation whose normalised name (name_key) exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from api import dates
from api.audit import service as audit
from api.dates import fiscal_year
from api.db import transaction
from api.members import service as members
from api.members.reference import KUMAMOTO, MembershipStatus
from api.members.tables import Organisation
from api.members.validation import (
    OrganisationInput,
    corporate_number_check_digit,
    validate_organisation,
)

# The organisation the demo member admin and member user belong to.
DEMO_MEMBER_ORGANISATION = "株式会社阿蘇デジタルワークス"

# Area codes of the places below, for made-up numbers like 096-000-1234.
_AREA_CODES = {
    "熊本市": "096", "菊陽町": "096", "合志市": "096", "大津町": "096", "益城町": "096",
    "御船町": "096", "八代市": "0965", "天草市": "0969", "上天草市": "0964", "菊池市": "0968",
    "山鹿市": "0968", "玉名市": "0968", "荒尾市": "0968", "人吉市": "0966", "水俣市": "0966",
    "宇城市": "0964", "宇土市": "0964", "阿蘇市": "0967", "南阿蘇村": "0967", "山都町": "0967",
    "福岡市": "092", "千代田区": "03",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    municipality: str
    postal_code: str
    address_line: str
    prefecture: str = KUMAMOTO


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    slug: str  # for the website and contact addresses
    name: str
    name_kana: str
    kind: str
    industry: str
    size_band: str
    place: Place
    representative: tuple[str, str]  # name, title
    joined: tuple[int, int, int]  # fiscal years before the current one, month, day
    profile: str
    contacts: tuple[tuple[str, str, str], ...]  # name, department, e-mail local part
    public: bool = True
    has_corporate_number: bool = True
    status: MembershipStatus = MembershipStatus.ACTIVE
    # (fiscal years back, month, day) of a suspension or withdrawal, and why
    status_change: tuple[int, int, int] | None = None
    status_note: str = ""


def _o(*args: object, **kwargs: object) -> DemoOrganisation:
    return DemoOrganisation(*args, **kwargs)  # type: ignore[arg-type]


C, SP, AS, SC, PB, OT = (
    "company",
    "sole_proprietor",
    "association",
    "school",
    "public_body",
    "other",
)
SUSPENDED, WITHDRAWN = MembershipStatus.SUSPENDED, MembershipStatus.WITHDRAWN

DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    # --- 熊本市 ---------------------------------------------------------------------------------
    _o("aso-digital", DEMO_MEMBER_ORGANISATION, "アソデジタルワークス", C, "G", "21-50",
       Place("熊本市", "860-0806", "中央区花畑町4-1 花畑ビル5階"), ("阿蘇 大輔", "代表取締役"), (3, 4, 10),
       "業務システムの受託開発とクラウド移行を支援しています。県内の中小企業のDXに、計画づくりから定着まで伴走します。",
       (("阿蘇 美咲", "経営企画部", "misaki.aso"), ("天草 健", "開発部", "ken.amakusa"))),
    _o("higo-system", "株式会社肥後システムサービス", "ヒゴシステムサービス", C, "G", "51-100",
       Place("熊本市", "860-0801", "中央区安政町2-15"), ("緒方 誠", "代表取締役社長"), (3, 4, 10),
       "自治体・医療機関向けのシステム構築と保守運用を40年にわたり手がけています。",
       (("松本 由美", "営業部", "y.matsumoto"),)),
    _o("kumamoto-cloud", "くまもとクラウド合同会社", "クマモトクラウド", C, "G", "6-20",
       Place("熊本市", "862-0950", "中央区水前寺6-3-8"), ("坂本 直樹", "代表社員"), (3, 5, 20),
       "クラウド会計・勤怠システムの導入支援と、社内のIT相談窓口サービスを提供しています。",
       (("坂本 直樹", "", "naoki.sakamoto"), ("井上 彩", "導入支援チーム", "aya.inoue"))),
    _o("hinokuni-soft", "株式会社火の国ソフト", "ヒノクニソフト", C, "G", "21-50",
       Place("熊本市", "861-5514", "北区飛田3-9-21"), ("西田 浩二", "代表取締役"), (2, 6, 3),
       "スマートフォンアプリとウェブサービスの開発会社です。観光・交通分野のアプリに実績があります。",
       (("村上 翔太", "事業推進室", "s.murakami"),)),
    _o("kumamoto-mirai-kensetsu", "熊本みらい建設株式会社", "クマモトミライケンセツ", C, "D", "51-100",
       Place("熊本市", "861-4101", "南区近見8-2-5"), ("森 健一", "代表取締役"), (3, 4, 10),
       "土木・建築工事を行う総合建設業です。ドローン測量とBIM/CIMの活用を進めています。",
       (("山口 恵", "工務部 DX推進課", "m.yamaguchi"), ("森 拓也", "総務部", "t.mori"))),
    _o("ezuko-foods", "株式会社江津湖フーズ", "エヅコフーズ", C, "E", "21-50",
       Place("熊本市", "862-0947", "東区画図町所島1055"), ("中島 典子", "代表取締役"), (1, 9, 1),
       "熊本県産の野菜を使った惣菜・冷凍食品を製造しています。生産管理のデジタル化に取り組み中です。",
       (("中島 悠", "製造管理課", "haruka.nakashima"),)),
    _o("suizenji-hotel", "株式会社水前寺ホテルマネジメント", "スイゼンジホテルマネジメント", C, "M", "51-100",
       Place("熊本市", "862-0956", "中央区水前寺公園12-5"), ("吉田 雅人", "代表取締役"), (2, 10, 15),
       "市内でホテル2軒を運営しています。予約と清掃管理のシステム連携で業務を効率化しました。",
       (("吉田 千尋", "管理部", "c.yoshida"),)),
    _o("seifukai", "医療法人社団清風会", "セイフウカイ", OT, "P", "101-300",
       Place("熊本市", "860-0811", "中央区本荘5-1-30"), ("田中 俊夫", "理事長"), (1, 7, 1),
       "病院1か所と訪問看護ステーションを運営しています。オンライン診療と電子カルテ連携を進めています。",
       (("古川 真理", "医療情報室", "m.furukawa"),)),
    _o("kumamoto-logistics", "株式会社熊本ロジスティクス", "クマモトロジスティクス", C, "H", "101-300",
       Place("熊本市", "861-4115", "南区川尻6-4-1"), ("藤本 隆", "代表取締役社長"), (3, 8, 1),
       "県内と九州各県を結ぶ物流サービスを提供しています。配車計画の自動化に取り組んでいます。",
       (("石原 大樹", "情報システム課", "d.ishihara"),), public=False),
    _o("hinokuni-himawari", "火の国ひまわり信用組合", "ヒノクニヒマワリシンヨウクミアイ", AS, "J", "101-300",
       Place("熊本市", "860-0845", "中央区上通町6-20"), ("宮本 和夫", "理事長"), (2, 4, 1),
       "地域の中小企業と暮らしを支える金融機関です。取引先のDX・事業承継の相談にも応じています。",
       (("岩下 香織", "地域振興部", "k.iwashita"),)),
    _o("tsuboi-fudosan", "株式会社坪井不動産", "ツボイフドウサン", C, "K", "6-20",
       Place("熊本市", "860-0863", "中央区坪井2-3-11"), ("坪井 修", "代表取締役"), (0, 5, 12),
       "賃貸仲介と管理の会社です。内見予約と電子契約を導入し、来店不要の手続きを実現しました。",
       (("坪井 里奈", "賃貸管理部", "rina.tsuboi"),)),
    _o("kumamoto-sekkei", "株式会社熊本設計コンサルタント", "クマモトセッケイコンサルタント", C, "L", "21-50",
       Place("熊本市", "862-0971", "中央区大江3-1-4"), ("内田 浩", "代表取締役"), (2, 1, 15),
       "道路・橋梁の設計と点検を行う建設コンサルタントです。点検データのクラウド管理を提供しています。",
       (("内田 沙織", "技術部", "s.uchida"),)),
    _o("kumamoto-it-assoc", "くまもとIT事業者協会", "クマモトアイティージギョウシャキョウカイ", AS, "R", "1-5",
       Place("熊本市", "860-0806", "中央区花畑町9-8"), ("荒木 正", "会長"), (3, 4, 10),
       "県内のIT企業約80社でつくる任意団体です。勉強会と人材育成の事業を行っています。",
       (("荒木 正", "事務局", "jimukyoku"),), has_corporate_number=False),
    _o("nakamura-design", "中村デザイン事務所", "ナカムラデザインジムショ", SP, "L", "1-5",
       Place("熊本市", "862-0924", "中央区帯山4-12-7"), ("中村 美穂", "代表"), (1, 3, 1),
       "ロゴ・パンフレット・ウェブサイトのデザインを手がける個人事務所です。",
       (("中村 美穂", "", "miho.nakamura"),), has_corporate_number=False),
    _o("kumamoto-mirai-univ", "学校法人くまもと未来学園 熊本未来情報大学", "クマモトミライジョウホウダイガク", SC, "O", "301-",
       Place("熊本市", "861-8038", "東区長嶺東2-5-1"), ("高橋 恵子", "学長"), (3, 4, 10),
       "情報学部とデータサイエンス学部をもつ大学です。企業との共同研究とリカレント教育に力を入れています。",
       (("岡本 健太", "産学連携推進室", "renkei"), ("平田 綾", "産学連携推進室", "a.hirata"))),
    _o("kamitori-shoten", "株式会社上通商店", "カミトオリショウテン", C, "I", "6-20",
       Place("熊本市", "860-0845", "中央区上通町2-8"), ("松田 洋子", "代表取締役"), (0, 7, 22),
       "創業70年の文具・雑貨店です。ネットショップを開設し、店舗と在庫を一元管理しています。",
       (("松田 航", "営業部", "wataru.matsuda"),)),
    _o("kumamoto-healthtech", "株式会社熊本ヘルスケアテック", "クマモトヘルスケアテック", C, "G", "6-20",
       Place("熊本市", "860-0047", "西区春日1-14-1"), ("川口 聡", "代表取締役"), (2, 8, 20),
       "介護施設向けの見守りセンサーとデータ分析サービスを開発しています。",
       (("川口 聡", "", "s.kawaguchi"),), public=False, status=SUSPENDED, status_change=(0, 6, 1),
       status_note="代表者からの申出により一時休止（事業再編中）。"),
    _o("kumamoto-energy", "株式会社くまもとエナジー", "クマモトエナジー", C, "F", "21-50",
       Place("熊本市", "861-8045", "東区小山6-1-20"), ("福田 亮", "代表取締役"), (1, 5, 15),
       "地域新電力として公共施設と家庭に電力を供給しています。需要予測にAIを活用しています。",
       (("福田 亮", "経営企画室", "r.fukuda"),)),
    _o("lifesupport-kengun", "株式会社ライフサポート健軍", "ライフサポートケングン", C, "N", "6-20",
       Place("熊本市", "862-0911", "東区健軍3-45-2"), ("原田 幸子", "代表取締役"), (0, 9, 9),
       "家事代行とクリーニングの会社です。予約から決済までスマートフォンで完結できます。",
       (("原田 幸子", "", "s.harada"),)),
    _o("kumamoto-datalab", "株式会社熊本データラボ", "クマモトデータラボ", C, "G", "1-5",
       Place("熊本市", "860-0808", "中央区手取本町5-1 スタートアップ拠点3階"), ("野田 玲", "代表取締役CEO"), (0, 4, 15),
       "地域の人流・購買データを分析し、商店街や観光地の施策づくりを支援するスタートアップです。",
       (("野田 玲", "", "rei.noda"), ("北村 陸", "データ分析", "riku.kitamura"))),
    _o("hanabata-marketing", "株式会社花畑マーケティング", "ハナバタケマーケティング", C, "L", "6-20",
       Place("熊本市", "860-0806", "中央区花畑町11-2"), ("小川 大介", "代表取締役"), (1, 10, 1),
       "デジタル広告とSNS運用の代理店です。県内事業者の販路開拓を支援しています。",
       (("小川 麻衣", "クリエイティブ部", "mai.ogawa"),)),
    _o("joukamachi-travel", "株式会社城下町トラベル", "ジョウカマチトラベル", C, "N", "6-20",
       Place("熊本市", "860-0004", "中央区新町2-6-3"), ("清水 武", "代表取締役"), (3, 6, 1),
       "熊本城周辺の体験型ツアーを企画する旅行会社です。",
       (("清水 武", "", "t.shimizu"),), status=WITHDRAWN, status_change=(1, 3, 31),
       status_note="事業縮小のため年度末で退会。"),
    _o("mizuki-kaikei", "税理士法人みずき会計", "ミズキカイケイ", OT, "L", "21-50",
       Place("熊本市", "862-0950", "中央区水前寺1-20-22"), ("水木 隆之", "代表社員"), (2, 5, 10),
       "中小企業の税務と経営支援を行う税理士法人です。クラウド会計の導入を数多く支援しています。",
       (("水木 楓", "業務推進部", "kaede.mizuki"),), public=False),
    _o("kumamoto-smart-agri", "株式会社くまもとスマート農業研究所", "クマモトスマートノウギョウケンキュウジョ", C, "L", "6-20",
       Place("熊本市", "861-5521", "北区鹿子木町312"), ("大塚 豊", "所長"), (0, 10, 20),
       "農業用センサーと栽培データの分析で、施設園芸の収量向上を支援しています。",
       (("大塚 豊", "", "y.otsuka"),)),
    # --- 菊陽町・合志市・大津町・益城町 ------------------------------------------------------------
    _o("kikuyo-semicon", "株式会社菊陽セミコンテック", "キクヨウセミコンテック", C, "E", "301-",
       Place("菊陽町", "869-1101", "津久礼2200"), ("岡田 英樹", "代表取締役社長"), (2, 4, 1),
       "半導体製造装置の部品加工と保守を行っています。工場IoTとデータ活用を推進しています。",
       (("岡田 理沙", "人事総務部", "risa.okada"), ("前田 剛", "生産技術部", "g.maeda"))),
    _o("hikarinomori-net", "株式会社光の森ネットワークス", "ヒカリノモリネットワークス", C, "G", "21-50",
       Place("菊陽町", "869-1108", "光の森7-33-1"), ("林 拓海", "代表取締役"), (1, 4, 20),
       "企業向けネットワーク構築とセキュリティ監視サービスを提供しています。",
       (("林 優花", "営業部", "yuka.hayashi"),)),
    _o("haramizu-seimitsu", "株式会社原水精密", "ハラミズセイミツ", C, "E", "51-100",
       Place("菊陽町", "869-1102", "原水3125-8"), ("後藤 修", "代表取締役"), (0, 6, 10),
       "精密金属部品の加工会社です。受発注のEDI化と生産スケジューラーの導入を進めています。",
       (("後藤 由紀", "管理部", "yuki.goto"),)),
    _o("kikuyo-clean", "菊陽クリーンサービス株式会社", "キクヨウクリーンサービス", C, "R", "21-50",
       Place("菊陽町", "869-1103", "久保田2801"), ("村田 勉", "代表取締役"), (2, 2, 1),
       "産業廃棄物の収集運搬と処理を行っています。収集ルートの最適化に取り組んでいます。",
       (("村田 優", "業務課", "masaru.murata"),)),
    _o("musashigaoka-bakery", "株式会社武蔵ヶ丘ベーカリー", "ムサシガオカベーカリー", C, "I", "6-20",
       Place("菊陽町", "869-1101", "津久礼91-3"), ("上田 真由美", "代表取締役"), (0, 8, 5),
       "地元産の小麦を使うパン店を3店舗運営しています。キャッシュレス決済と予約注文を導入しました。",
       (("上田 真由美", "", "mayumi.ueda"),)),
    _o("koshi-agritech", "株式会社合志アグリテック", "コウシアグリテック", C, "A", "6-20",
       Place("合志市", "861-1102", "須屋2450-1"), ("木村 健司", "代表取締役"), (1, 6, 1),
       "いちごとトマトの施設栽培を行う農業法人です。環境制御システムで栽培を見える化しています。",
       (("木村 舞", "生産部", "mai.kimura"),)),
    _o("suya-denki", "株式会社須屋電機", "スヤデンキ", C, "E", "21-50",
       Place("合志市", "861-1104", "御代志1661-5"), ("三浦 博", "代表取締役"), (3, 1, 20),
       "制御盤と電子機器の製造を行っています。設計図面の電子化と共有を進めています。",
       (("三浦 隼", "設計課", "hayato.miura"),)),
    _o("koshi-medical", "合志メディカルサポート株式会社", "コウシメディカルサポート", C, "P", "21-50",
       Place("合志市", "861-1115", "豊岡2000-12"), ("池田 淳子", "代表取締役"), (2, 9, 1),
       "調剤薬局と訪問看護を運営しています。オンライン服薬指導に対応しています。",
       (("池田 淳子", "", "junko.ikeda"),)),
    _o("sakura-fukushi", "社会福祉法人さくら福祉会", "サクラフクシカイ", OT, "P", "51-100",
       Place("合志市", "861-1112", "幾久富1758-2"), ("橋本 昭", "理事長"), (0, 5, 1),
       "特別養護老人ホームと保育園を運営しています。介護記録のタブレット入力を導入しました。",
       (("橋本 さやか", "法人本部", "sayaka.hashimoto"),)),
    _o("ozu-mobility", "株式会社大津モビリティ", "オオヅモビリティ", C, "E", "101-300",
       Place("大津町", "869-1233", "大津1150-3"), ("長野 哲也", "代表取締役社長"), (3, 4, 10),
       "二輪車・四輪車の部品を製造しています。工場の設備データを収集し、予知保全を行っています。",
       (("長野 結衣", "DX推進室", "yui.nagano"),)),
    _o("mashiki-fukkou", "益城復興建設株式会社", "マシキフッコウケンセツ", C, "D", "21-50",
       Place("益城町", "861-2242", "木山236"), ("宮崎 勝", "代表取締役"), (2, 7, 1),
       "住宅と公共施設の建設を行っています。",
       (("宮崎 勝", "", "masaru.miyazaki"),), status=SUSPENDED, status_change=(1, 11, 1),
       status_note="会費未納のため休止（事務局で確認中）。"),
    _o("mifune-shokokai", "御船町商工会", "ミフネマチショウコウカイ", AS, "R", "1-5",
       Place("御船町", "861-3206", "御船995-1"), ("永田 清", "会長"), (1, 8, 1),
       "町内の商工業者の経営を支援しています。会員事業者のキャッシュレス導入を後押ししています。",
       (("永田 由香", "経営指導員", "yuka.nagata"),)),
    # --- 八代市・天草市・上天草市 --------------------------------------------------------------
    _o("yatsushiro-kouun", "八代港運株式会社", "ヤツシロコウウン", C, "H", "101-300",
       Place("八代市", "866-0034", "新港町2-1"), ("松岡 浩一", "代表取締役社長"), (3, 4, 10),
       "八代港での荷役と倉庫保管を行っています。コンテナ情報のデジタル管理を進めています。",
       (("松岡 陽介", "業務部", "yosuke.matsuoka"),), public=False),
    _o("yatsushiro-tatami", "株式会社やつしろ畳工房", "ヤツシロタタミコウボウ", C, "E", "6-20",
       Place("八代市", "866-0861", "本町3-2-5"), ("山下 宗一", "代表取締役"), (1, 2, 10),
       "八代産のい草を使った畳と小物を製造しています。ECサイトで全国に販売しています。",
       (("山下 葵", "販売部", "aoi.yamashita"),)),
    _o("kumagawa-kensetsu", "株式会社球磨川建設", "クマガワケンセツ", C, "D", "51-100",
       Place("八代市", "866-0862", "松江城町5-9"), ("丸山 隆", "代表取締役"), (2, 6, 20),
       "河川・道路工事を行う建設会社です。ICT施工と遠隔臨場に対応しています。",
       (("丸山 直人", "工事部", "naoto.maruyama"),)),
    _o("yatsushiro-tomato", "株式会社八代トマトファーム", "ヤツシロトマトファーム", C, "A", "21-50",
       Place("八代市", "869-4201", "鏡町鏡村1052"), ("片山 誠司", "代表取締役"), (0, 6, 1),
       "冬春トマトの大規模生産を行っています。出荷予測と選果データの活用に取り組んでいます。",
       (("片山 美咲", "経営企画", "misaki.katayama"),)),
    _o("minami-nokyo", "くまもと南部農業協同組合", "クマモトナンブノウギョウキョウドウクミアイ", AS, "Q", "101-300",
       Place("八代市", "866-0855", "古閑中町1532"), ("浜田 一郎", "代表理事組合長"), (1, 4, 1),
       "県南地域の農業協同組合です。組合員向けの営農支援アプリを提供しています。",
       (("浜田 智子", "営農企画課", "tomoko.hamada"),)),
    _o("amakusa-pearl", "株式会社天草真珠養殖", "アマクサシンジュヨウショク", C, "B", "6-20",
       Place("天草市", "863-2201", "五和町御領3022"), ("渡辺 海斗", "代表取締役"), (2, 5, 15),
       "天草の海で真珠とマダイの養殖を行っています。海水温のセンサー監視を導入しました。",
       (("渡辺 七海", "総務", "nanami.watanabe"),)),
    _o("amakusa-stay", "株式会社天草ステイ", "アマクサステイ", C, "M", "21-50",
       Place("天草市", "863-0023", "中央新町15-3"), ("石田 真一", "代表取締役"), (1, 7, 20),
       "旅館と古民家の宿を運営しています。多言語対応の予約サイトで海外のお客様を迎えています。",
       (("石田 恵理", "予約課", "eri.ishida"),)),
    _o("amakusa-dx-council", "天草デジタル未来協議会", "アマクサデジタルミライキョウギカイ", AS, "R", "1-5",
       Place("天草市", "863-0033", "東町3"), ("竹下 義男", "会長"), (0, 7, 1),
       "天草地域の事業者と行政でつくる任意団体です。デジタル活用の勉強会を開いています。",
       (("竹下 義男", "事務局", "yoshio.takeshita"),), has_corporate_number=False),
    _o("hondo-joho", "株式会社本渡情報センター", "ホンドジョウホウセンター", C, "G", "6-20",
       Place("天草市", "863-0013", "今釜新町3600-2"), ("酒井 徹", "代表取締役"), (3, 9, 1),
       "天草地域の企業・自治体向けにパソコン・ネットワークの保守を行っています。",
       (("酒井 美紀", "サポート部", "miki.sakai"),)),
    _o("kamiamakusa-marine", "上天草マリンサービス株式会社", "カミアマクサマリンサービス", C, "H", "6-20",
       Place("上天草市", "869-3603", "大矢野町中4519"), ("杉本 港", "代表取締役"), (0, 8, 20),
       "島々を結ぶ旅客船と観光クルーズを運航しています。乗船券のオンライン販売を始めました。",
       (("杉本 真央", "営業課", "mao.sugimoto"),)),
    # --- そのほかの県内市町村 ----------------------------------------------------------------------
    _o("kikuchi-farm", "株式会社菊池ファーム", "キクチファーム", C, "A", "6-20",
       Place("菊池市", "861-1331", "隈府888"), ("菊池 勇", "代表取締役"), (2, 10, 1),
       "水稲と畜産の複合経営です。牛の健康管理にウェアラブルセンサーを使っています。",
       (("菊池 春香", "事務", "haruka.kikuchi"),)),
    _o("yamaga-tourou", "株式会社山鹿灯籠工芸", "ヤマガトウロウコウゲイ", C, "E", "1-5",
       Place("山鹿市", "861-0501", "山鹿1600"), ("今村 文子", "代表取締役"), (1, 6, 15),
       "伝統工芸の山鹿灯籠を制作しています。",
       (("今村 文子", "", "fumiko.imamura"),), status=SUSPENDED, status_change=(0, 9, 1),
       status_note="事業の一時休止の届出あり。"),
    _o("tamana-logitech", "株式会社玉名ロジテック", "タマナロジテック", C, "H", "51-100",
       Place("玉名市", "865-0064", "中1540"), ("永井 大地", "代表取締役"), (3, 3, 1),
       "食品と日用品の配送を行う運送会社です。動態管理システムで配送状況をお知らせしています。",
       (("永井 舞子", "運行管理課", "maiko.nagai"),)),
    _o("arao-engineering", "荒尾エンジニアリング株式会社", "アラオエンジニアリング", C, "D", "21-50",
       Place("荒尾市", "864-0041", "荒尾4160-1"), ("桜井 剛", "代表取締役"), (3, 7, 1),
       "プラント設備の設計と施工を行っています。",
       (("桜井 剛", "", "tsuyoshi.sakurai"),), status=WITHDRAWN, status_change=(0, 9, 30),
       status_note="親会社への事業統合のため退会。"),
    _o("hitoyoshi-onsen", "株式会社人吉温泉企画", "ヒトヨシオンセンキカク", C, "M", "21-50",
       Place("人吉市", "868-0005", "九日町22"), ("相良 智", "代表取締役"), (2, 4, 1),
       "温泉旅館の運営と観光まちづくりに取り組んでいます。予約管理をクラウドに移行しました。",
       (("相良 奈々", "企画室", "nana.sagara"),)),
    _o("minamata-kankyo", "株式会社水俣環境テクノ", "ミナマタカンキョウテクノ", C, "L", "6-20",
       Place("水俣市", "867-0041", "天神町1-2-1"), ("江口 修平", "代表取締役"), (1, 5, 1),
       "水質・大気の環境測定と分析を行っています。測定データのオンライン報告に対応しています。",
       (("江口 彩花", "分析課", "ayaka.eguchi"),)),
    _o("uki-mikan", "株式会社宇城みかん園", "ウキミカンエン", C, "A", "1-5",
       Place("宇城市", "869-0532", "松橋町松橋261"), ("福島 実", "代表取締役"), (0, 10, 1),
       "不知火と温州みかんを栽培しています。ネット直販と定期便を始めました。",
       (("福島 実", "", "minoru.fukushima"),)),
    _o("uto-marine", "株式会社宇土マリン商事", "ウトマリンショウジ", C, "I", "6-20",
       Place("宇土市", "869-0435", "網津町1720"), ("西村 浩", "代表取締役"), (2, 3, 10),
       "水産物と海苔の卸売を行っています。受発注をFAXからウェブに切り替えました。",
       (("西村 真衣", "営業部", "mai.nishimura"),)),
    _o("aso-sougen-tourism", "株式会社阿蘇草原ツーリズム", "アソソウゲンツーリズム", C, "N", "6-20",
       Place("阿蘇市", "869-2612", "一の宮町宮地1900"), ("大谷 草太", "代表取締役"), (1, 4, 20),
       "阿蘇の草原でトレッキングと乗馬のツアーを企画しています。",
       (("大谷 花", "ツアーデスク", "hana.otani"),)),
    _o("minamiaso-water", "株式会社南阿蘇ウォーター", "ミナミアソウォーター", C, "E", "21-50",
       Place("南阿蘇村", "869-1404", "久石2700"), ("吉村 湧", "代表取締役"), (2, 8, 1),
       "南阿蘇の湧水を使った飲料を製造しています。製造ラインの稼働データを見える化しました。",
       (("吉村 清香", "品質管理課", "sayaka.yoshimura"),)),
    _o("yamato-town", "山都町", "ヤマトチョウ", PB, "S", "101-300",
       Place("山都町", "861-3592", "浜町6"), ("山都 太郎", "町長"), (1, 4, 1),
       "行政手続きのオンライン化と、町内事業者のデジタル化支援に取り組んでいます。",
       (("清田 愛", "企画政策課", "ai.kiyota"),)),
    # --- 県外 -------------------------------------------------------------------------------------
    _o("hakata-cloud", "株式会社博多クラウドソリューションズ", "ハカタクラウドソリューションズ", C, "G", "101-300",
       Place("福岡市", "812-0011", "博多区博多駅前2-1-1", "福岡県"), ("安藤 洋平", "代表取締役"), (2, 7, 15),
       "九州一円でクラウド基盤の構築と運用を行っています。熊本事業所で地元企業を支援しています。",
       (("安藤 玲奈", "熊本事業所", "rena.ando"),)),
    _o("kyushu-dx-partners", "九州DXパートナーズ株式会社", "キュウシュウディーエックスパートナーズ", C, "L", "21-50",
       Place("福岡市", "810-0001", "中央区天神1-4-2", "福岡県"), ("中川 誠", "代表取締役"), (3, 10, 1),
       "DX戦略の策定と人材育成を支援するコンサルティング会社です。",
       (("中川 誠", "", "makoto.nakagawa"),), status=WITHDRAWN, status_change=(2, 12, 31),
       status_note="九州の別団体への活動集約のため退会。"),
    _o("tokyo-databridge", "株式会社東京データブリッジ", "トウキョウデータブリッジ", C, "G", "301-",
       Place("千代田区", "100-0005", "丸の内1-9-1", "東京都"), ("青木 隆史", "代表取締役社長"), (0, 6, 25),
       "データ連携基盤のソフトウェア会社です。熊本の自治体・企業との実証事業に参加しています。",
       (("青木 美帆", "地域連携部", "miho.aoki"),)),
)  # fmt: skip


def _fiscal_date(current_fiscal_year: int, back: tuple[int, int, int]) -> date:
    years_back, month, day = back
    year = current_fiscal_year - years_back
    return date(year if month >= 4 else year + 1, month, day)


def _corporate_number(serial: int) -> str:
    base = f"64{serial:010d}"  # a made-up range
    return f"{corporate_number_check_digit(base)}{base}"


def demo_input(serial: int, entry: DemoOrganisation) -> OrganisationInput:
    """The entry as form values through the forms' own validation (raises if it is not valid)."""
    place = entry.place
    area = _AREA_CODES[place.municipality]
    local = "0000" if len(area) == 2 else "000" if len(area) == 3 else "00"
    values: dict[str, object] = {
        "name": entry.name,
        "name_kana": entry.name_kana,
        "corporate_number": _corporate_number(serial) if entry.has_corporate_number else "",
        "kind": entry.kind,
        "industry": entry.industry,
        "size_band": entry.size_band,
        "postal_code": place.postal_code,
        "prefecture": place.prefecture,
        "municipality": place.municipality,
        "address_line": place.address_line,
        "website": f"https://{entry.slug}.example.jp/",
        "representative_name": entry.representative[0],
        "representative_title": entry.representative[1],
        "profile_public": entry.public,
        "profile_text": entry.profile,
    }
    prefixes = []
    for position, (name, department, mailbox) in enumerate(entry.contacts):
        prefix = f"contact_{position}_"
        prefixes.append(prefix)
        values[f"{prefix}name"] = name
        values[f"{prefix}department"] = department
        values[f"{prefix}email"] = f"{entry.slug}.{mailbox}@example.jp"
        values[f"{prefix}phone"] = f"{area}-{local}-{1000 + serial * 10 + position:04d}"
    return validate_organisation(values, contact_prefixes=tuple(prefixes))


async def load_demo_organisations(today: date | None = None) -> tuple[int, int | None]:
    """Create the demo organisations that are missing, in one transaction.

    Returns how many were created and the id of DEMO_MEMBER_ORGANISATION (for the demo accounts).
    """
    today = today or dates.today()
    current = fiscal_year(today)
    inputs = [
        (entry, demo_input(serial, entry)) for serial, entry in enumerate(DEMO_ORGANISATIONS, 1)
    ]
    created = 0
    async with transaction():
        rows = await Organisation.select(Organisation.id, Organisation.name_key).where(
            Organisation.name_key.is_in([data.name_key for _, data in inputs])
        )
        known = {row["name_key"]: row["id"] for row in rows}
        for entry, data in inputs:
            if data.name_key in known:
                continue
            # Dates counted back from today; none lies in the future.
            joined = min(_fiscal_date(current, entry.joined), today)
            organisation_id = await members.insert_organisation(
                data, status=entry.status, joined_on=joined, applied_on=joined - timedelta(days=21)
            )
            if entry.status_change is not None:
                changed = max(min(_fiscal_date(current, entry.status_change), today), joined)
                column = (
                    "withdrawn_on" if entry.status == MembershipStatus.WITHDRAWN else "suspended_on"
                )
                await Organisation.update(
                    {column: changed, "status_note": entry.status_note}  # type: ignore[dict-item]
                ).where(Organisation.id == organisation_id)
            await audit.record(
                None, "demo.create", "organisation", organisation_id, target_label=data.name
            )
            known[data.name_key] = organisation_id
            created += 1
    member_key = next(
        data.name_key for entry, data in inputs if entry.name == DEMO_MEMBER_ORGANISATION
    )
    return created, known.get(member_key)

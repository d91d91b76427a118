"""Synthetic enterprise-issue texts for the similarity benchmark, built around the labelled evaluation set.

Most tickets are one of a kind: their problem sentences come from a character bigram chain (order-1 Markov)
trained on the evaluation set's texts of the same category, so that the characters and bigrams occur about
as often as in real issues while no two texts are alike, and a share SPECIFIC_SHARE of the characters is
swapped for random common ones (GB2312 level 1), standing for the names, products and details that make
real texts' vocabulary far larger than the set's. The share is chosen so that two unrelated tickets of one
category score about as in the evaluation set (there: median 0.06, 5 % at or above the group threshold;
here, at 0.2: median ≈ 0.05, ≈ 4 %); around them go a company introduction, an impact and a request
with random places, company names, amounts and dates. A few per cent are planted common
issues: one evaluation item retold by several companies (two thirds of its clauses kept, the surrounding
sentences varied), as a city would see them.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "common_issues" / "eval_set.json"

COUNTIES = ["川汇区", "淮阳区", "扶沟县", "西华县", "商水县", "沈丘县", "郸城县", "太康县", "鹿邑县", "项城市"]
TOWNS = (
    "陈州街道 荷花街道 人和街道 搬口街道 李埠口乡 城关镇 新站镇 白楼镇 城郊乡 韭园镇 练寺镇 西华营镇 址坊镇 红花集镇 "
    "黄寨镇 练集镇 魏集镇 槐店镇 北郊乡 付井镇 汲冢镇 宁平镇 石槽镇 马厂镇 逊母口镇 太清宫镇 玄武镇 涡北镇 秣陵镇 丁集镇 官会镇"
).split()
PARKS = (
    "产业集聚区 经济技术开发区 高新技术产业园 物流园 食品产业园 纺织服装产业园 医药产业园 装备制造产业园 港区".split()
)
INDUSTRIES = (
    "食品 纺织 服装 制鞋 医药 化工 机械 电子 建材 家具 包装 印刷 塑料 钢构 铸造 面粉 肉制品 豆制品 饮料 酒业 "
    "农产品 冷链物流 假发 化妆刷 皮革 锅炉 新能源 光伏 环保设备 汽车配件 五金 木业 造纸 饲料 生物科技 软件"
).split()
BUREAUS = (
    "发改委 工信局 财政局 人社局 自然资源局 生态环境局 住建局 交通运输局 商务局 市场监管局 税务局 科技局 "
    "水利局 应急管理局 城管局 管委会 供电公司 自来水公司 燃气公司 人民银行 金融局 统计局 残联 教育局"
).split()
SUBJECTS = {
    "policy": "惠企政策 奖补资金 补贴 专项资金 政策兑现 贴息 租金减免 奖励 扶持资金 招商承诺",
    "land": "土地证 用地指标 不动产登记 土地出让 厂房产权 规划许可 土地征收 标准化厂房 用地审批",
    "utilities": "供电 用电 天然气 供水 供暖 变压器 电力线路 电价 燃气管道 蒸汽 电费",
    "finance": "贷款 续贷 担保 融资 授信 抵押 银行利率 过桥资金 信用贷款 应收账款融资",
    "labor": "招工 用工 技术工人 社保 培训补贴 劳动纠纷 工伤 员工住房 员工子女入学",
    "approval": "环评 施工许可 消防验收 生产许可证 项目备案 年检 营业执照 安全评价 竣工验收",
    "infrastructure": "道路 排水 路灯 污水管网 园区配套 公交 桥梁 停车场 围墙 绿化",
    "technology": "高企认定 研发平台 科技项目 创新券 技术合作 专利 成果转化 人才引进",
    "market": "产品销售 产销对接 原料采购 物流运输 出口 展会 电商 订单 品牌推广",
    "legal": "合同纠纷 欠款 执法检查 知识产权 行政处罚 工程款 商标侵权 仲裁",
    "tax": "退税 发票 税收优惠 残保金 社保费 纳税申报 减税降费 税务稽查",
    "environment": "排污许可 环保检查 污水处理 废气治理 停产限产 危废处置 环保整改",
    "other": "企业诉求 意见建议 办事流程 政务服务 信息公开 协调事项",
}
COMPLAINTS = (
    "不稳定 迟迟未解决 办理太慢 费用过高 经常中断 无人受理 没有兑现 标准不明确 材料反复补充 审批卡住 "
    "拖了半年 一直没有答复 问题突出 影响生产 需要协调 推诿扯皮 收费不合理 流程繁琐 期限太短 名额不足"
).split()
INTROS = [
    "我公司是{county}的{industry}企业，成立于{year}年，现有员工{n}人。",
    "{company}位于{county}{park}，主要生产{industry}产品。",
    "我们厂在{county}{town}，做{industry}的，规模不大。",
    "本企业系{county}{park}入驻企业，{year}年投产，年产值约{m}万元。",
    "{company}是{county}重点{industry}企业。",
    "",
]
IMPACTS = [
    "影响订单交付。",
    "每月损失约{m}万元。",
    "工人只能停工待料。",
    "企业资金周转困难。",
    "客户意见很大。",
    "项目无法按期投产。",
    "已经影响到正常经营。",
    "员工情绪不稳定。",
    "损失难以估量。",
    "",
]
REQUESTS = [
    "请求{bureau}协调解决。",
    "希望尽快给予答复。",
    "恳请领导关注。",
    "请帮助督促落实。",
    "望相关部门重视。",
    "请{bureau}给个明确说法。",
    "希望能尽快处理。",
    "",
]
TITLE_FORMS = [
    "{subject}{complaint}",
    "{place}{subject}{complaint}",
    "关于{subject}{complaint}的问题",
    "反映{place}{subject}问题",
]
BRAND_CHARS = "华丰盛瑞鑫泰源达宏祥恒兴隆昌富康佳宇洁润鼎豪顺安博远通金银玉龙凤麟天地豫周陈莲荷汇淮颍沙新"
SPECIFIC_SHARE = 0.2
COMMON_CHARACTERS = [
    bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) if (hi, lo) < (0xD7, 0xFA)
]
_PLACE = re.compile(
    "|".join(map(re.escape, sorted(COUNTIES + TOWNS + [c[:-1] for c in COUNTIES], key=len, reverse=True)))
)
_CLAUSE = re.compile(r"[^，。；！？]+[，。；！？]?")


class TextMaker:
    """Deterministic synthetic (category, title, description, planted-group) tuples."""

    def __init__(self, seed: int = 20241231, planted_share: float = 0.04):
        self.rng = random.Random(seed)
        self.planted_share = planted_share
        self.items = json.loads(EVAL_SET.read_text(encoding="utf-8"))["items"]
        self.by_category: dict[str, list[dict]] = defaultdict(list)
        for item in self.items:
            self.by_category[item["category"]].append(item)
        self.seeds = [item for item in self.items if item["group"]]
        self._chains: dict[tuple[str, str], dict[str, list[str]]] = {}

    def _fill(self, template: str) -> str:
        rng = self.rng
        county = rng.choice(COUNTIES)
        return template.format(
            county=county,
            town=rng.choice(TOWNS),
            park=rng.choice(PARKS),
            industry=rng.choice(INDUSTRIES),
            bureau=county[:-1] + rng.choice(BUREAUS) if rng.random() < 0.5 else "周口市" + rng.choice(BUREAUS),
            company=county[:-1] + "".join(rng.sample(BRAND_CHARS, 2)) + rng.choice(INDUSTRIES) + "有限公司",
            year=rng.randint(1998, 2023),
            n=rng.randint(12, 900),
            m=rng.randint(5, 3000),
            place=rng.choice([county, rng.choice(TOWNS), county + rng.choice(PARKS), ""]),
            subject="{subject}",
            complaint="{complaint}",
        )

    def _swap_places(self, text: str) -> str:
        return _PLACE.sub(lambda _: self.rng.choice(COUNTIES + TOWNS), text)

    def _chain(self, category: str, field: str) -> dict[str, list[str]]:
        key = (category, field)
        if key not in self._chains:
            chain: dict[str, list[str]] = defaultdict(list)
            for item in self.by_category[category] or self.items:
                text = "^" + self._swap_places(item[field]) + "$"
                for a, b in zip(text, text[1:]):
                    chain[a].append(b)
            self._chains[key] = chain
        return self._chains[key]

    def _babble(self, category: str, field: str, low: int, high: int) -> str:
        """Text from the category's character chain, between low and high characters when the chain allows."""
        chain, out, current = self._chain(category, field), [], "^"
        while len(out) < high:
            current = self.rng.choice(chain[current])
            if current == "$":
                if len(out) >= low:
                    break
                current = "^"
                continue
            out.append(self.rng.choice(COMMON_CHARACTERS) if self.rng.random() < SPECIFIC_SHARE else current)
        return "".join(out)

    def ticket(self, category: str) -> tuple[str, str, str | None]:
        """One ticket of `category`: (title, description, planted group id or None)."""
        rng = self.rng
        if rng.random() < self.planted_share:
            return self._planted()
        if rng.random() < 0.7:
            title = self._babble(category, "title", 6, 24)
        else:
            subject = rng.choice(SUBJECTS[category].split())
            title = self._fill(rng.choice(TITLE_FORMS)).format(subject=subject, complaint=rng.choice(COMPLAINTS))
        problem = self._babble(category, "description", 30, rng.randint(40, 140))
        parts = [
            self._fill(rng.choice(INTROS)),
            problem,
            "。",
            self._fill(rng.choice(IMPACTS)),
            self._fill(rng.choice(REQUESTS)),
        ]
        return title[:40], "".join(parts)[:200], None

    def _planted(self) -> tuple[str, str, str]:
        rng = self.rng
        seed = rng.choice(self.seeds)
        clauses = _CLAUSE.findall(seed["description"])
        keep = sorted(rng.sample(range(len(clauses)), max(1, len(clauses) * 2 // 3)))
        body = "".join(clauses[i] for i in keep)
        title = rng.choice([item["title"] for item in self.seeds if item["group"] == seed["group"]])
        description = self._fill(rng.choice(INTROS)) + body + self._fill(rng.choice(REQUESTS))
        return title, description[:200], seed["id"]

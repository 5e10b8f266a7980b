// A seeded, labelled set of profile pairs for measuring the duplicate finder. It knows nothing of the scorer:
// its own character lists with hand-written pinyin, its own typos, so the evaluation is not graded by itself.
// Positives are two records of one person that share no strong identifier (an exact phone or email would have
// been merged already); negatives are different people, most of them chosen to look alike. The mix of typos and
// missing fields is a judgement, not a measurement; about 5.5 % of positives end up with no near phone and no
// related mailbox (a second number and no email), which no finder can tell from two namesakes.
import { seededRandom, type Random } from '../../../seed/random.js';
import type { DuplicateCandidate } from './candidate.js';

export type PairKind =
  | 'same_person'
  | 'same_name_same_city' // 王伟 and 王伟 in 上海
  | 'family' // same surname and city, often a shared generation character and the same car
  | 'same_name_close_phone' // same name, phones two or three digits apart
  | 'homophone_name' // 张伟 and 章伟, two people in one city
  | 'phone_neighbour' // unrelated people whose numbers are one digit apart
  | 'random';

export interface LabelledPair {
  a: DuplicateCandidate;
  b: DuplicateCandidate;
  duplicate: boolean;
  kind: PairKind;
  /** What was done to the second record of a positive ('name_homophone', 'phone_one_digit', 'city_missing', …). */
  variations: string[];
}

export interface TestSetOptions {
  seed: number;
  pairs: number;
  /** Share of positives; default 1/3. */
  positiveShare?: number;
}

export function generateDuplicateTestSet({ seed, pairs, positiveShare = 1 / 3 }: TestSetOptions): LabelledPair[] {
  const rng = seededRandom(seed);
  const out: LabelledPair[] = [];
  for (let i = 0; i < pairs; i++) {
    const pair = rng.next() < positiveShare ? positivePair(rng, i) : negativePair(rng, i);
    out.push(rng.next() < 0.5 ? pair : { ...pair, a: pair.b, b: pair.a });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Lists. Surname weights are per ten thousand people (approximately, 2020 census); given-name characters are
// among the most used; homophones are the characters a pinyin keyboard offers next to them.

interface Syllable {
  han: string;
  pinyin: string[];
}
interface Name {
  surname: Syllable;
  given: Syllable[];
}

const parseEntries = (list: string) => list.split(/\s+/).filter(Boolean);

const SURNAMES: (readonly [Syllable, number])[] = parseEntries(`
  王:wang:712 李:li:700 张:zhang:638 刘:liu:533 陈:chen:461 杨:yang:308 黄:huang:245 赵:zhao:229 吴:wu:205 周:zhou:198
  徐:xu:167 孙:sun:154 马:ma:139 胡:hu:132 朱:zhu:126 郭:guo:124 何:he:120 林:lin:119 高:gao:116 罗:luo:98 郑:zheng:90
  梁:liang:88 谢:xie:86 唐:tang:80 许:xu:79 冯:feng:71 宋:song:70 韩:han:69 邓:deng:68 彭:peng:66 曹:cao:65 曾:zeng:63
  田:tian:62 肖:xiao:61 潘:pan:58 袁:yuan:57 董:dong:57 叶:ye:56 杜:du:53 丁:ding:53 蒋:jiang:51 程:cheng:51 余:yu:50
  吕:lü:49 魏:wei:48 蔡:cai:47 苏:su:46 任:ren:45 卢:lu:44 沈:shen:43 姜:jiang:42 姚:yao:41 钟:zhong:40 崔:cui:38
  陆:lu:37 谭:tan:36 汪:wang:35 范:fan:34 金:jin:33 石:shi:32 廖:liao:31 贾:jia:30 夏:xia:29 韦:wei:29 付:fu:28 方:fang:28
  邹:zou:27 熊:xiong:27 白:bai:26 孟:meng:25 秦:qin:25 邱:qiu:25 侯:hou:24 江:jiang:24 尹:yin:24 薛:xue:23 段:duan:22
  雷:lei:22 龙:long:21 黎:li:21 史:shi:21 陶:tao:21 贺:he:20 毛:mao:20 郝:hao:20 顾:gu:19 龚:gong:19 邵:shao:18 万:wan:18
  覃:qin:17 武:wu:17 钱:qian:17 戴:dai:17 严:yan:16 莫:mo:15 孔:kong:15 向:xiang:15 常:chang:15 于:yu:15 章:zhang:12
  欧阳:ou-yang:5 上官:shang-guan:1 司马:si-ma:1
`).map((e) => {
  const [han = '', pinyin = '', weight = '0'] = e.split(':');
  return [{ han, pinyin: pinyin.split('-') }, Number(weight)] as const;
});

const GIVEN: Syllable[] = parseEntries(`
  伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan 涛:tao
  明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 桂:gui 英:ying 华:hua 玉:yu 兰:lan 萍:ping 红:hong 鹏:peng 辉:hui
  建:jian 国:guo 文:wen 斌:bin 宇:yu 浩:hao 凯:kai 婷:ting 雪:xue 琳:lin 晨:chen 欣:xin 怡:yi 佳:jia 子:zi 涵:han
  轩:xuan 博:bo 俊:jun 志:zhi 海:hai 峰:feng 晓:xiao 小:xiao 慧:hui 颖:ying 思:si 雨:yu 嘉:jia 鑫:xin 昊:hao
  宏:hong 东:dong 春:chun 金:jin 燕:yan 云:yun 飞:fei 波:bo 成:cheng 龙:long 瑞:rui 阳:yang 然:ran 天:tian 梅:mei
  玲:ling 莉:li 欢:huan 琪:qi 彤:tong 萱:xuan 泽:ze 铭:ming 睿:rui 晴:qing 楠:nan 丹:dan 亮:liang 倩:qian 一:yi
`).map((e) => {
  const [han = '', pinyin = ''] = e.split(':');
  return { han, pinyin: [pinyin] };
});
const GIVEN_BY_HAN = new Map(GIVEN.map((g) => [g.han, g]));

/** Same toneless pinyin: what a pinyin keyboard puts next to the intended character. */
const HOMOPHONES = new Map(
  parseEntries(`
    伟:玮炜卫维威薇 芳:方 娜:纳 敏:民闽 静:晶婧靖菁 丽:立莉力俐 强:蔷 磊:蕾雷 军:君钧 洋:阳杨扬 勇:永咏 艳:燕彦雁
    杰:洁捷婕 娟:涓鹃 涛:韬滔 明:铭鸣 超:潮 霞:侠 平:萍苹 刚:钢纲 英:颖莹瑛 华:桦骅 玉:宇雨钰煜 兰:岚蓝 萍:平苹
    红:宏鸿虹 鹏:朋 辉:慧晖惠 建:剑健 国:帼 文:雯 斌:彬 宇:雨玉羽 浩:昊皓 凯:楷恺 婷:亭庭 雪:学 琳:林霖 晨:辰琛
    欣:鑫新馨 怡:依宜仪 佳:嘉家 子:梓紫 涵:晗含寒 轩:萱宣 博:波 俊:君骏 志:智致 峰:锋丰枫 晓:小筱 小:晓 慧:惠蕙
    颖:英莹 思:丝斯 雨:宇玉羽 嘉:佳家 鑫:欣新 昊:浩皓 宏:红鸿 东:冬 春:纯 金:今锦 燕:艳彦 云:芸韵 飞:菲斐
    波:博 成:诚城 龙:隆 瑞:睿 阳:洋杨 然:冉 天:添 梅:玫媚 玲:铃灵 莉:丽立 欢:环 琪:琦淇 彤:桐童 萱:轩 泽:择
    铭:明鸣 睿:瑞 晴:清 楠:南 倩:芊 一:依
    张:章 章:张 徐:许 许:徐 于:余 余:于 吴:武 武:吴 王:汪 汪:王 李:黎 黎:李 何:贺 贺:何 程:成 钟:仲 龚:宫 肖:萧
  `).map((e) => {
    const [han = '', alternatives = ''] = e.split(':');
    return [han, [...alternatives]] as const;
  }),
);

/** The most frequent full names in China (ministry of public security lists), most frequent first. */
const COMMON_NAMES = parseEntries(`
  张伟 王伟 王芳 李伟 王秀英 李秀英 李娜 张秀英 刘伟 张敏 李静 张丽 王静 王丽 李强 张静 李敏 王敏 王磊 李军 刘洋 王勇 张勇
  王艳 李杰 张磊 王强 王军 张杰 李娟 张艳 张涛 王涛 李明 李艳 王超 李勇 王娟 刘杰 王秀兰 李霞 刘敏 张军 李丽 张强 王平
  王刚 王杰 李桂英 刘芳
`);

const CITIES: (readonly [string, number])[] = parseEntries(`
  上海:10 北京:10 广州:8 深圳:8 成都:8 重庆:8 杭州:7 武汉:6 西安:6 苏州:6 郑州:5 南京:5 天津:5 长沙:5 东莞:4 宁波:4
  佛山:4 合肥:4 青岛:4 昆明:3 沈阳:3 济南:3 无锡:3 厦门:3 福州:3 温州:3 南宁:2 哈尔滨:2 石家庄:2 大连:2 南昌:2
  贵阳:2 长春:2 泉州:2 太原:2 常州:2 嘉兴:2 金华:2 徐州:2 惠州:2
`).map((e) => {
  const [city = '', weight = '0'] = e.split(':');
  return [city, Number(weight)] as const;
});

const VEHICLES: (readonly [string, number])[] = [
  ['ID.4', 6],
  ['ID.3', 3],
  ['朗逸', 8],
  ['速腾', 6],
  ['迈腾', 5],
  ['帕萨特', 5],
  ['途观L', 4],
  ['宝来', 4],
  ['凯美瑞', 5],
  ['卡罗拉', 4],
  ['雅阁', 5],
  ['思域', 3],
  ['CR-V', 4],
  ['轩逸', 7],
  ['天籁', 2],
  ['Model 3', 4],
  ['Model Y', 7],
  ['汉', 4],
  ['宋PLUS', 6],
  ['秦PLUS', 6],
  ['海豹', 3],
  ['元PLUS', 4],
  ['理想L7', 3],
  ['问界M7', 3],
  ['小米SU7', 4],
  ['蔚来ES6', 2],
  ['小鹏G6', 2],
  ['宝马3系', 4],
  ['奔驰C级', 4],
  ['奥迪A4L', 4],
  ['星越L', 2],
  ['哈弗H6', 4],
];

const MOBILE_PREFIXES: (readonly [string, number])[] = [
  ...['130', '131', '132', '133', '134', '135', '136', '137', '138', '139'].map((p) => [p, 3] as const),
  ...['150', '151', '152', '153', '155', '156', '157', '158', '159'].map((p) => [p, 2] as const),
  ...['180', '181', '182', '183', '184', '185', '186', '187', '188', '189'].map((p) => [p, 3] as const),
  ...['145', '147', '166', '171', '173', '175', '176', '177', '178', '191', '193', '195', '198', '199'].map((p) => [p, 1] as const),
];

const EMAIL_DOMAINS: (readonly [string, number])[] = [
  ['qq.com', 30],
  ['163.com', 25],
  ['126.com', 10],
  ['sina.com', 5],
  ['139.com', 4],
  ['foxmail.com', 4],
  ['gmail.com', 5],
  ['outlook.com', 4],
  ['hotmail.com', 4],
  ['yeah.net', 2],
  ['sohu.com', 2],
];
const EMAIL_WORDS = ['sunny', 'lucky', 'tiger', 'angel', 'kevin', 'jack', 'lily', 'coco', 'leo', 'amy', 'happy', 'star'];
const TITLES = ['先生', '女士', '小姐', '总'];

// ---------------------------------------------------------------------------------------------------------------
// People and their records.

interface Person {
  name: Name;
  phone: string; // 11 digits, national
  email: string | null;
  city: string;
  vehicle: string;
}

function pickWeighted<T>(rng: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [item, w] of entries) {
    r -= w;
    if (r < 0) return item;
  }
  return entries.at(-1)![0];
}

const chance = (rng: Random, p: number) => rng.next() < p;
const digits = (rng: Random, n: number) => Array.from({ length: n }, () => String(rng.int(0, 9))).join('');
const hanOf = (n: Name) => n.surname.han + n.given.map((g) => g.han).join('');
const syllablesOf = (n: Name) => [...n.surname.pinyin, ...n.given.flatMap((g) => g.pinyin)];

function randomName(rng: Random): Name {
  const surname = pickWeighted(rng, SURNAMES);
  const given = Array.from({ length: chance(rng, 0.3) ? 1 : 2 }, () => rng.pick(GIVEN));
  return { surname, given };
}

function commonName(rng: Random): Name {
  // Zipf-like: the first names of the list are much more frequent.
  const han = COMMON_NAMES[Math.floor(COMMON_NAMES.length * rng.next() ** 2)]!;
  const surname = SURNAMES.find(([s]) => s.han === han[0])![0];
  return { surname, given: [...han.slice(1)].map((ch) => GIVEN_BY_HAN.get(ch)!) };
}

function randomPhone(rng: Random): string {
  return pickWeighted(rng, MOBILE_PREFIXES) + digits(rng, 8);
}

function emailPinyin(n: Name): string {
  return syllablesOf(n).join('').replace(/ü/g, 'v');
}

function randomEmail(rng: Random, name: Name): string {
  const style = pickWeighted(rng, [
    ['qq', 35],
    ['pinyin_digits', 40],
    ['initials_digits', 10],
    ['pinyin', 8],
    ['word_digits', 7],
  ] as const);
  const year = () => String(rng.int(1965, 2004));
  const suffix = () => (chance(rng, 0.5) ? year() : chance(rng, 0.5) ? year().slice(2) : digits(rng, rng.int(2, 4)));
  const domain = pickWeighted(rng, EMAIL_DOMAINS);
  switch (style) {
    case 'qq':
      return `${rng.int(1, 9)}${digits(rng, rng.int(5, 9))}@qq.com`;
    case 'pinyin_digits':
      return `${emailPinyin(name)}${suffix()}@${domain}`;
    case 'initials_digits':
      return `${syllablesOf(name)
        .map((s) => s[0])
        .join('')}${suffix()}@${domain}`;
    case 'pinyin':
      return `${emailPinyin(name)}@${domain}`;
    case 'word_digits':
      return `${rng.pick(EMAIL_WORDS)}${suffix()}@${domain}`;
  }
}

function newPerson(rng: Random, name: Name = randomName(rng)): Person {
  return {
    name,
    phone: randomPhone(rng),
    email: chance(rng, 0.45) ? randomEmail(rng, name) : null,
    city: pickWeighted(rng, CITIES),
    vehicle: pickWeighted(rng, VEHICLES),
  };
}

type NameStyle = 'han' | 'pinyin' | 'initials' | 'title' | 'missing';

interface RecordOptions {
  nameStyle: NameStyle;
  /** Overrides the person's phone; null for none. */
  phone?: string | null;
  email?: string | null;
  city?: string | null;
  vehicle?: string | null;
}

function toRecord(rng: Random, id: string, p: Person, o: RecordOptions): DuplicateCandidate {
  const phone = o.phone === undefined ? p.phone : o.phone;
  const email = o.email === undefined ? p.email : o.email;
  const city = o.city === undefined ? (chance(rng, 0.9) ? p.city : null) : o.city;
  const vehicle = o.vehicle === undefined ? (chance(rng, 0.8) ? p.vehicle : null) : o.vehicle;
  return {
    id,
    name: renderName(rng, p.name, o.nameStyle),
    phones: phone ? [`+86${phone}`] : [],
    emails: email ? [email] : [],
    city: city && chance(rng, 0.1) ? `${city}市` : city, // some sources keep the 市
    vehicleOfInterest: vehicle && chance(rng, 0.05) ? vehicle.replace('.', '').toLowerCase() : vehicle, // 'ID4', 'model y'
  };
}

/** How a record's name is usually entered, when nobody made a mistake worth a positive. */
function baseNameStyle(rng: Random): NameStyle {
  return pickWeighted(rng, [
    ['han', 93],
    ['pinyin', 3],
    ['title', 2],
    ['missing', 2],
  ] as const);
}

function renderName(rng: Random, name: Name, style: NameStyle): string | null {
  const syllables = syllablesOf(name);
  switch (style) {
    case 'missing':
      return null;
    case 'han':
      return hanOf(name);
    case 'title':
      return name.surname.han + rng.pick(TITLES);
    case 'initials': {
      const letters = syllables.map((s) => s[0]!.toUpperCase());
      return pickWeighted(rng, [
        [letters.join(''), 50],
        [letters.join('').toLowerCase(), 30],
        [letters.map((l) => `${l}.`).join(''), 20],
      ] as const);
    }
    case 'pinyin': {
      // ü is typed v, u or yu (passports: LYU).
      const u = pickWeighted(rng, [
        ['v', 4],
        ['u', 4],
        ['yu', 2],
      ] as const);
      const latin = (s: Syllable) => s.pinyin.join('').replace(/ü/g, u);
      const surname = latin(name.surname);
      const given = chance(rng, 0.7) ? [name.given.map(latin).join('')] : name.given.map(latin);
      const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
      return pickWeighted(rng, [
        [`${cap(surname)} ${given.map(cap).join(' ')}`, 35],
        [`${surname} ${given.join(' ')}`, 20],
        [`${surname.toUpperCase()} ${given.map(cap).join(' ')}`, 10],
        [`${given.map(cap).join(' ')} ${cap(surname)}`, 15],
        [surname + given.join(''), 10],
        [cap(surname) + given.map(cap).join(''), 10],
      ] as const);
    }
  }
}

/** Replaces one character with a homophone, given name first; null when the name has none. */
function homophoneOf(rng: Random, name: Name, part: 'given' | 'surname'): Name | null {
  if (part === 'surname') {
    const alternatives = HOMOPHONES.get(name.surname.han);
    return alternatives ? { ...name, surname: { ...name.surname, han: rng.pick(alternatives) } } : null;
  }
  const positions = name.given.map((g, i) => (HOMOPHONES.has(g.han) ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return null;
  const at = rng.pick(positions);
  const given = name.given.map((g, i) => (i === at ? { ...g, han: rng.pick(HOMOPHONES.get(g.han)!) } : g));
  return { ...name, given };
}

/** One given-name character replaced by an unrelated one (a wrong pick); only for two-character given names. */
function oneCharacterOff(rng: Random, name: Name): Name | null {
  if (name.given.length < 2) return null;
  const at = rng.int(0, name.given.length - 1);
  const original = name.given[at]!;
  let replacement = rng.pick(GIVEN);
  while (replacement.pinyin[0] === original.pinyin[0]) replacement = rng.pick(GIVEN);
  return { ...name, given: name.given.map((g, i) => (i === at ? replacement : g)) };
}

/** One digit wrong; the first digit of a mobile is always 1 and the prefix is mistyped less often. */
function phoneOneDigitOff(rng: Random, phone: string): string {
  const at = pickWeighted(
    rng,
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => [i, i < 3 ? 0.5 : 1] as const),
  );
  let digit = String(rng.int(0, 9));
  while (digit === phone[at]) digit = String(rng.int(0, 9));
  return phone.slice(0, at) + digit + phone.slice(at + 1);
}

function phoneTransposed(rng: Random, phone: string): string {
  for (;;) {
    const at = rng.int(1, 9);
    if (phone[at] !== phone[at + 1]) return phone.slice(0, at) + phone[at + 1] + phone[at] + phone.slice(at + 2);
  }
}

/** Two or three digits changed at positions that are not next to each other: not a typo anyone makes once. */
function phoneFewDigitsOff(rng: Random, phone: string): string {
  const count = rng.int(2, 3);
  const positions = new Set<number>();
  while (positions.size < count) {
    const at = rng.int(3, 10);
    if (!positions.has(at - 1) && !positions.has(at + 1)) positions.add(at);
  }
  return [...phone]
    .map((d, i) => {
      if (!positions.has(i)) return d;
      let x = String(rng.int(0, 9));
      while (x === d) x = String(rng.int(0, 9));
      return x;
    })
    .join('');
}

function emailVariant(rng: Random, email: string, name: Name): { email: string; variation: string } {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const otherDomain = () => {
    if (/^\d+$/.test(local)) return rng.pick(domain === 'qq.com' ? ['foxmail.com', 'vip.qq.com'] : ['qq.com']);
    let d = pickWeighted(rng, EMAIL_DOMAINS);
    while (d === domain) d = pickWeighted(rng, EMAIL_DOMAINS);
    return d;
  };
  const kind = pickWeighted(rng, [
    ['email_other_domain', 50],
    ['email_dot', 25],
    ['email_dot_other_domain', 10],
    ['email_typo', 15],
  ] as const);
  const surname = name.surname.pinyin.join('').replace(/ü/g, 'v');
  const canDot = /^[a-z]/.test(local) && local.length > 3;
  const dotted = () => {
    const cut = local.startsWith(surname) && local.length > surname.length ? surname.length : rng.int(1, local.length - 1);
    return `${local.slice(0, cut)}.${local.slice(cut)}`;
  };
  if (kind === 'email_dot' && canDot) return { email: `${dotted()}@${domain}`, variation: kind };
  if (kind === 'email_dot_other_domain' && canDot) return { email: `${dotted()}@${otherDomain()}`, variation: kind };
  if (kind === 'email_typo' && local.length >= 6) {
    const i = rng.int(1, local.length - 1);
    const ch = local[i]!;
    const typo = /\d/.test(ch) ? String((Number(ch) + rng.int(1, 9)) % 10) : ch === 'e' ? 'r' : 'e';
    const changed = chance(rng, 0.5) ? local.slice(0, i) + local.slice(i + 1) : local.slice(0, i) + typo + local.slice(i + 1);
    if (changed !== local) return { email: `${changed}@${domain}`, variation: kind };
  }
  return { email: `${local}@${otherDomain()}`, variation: 'email_other_domain' };
}

// ---------------------------------------------------------------------------------------------------------------
// Pairs.

function positivePair(rng: Random, i: number): LabelledPair {
  const person = newPerson(rng);
  const variations: string[] = [];

  let nameB = person.name;
  let styleB: NameStyle = 'han';
  const nameVariation = pickWeighted(rng, [
    ['name_same', 50],
    ['name_homophone', 15],
    ['name_surname_homophone', 3],
    ['name_pinyin', 12],
    ['name_initials', 4],
    ['name_title', 5],
    ['name_one_char', 4],
    ['name_missing', 4],
    ['name_other_order_pinyin', 3],
  ] as const);
  if (nameVariation === 'name_homophone' || nameVariation === 'name_surname_homophone') {
    const changed =
      homophoneOf(rng, person.name, nameVariation === 'name_homophone' ? 'given' : 'surname') ?? homophoneOf(rng, person.name, 'given');
    if (changed) nameB = changed;
    variations.push(changed ? nameVariation : 'name_same');
  } else if (nameVariation === 'name_one_char') {
    const changed = oneCharacterOff(rng, person.name);
    if (changed) nameB = changed;
    variations.push(changed ? nameVariation : 'name_same');
  } else {
    const styles = {
      name_same: 'han',
      name_pinyin: 'pinyin',
      name_other_order_pinyin: 'pinyin',
      name_initials: 'initials',
      name_title: 'title',
      name_missing: 'missing',
    } as const;
    styleB = styles[nameVariation];
    variations.push(nameVariation === 'name_other_order_pinyin' ? 'name_pinyin' : nameVariation);
  }

  // A web form without a phone, or a second number: then the email is usually what ties the records.
  const phoneRelation = pickWeighted(rng, [
    ['phone_one_digit', 42],
    ['phone_transposed', 20],
    ['phone_missing', 18],
    ['phone_other_number', 20],
  ] as const);
  variations.push(phoneRelation);
  const phoneB =
    phoneRelation === 'phone_one_digit'
      ? phoneOneDigitOff(rng, person.phone)
      : phoneRelation === 'phone_transposed'
        ? phoneTransposed(rng, person.phone)
        : phoneRelation === 'phone_missing'
          ? null
          : randomPhone(rng);
  const phoneLinks = phoneRelation === 'phone_one_digit' || phoneRelation === 'phone_transposed';
  let emailB: string | null = null;
  if (chance(rng, phoneLinks ? 0.3 : 0.85)) {
    person.email ??= randomEmail(rng, person.name);
    const variant = emailVariant(rng, person.email, person.name);
    emailB = variant.email;
    variations.push(variant.variation);
  } else if (person.email) {
    variations.push('email_missing');
  }
  if (!phoneLinks && emailB === null) variations.push('no_contact_link');

  const cityB = pickWeighted(rng, [
    [person.city, 72],
    [null, 20],
    [pickWeighted(rng, CITIES), 8],
  ] as const);
  variations.push(cityB === null ? 'city_missing' : cityB === person.city ? 'city_same' : 'city_other');
  const vehicleB = pickWeighted(rng, [
    [person.vehicle, 55],
    [null, 25],
    [pickWeighted(rng, VEHICLES), 20],
  ] as const);

  const a = toRecord(rng, `${i}a`, person, { nameStyle: chance(rng, 0.95) ? 'han' : baseNameStyle(rng) });
  const b = toRecord(
    rng,
    `${i}b`,
    { ...person, name: nameB },
    { nameStyle: styleB, phone: phoneB, email: emailB, city: cityB, vehicle: vehicleB },
  );
  return { a, b, duplicate: true, kind: 'same_person', variations };
}

function negativePair(rng: Random, i: number): LabelledPair {
  const kind = pickWeighted(rng, [
    ['same_name_same_city', 30],
    ['family', 20],
    ['same_name_close_phone', 15],
    ['homophone_name', 10],
    ['phone_neighbour', 10],
    ['random', 15],
  ] as const);
  let name = kind === 'same_name_same_city' || (kind === 'same_name_close_phone' && chance(rng, 0.5)) ? commonName(rng) : randomName(rng);
  let homophone: Name | null = null;
  while (kind === 'homophone_name' && !homophone) {
    homophone = homophoneOf(rng, name, chance(rng, 0.8) ? 'given' : 'surname') ?? homophoneOf(rng, name, 'given');
    if (!homophone) name = randomName(rng);
  }
  const p = newPerson(rng, name);
  let q: Person;
  switch (kind) {
    case 'same_name_same_city':
      q = { ...newPerson(rng, p.name), city: p.city };
      break;
    case 'family': {
      let given = p.name.given;
      while (given.map((g) => g.han).join('') === p.name.given.map((g) => g.han).join('')) {
        given = p.name.given.length === 2 && chance(rng, 0.5) ? [p.name.given[0]!, rng.pick(GIVEN)] : randomName(rng).given;
      }
      q = { ...newPerson(rng, { surname: p.name.surname, given }), city: p.city };
      if (chance(rng, 0.4)) q.vehicle = p.vehicle; // shopping for one household car
      break;
    }
    case 'same_name_close_phone':
      q = { ...newPerson(rng, p.name), phone: phoneFewDigitsOff(rng, p.phone) };
      if (chance(rng, 0.7)) q.city = p.city;
      break;
    case 'homophone_name':
      q = { ...newPerson(rng, homophone!), city: p.city };
      break;
    case 'phone_neighbour':
      q = { ...newPerson(rng), phone: chance(rng, 0.8) ? phoneOneDigitOff(rng, p.phone) : phoneTransposed(rng, p.phone) };
      break;
    case 'random':
      q = newPerson(rng);
      break;
  }
  // One mailbox belongs to one person.
  if (q.email !== null && q.email === p.email) q.email = null;
  const a = toRecord(rng, `${i}a`, p, { nameStyle: baseNameStyle(rng) });
  const b = toRecord(rng, `${i}b`, q, { nameStyle: baseNameStyle(rng) });
  return { a, b, duplicate: false, kind, variations: [] };
}

// ADF/XML (Auto-lead Data Format) → LeadInput, one per <prospect>. Tolerant (see xml-tree.ts): what can
// be understood is read, the rest is reported as a problem with the prospect index and element path.
//
// Decisions:
// - Every <prospect> yields a lead, so leads[i] is prospect i. A field that cannot be read is left out
//   and reported; a prospect without any contact is still returned and the intake rejects it (422).
// - Phone: the first `phone` (fax excluded) that is a Chinese mobile, as +86…; other numbers go to the
//   comments, so a landline is not lost.
// - preferredStoreCode: vendor/id, else vendorname, but only when it looks like a store code
//   (2–32 letters, digits, _ or -). A vendor name such as "上海浦东4S店" goes to the comments instead.
// - campaign: provider name and service ("汽车之家 / 询底价").
// - budget: the price of the vehicle of interest when it is in yuan (no currency, CNY or RMB).
// - financing: vehicle/finance/method finance|lease, or interest "lease".
import type { IntakeProblem, LeadInput } from '@forecourt/contracts';
import { type LeadDraft, cleanText, finishLead, fold, mobileOrNull, parseDateTime, parseYuan } from './values.js';
import { type XmlElement, allText, findAll, findFirst, ownText, readXml } from './xml-tree.js';

const SECTIONS = new Set(['prospect', 'vehicle', 'customer', 'vendor', 'provider']);
const IN_PROSPECT = new Set(['prospect']);
const STORE_CODE = /^[A-Za-z0-9_-]{2,32}$/;
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Where a LeadInput field comes from in ADF, for problems found when the lead is validated. */
const ELEMENT_OF: Record<string, string> = {
  externalId: 'prospect/id',
  requestedAt: 'prospect/requestdate',
  'customer.name': 'prospect/customer/contact/name',
  'customer.email': 'prospect/customer/contact/email',
  'customer.phone': 'prospect/customer/contact/phone',
  'customer.city': 'prospect/customer/contact/address/city',
  'customer.province': 'prospect/customer/contact/address/regioncode',
  'customer.address': 'prospect/customer/contact/address/street',
  timeframe: 'prospect/customer/timeframe',
  comments: 'prospect/customer/comments',
  'vehicle.brand': 'prospect/vehicle/make',
  'vehicle.model': 'prospect/vehicle/model',
  'vehicle.trim': 'prospect/vehicle/trim',
  'vehicle.year': 'prospect/vehicle/year',
  'vehicle.vin': 'prospect/vehicle/vin',
  'budget.max': 'prospect/vehicle/price',
  preferredStoreCode: 'prospect/vendor',
  campaign: 'prospect/provider',
};

/** Drafts fields of one prospect and collects its problems. */
class ProspectReader {
  readonly draft: LeadDraft = { customer: {} };
  private readonly comments: string[] = [];

  constructor(
    private readonly index: number,
    private readonly problems: IntakeProblem[],
  ) {}

  problem(path: string, message: string) {
    this.problems.push({ index: this.index, path, message });
  }

  comment(line: string | null) {
    if (line) this.comments.push(line);
  }

  finish(): LeadInput {
    if (this.comments.length > 0) this.draft.comments = this.comments.join('\n');
    return finishLead(this.draft, this.index, (field) => ELEMENT_OF[field] ?? `prospect (${field})`, this.problems);
  }
}

export function parseAdf(xml: string): { leads: LeadInput[]; problems: IntakeProblem[] } {
  const problems: IntakeProblem[] = [];
  const root = readXml(xml);
  let prospects = findAll(root, 'prospect');
  if (prospects.length === 0) {
    // No <prospect>, but the parts of one: read the document as one prospect.
    const parts = ['customer', 'vehicle', 'contact'].some((name) => findFirst(root, name));
    if (!parts) {
      const sawXml = findFirst(root, 'adf') !== undefined;
      problems.push({
        index: 0,
        path: sawXml ? 'adf' : '',
        message: sawXml ? 'the ADF document holds no <prospect>' : 'no ADF found: the body holds no <prospect> element (is it XML?)',
      });
      return { leads: [], problems };
    }
    problems.push({ index: 0, path: 'prospect', message: 'there is no <prospect> element; the document was read as one prospect' });
    prospects = [root];
  }
  const leads = prospects.map((prospect, index) => readProspect(prospect, new ProspectReader(index, problems)));
  return { leads, problems };
}

function readProspect(p: XmlElement, r: ProspectReader): LeadInput {
  const d = r.draft;

  const id = findAll(p, 'id', SECTIONS).find((el) => cleanText(ownText(el)));
  if (id) {
    const value = cleanText(ownText(id)) ?? '';
    const source = cleanText(id.attrs['source']);
    d.externalId = source ? `${source}:${value}` : value;
  }

  const requestDate = findFirst(p, 'requestdate', SECTIONS);
  const requested = cleanText(requestDate && ownText(requestDate));
  if (requested) {
    const at = parseDateTime(requested);
    if ('value' in at) d.requestedAt = at.value;
    else r.problem('prospect/requestdate', `"${requested}" ${at.error}`);
  }

  const customer = findFirst(p, 'customer', IN_PROSPECT);
  if (customer) readCustomer(customer, r);
  readVehicles(findAll(p, 'vehicle', IN_PROSPECT), r);
  const vendor = findFirst(p, 'vendor', IN_PROSPECT);
  if (vendor) readVendor(vendor, r);
  const provider = findFirst(p, 'provider', IN_PROSPECT);
  if (provider) readProvider(provider, r);
  return r.finish();
}

function text(el: XmlElement | undefined): string | null {
  return el ? cleanText(ownText(el)) : null;
}

function readCustomer(c: XmlElement, r: ProspectReader) {
  const d = r.draft;
  const name = readName(findAll(c, 'name', SECTIONS));
  if (name) d.customer.name = name;
  // Customer comments come first in the lead's comments, vehicle comments after them.
  for (const comments of findAll(c, 'comments', SECTIONS)) r.comment(cleanText(allText(comments)));

  const email = findAll(c, 'email', SECTIONS)
    .map(text)
    .find((v) => v !== null);
  if (email) {
    const folded = fold(email).replace(/^mailto:/i, '');
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(folded)) d.customer.email = folded.toLowerCase();
    else r.problem('prospect/customer/contact/email', `"${email}" is not an email address`);
  }

  const others: string[] = [];
  for (const phone of findAll(c, 'phone', SECTIONS)) {
    const value = text(phone);
    const type = (phone.attrs['type'] ?? '').toLowerCase();
    if (!value || type === 'fax' || type === 'pager') continue;
    const mobile = mobileOrNull(value);
    if (mobile && !d.customer.phone) d.customer.phone = mobile;
    else if (!mobile) others.push(value);
  }
  if (others.length > 0) {
    r.comment(`其他电话 Other phone: ${others.join(', ')}`);
    if (!d.customer.phone) {
      r.problem('prospect/customer/contact/phone', `"${others[0]}" is not a Chinese mobile number; it was kept in the comments`);
    }
  }

  const address = findFirst(c, 'address', SECTIONS);
  if (address) {
    const city = text(findFirst(address, 'city'));
    const region = text(findFirst(address, 'regioncode'));
    if (city) d.customer.city = city;
    if (region) d.customer.province = PROVINCES[region.toUpperCase()] ?? region;
    const lines = [...findAll(address, 'street'), ...findAll(address, 'apartment')].map(text).filter((v): v is string => v !== null);
    if (lines.length > 0) d.customer.address = lines.join(lines.some((l) => CJK.test(l)) ? '' : ', ');
  }

  const timeframe = findFirst(c, 'timeframe', SECTIONS);
  if (timeframe) {
    const description = text(findFirst(timeframe, 'description'));
    const earliest = text(findFirst(timeframe, 'earliestdate'))?.slice(0, 10);
    const latest = text(findFirst(timeframe, 'latestdate'))?.slice(0, 10);
    const range = earliest && latest ? `${earliest} – ${latest}` : earliest ? `from ${earliest}` : latest ? `by ${latest}` : null;
    const value = description ?? range ?? text(timeframe);
    if (value) d.timeframe = value.length > 100 ? `${value.slice(0, 99)}…` : value;
  }
}

/** first/last/full parts (ADF's default part is full); a Chinese name is family name + given name, no space. */
function readName(names: XmlElement[]): string | null {
  const parts: Record<string, string> = {};
  for (const el of names) {
    const part = (el.attrs['part'] ?? 'full').toLowerCase();
    const value = text(el);
    if (value && !(part in parts)) parts[part] = value;
  }
  if (parts['full']) return parts['full'];
  const { first, middle, last } = parts;
  const pieces = [first, middle, last].filter((v): v is string => !!v);
  if (pieces.length === 0) return null;
  if (pieces.some((v) => CJK.test(v))) return [last, first].filter(Boolean).join('');
  return pieces.join(' ');
}

const INTERESTS = new Set(['buy', 'lease', 'sell', 'trade-in', 'test-drive']);

function readVehicles(vehicles: XmlElement[], r: ProspectReader) {
  const d = r.draft;
  let chosen = false;
  vehicles.forEach((v, i) => {
    const path = `prospect/vehicle[${i}]`;
    const rawInterest = (v.attrs['interest'] ?? 'buy').toLowerCase().replace(/[\s_]+/g, '-');
    const interest = rawInterest === 'tradein' ? 'trade-in' : rawInterest === 'testdrive' ? 'test-drive' : rawInterest;
    if (!INTERESTS.has(interest))
      r.problem(
        `${path}/@interest`,
        `interest "${v.attrs['interest'] ?? ''}" is not buy, lease, sell, trade-in or test-drive; read as buy`,
      );
    const status = (v.attrs['status'] ?? 'new').toLowerCase();
    if (status !== 'new' && status !== 'used')
      r.problem(`${path}/@status`, `status "${v.attrs['status'] ?? ''}" is neither new nor used; read as new`);

    const field = (name: string) => text(findFirst(v, name, SECTIONS));
    const year = field('year');
    const make = field('make');
    const model = field('model');
    const trim = field('trim');
    const vin = field('vin');
    const comments = findAll(v, 'comments', SECTIONS)
      .map((el) => cleanText(allText(el)))
      .filter((t): t is string => t !== null);

    if (interest === 'trade-in' || interest === 'sell') {
      if (interest === 'trade-in') d.tradeIn = true;
      const what = [year, make, model, trim].filter(Boolean).join(' ');
      const label = interest === 'trade-in' ? '置换车辆 Trade-in' : '出售车辆 Selling';
      r.comment(`${label}: ${what || '(no details)'}${vin ? ` VIN ${vin}` : ''}${comments.length ? ` – ${comments.join(' ')}` : ''}`);
      return;
    }
    if (chosen) {
      r.comment(`另一意向车型 Also interested in: ${[year, make, model, trim].filter(Boolean).join(' ') || '(no details)'}`);
      for (const c of comments) r.comment(c);
      return;
    }
    chosen = true;
    const vehicle: NonNullable<LeadDraft['vehicle']> = { condition: status === 'used' ? 'used' : 'new' };
    if (make) vehicle.brand = make;
    if (model) vehicle.model = model;
    if (trim) vehicle.trim = trim;
    if (year) {
      const y = /^(\d{4})/.exec(fold(year));
      if (y) vehicle.year = Number(y[1]);
      else r.problem(`${path}/year`, `"${year}" is not a year`);
    }
    if (vin) {
      const clean = fold(vin).replace(/[\s-]/g, '').toUpperCase();
      if (/^[A-HJ-NPR-Z0-9]{17}$/.test(clean)) vehicle.vin = clean;
      else r.problem(`${path}/vin`, `"${vin}" is not a VIN (17 letters and digits, no I, O or Q)`);
    }
    d.vehicle = vehicle;
    if (interest === 'lease') d.financing = true;
    if (interest === 'test-drive') r.comment('预约试驾 Test drive requested');

    const method = field('method'); // vehicle/finance/method
    if (method) {
      const m = method.toLowerCase();
      if (m === 'finance' || m === 'lease') d.financing = true;
      else if (m === 'cash') d.financing = false;
    }
    const stock = field('stock');
    if (stock) r.comment(`库存号 Stock: ${stock}`);

    const price = findFirst(v, 'price', SECTIONS);
    const priceText = text(price);
    if (price && priceText) {
      const currency = (price.attrs['currency'] ?? '').toUpperCase();
      const amount = parseYuan(priceText);
      if (currency !== '' && currency !== 'CNY' && currency !== 'RMB') {
        r.problem(`${path}/price`, `price ${priceText} is in ${currency}, not yuan; it was kept in the comments`);
        r.comment(`价格 Price: ${priceText} ${currency}`);
      } else if ('error' in amount) {
        r.problem(`${path}/price`, `"${priceText}" ${amount.error}`);
      } else {
        d.budget = { max: amount.value };
      }
    }
    for (const c of comments) r.comment(c);
  });
}

function readVendor(v: XmlElement, r: ProspectReader) {
  const id = text(findFirst(v, 'id', SECTIONS));
  const name = text(findFirst(v, 'vendorname', SECTIONS));
  const code = [id, name].find((x): x is string => !!x && STORE_CODE.test(x));
  if (code) r.draft.preferredStoreCode = code;
  if (name && name !== code) r.comment(`意向门店 Preferred store: ${name}`);
}

function readProvider(p: XmlElement, r: ProspectReader) {
  // The provider's own <name>, not that of its <contact> person.
  const own = p.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === 'name');
  const name = readName(own.length > 0 ? own : findAll(p, 'name', SECTIONS));
  const service = text(findFirst(p, 'service', SECTIONS));
  const campaign = [name, service].filter(Boolean).join(' / ');
  if (campaign) r.draft.campaign = campaign.length > 200 ? campaign.slice(0, 200) : campaign;
}

/** Two-letter province codes (GB/T 2260 abbreviations as ADF regioncode) → province names. */
const PROVINCES: Record<string, string> = {
  BJ: '北京市',
  TJ: '天津市',
  HE: '河北省',
  SX: '山西省',
  NM: '内蒙古自治区',
  LN: '辽宁省',
  JL: '吉林省',
  HL: '黑龙江省',
  SH: '上海市',
  JS: '江苏省',
  ZJ: '浙江省',
  AH: '安徽省',
  FJ: '福建省',
  JX: '江西省',
  SD: '山东省',
  HA: '河南省',
  HB: '湖北省',
  HN: '湖南省',
  GD: '广东省',
  GX: '广西壮族自治区',
  HI: '海南省',
  CQ: '重庆市',
  SC: '四川省',
  GZ: '贵州省',
  YN: '云南省',
  XZ: '西藏自治区',
  SN: '陕西省',
  GS: '甘肃省',
  QH: '青海省',
  NX: '宁夏回族自治区',
  XJ: '新疆维吾尔自治区',
  HK: '香港特别行政区',
  MO: '澳门特别行政区',
  TW: '台湾省',
};

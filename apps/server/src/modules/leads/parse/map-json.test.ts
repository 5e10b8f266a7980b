import type { LeadFieldMapping } from '@forecourt/contracts';
import { LeadFieldMapping as LeadFieldMappingSchema } from '@forecourt/contracts';
import { describe, expect, it } from 'vitest';
import { getPath, mapJsonLeads } from './map-json.js';

// An 汽车之家-like clue list. The shape is invented (plausible, not the platform's documented API):
// a wrapper with code/message, the leads under data.list, Chinese yes/no and money in 万.
const AUTOHOME_BODY = {
  code: 0,
  message: 'success',
  data: {
    total: 3,
    list: [
      {
        clueId: 88123401,
        userName: '王先生',
        mobile: '138 0013 8000',
        provinceName: '广东省',
        cityName: '深圳市',
        brandName: '比亚迪',
        seriesName: '海豹',
        specName: '2025款 650km 四驱性能版',
        budget: '20-25万',
        buyTime: '3个月内',
        isReplace: '是',
        isLoan: '否',
        dealerCode: 'SZ-FT-01',
        createTime: '2026-11-24 09:30:12',
        remark: '希望周末试驾',
        activityName: '双11询底价',
        clueCost: '238.5',
      },
      {
        clueId: 88123402,
        userName: '周女士',
        mobile: '1380013', // too short: not a mobile
        cityName: '广州市',
        brandName: '比亚迪',
        seriesName: '汉',
        budget: '25.5万',
        isReplace: '0',
        createTime: '2026-13-40 10:00:00',
        activityName: '双11询底价',
      },
      'garbage',
    ],
  },
};

const AUTOHOME_MAPPING: LeadFieldMapping = {
  records: 'data.list',
  fields: {
    externalId: 'clueId',
    'customer.name': 'userName',
    'customer.phone': 'mobile',
    'customer.province': 'provinceName',
    'customer.city': 'cityName',
    'vehicle.brand': 'brandName',
    'vehicle.series': 'seriesName',
    'vehicle.model': 'specName',
    budget: 'budget',
    timeframe: 'buyTime',
    tradeIn: 'isReplace',
    financing: 'isLoan',
    preferredStoreCode: 'dealerCode',
    requestedAt: 'createTime',
    comments: 'remark',
    campaign: 'activityName',
    cost: 'clueCost',
  },
};

// A 懂车帝-like push of one lead. Also an invented shape: nested user and intent objects, gender and
// new/used as numeric codes, the budget as numbers in 万, the time as epoch seconds, phones in a list.
const DONGCHEDI_BODY = {
  clue_id: '7301234567890123',
  user: { name: '李娜', gender: 2, city_name: '北京' },
  clues: [{ phone: '+86 139 1234 5670' }, { phone: '13800138000' }],
  intent: { car_brand: '理想', car_series: 'L6', car_type: 1, year: '2026款' },
  budget_range: { min: 25, max: 30 },
  trade_in: 1,
  loan: true,
  urgent: 'Y',
  create_time: 1_795_533_000, // 2026-11-24T15:10:00Z
  remarks: ['想要灰色', '周六下午'],
};

const DONGCHEDI_MAPPING: LeadFieldMapping = {
  fields: {
    externalId: 'clue_id',
    'customer.name': 'user.name',
    'customer.gender': 'user.gender',
    'customer.city': 'user.city_name',
    'customer.phone': 'clues[0].phone',
    'vehicle.brand': 'intent.car_brand',
    'vehicle.series': 'intent.car_series',
    'vehicle.condition': 'intent.car_type',
    'vehicle.year': 'intent.year',
    'budget.min': 'budget_range.min',
    'budget.max': 'budget_range.max',
    tradeIn: 'trade_in',
    financing: 'loan',
    priority: 'urgent',
    requestedAt: 'create_time',
    comments: 'remarks',
  },
  values: { condition: { '1': 'new', '2': 'used' }, priority: { y: 'high', n: 'normal' } },
  budgetUnit: 'wan',
};

describe('mapJsonLeads', () => {
  it('when an 汽车之家-like list arrives, then each record maps with money, yes/no and local times coerced', () => {
    const { leads, problems } = mapJsonLeads(AUTOHOME_BODY, AUTOHOME_MAPPING);
    expect(leads).toHaveLength(3);
    expect(leads[0]).toEqual({
      externalId: '88123401',
      customer: { name: '王先生', phone: '+8613800138000', province: '广东省', city: '深圳市' },
      vehicle: { brand: '比亚迪', series: '海豹', model: '2025款 650km 四驱性能版', condition: 'new' },
      budget: { min: 200_000, max: 250_000 },
      timeframe: '3个月内',
      tradeIn: true,
      financing: false,
      preferredStoreCode: 'SZ-FT-01',
      requestedAt: '2026-11-24T01:30:12.000Z',
      comments: '希望周末试驾',
      campaign: '双11询底价',
      cost: 238.5,
      priority: 'normal',
    });
    expect(problems.filter((p) => p.index === 0)).toEqual([]);
  });

  it('when a record has values that cannot be read, then only those fields are left out and named with the record index', () => {
    const { leads, problems } = mapJsonLeads(AUTOHOME_BODY, AUTOHOME_MAPPING);
    expect(leads[1]).toMatchObject({
      externalId: '88123402',
      customer: { name: '周女士', city: '广州市' },
      budget: { min: 255_000, max: 255_000 },
      tradeIn: false,
    });
    expect(leads[1]?.customer.phone).toBeUndefined();
    expect(leads[1]?.requestedAt).toBeUndefined();
    expect(problems.filter((p) => p.index === 1)).toEqual([
      { index: 1, path: 'customer.phone', message: '"1380013" at "mobile" is not a Chinese mobile number (11 digits starting 13–19)' },
      { index: 1, path: 'requestedAt', message: expect.stringMatching(/^"2026-13-40 10:00:00" at "createTime" is not a real date/) },
    ]);
  });

  it('when a record is not an object, then it yields an empty lead and a problem, and the other records keep their index', () => {
    const { leads, problems } = mapJsonLeads(AUTOHOME_BODY, AUTOHOME_MAPPING);
    expect(leads[2]).toEqual({ customer: {}, vehicle: { condition: 'new' }, priority: 'normal' });
    expect(problems.filter((p) => p.index === 2)).toEqual([{ index: 2, path: '', message: 'record 2 is not an object' }]);
  });

  it('when a 懂车帝-like single lead arrives, then codes, 万 budgets, epoch seconds and array paths are mapped', () => {
    const { leads, problems } = mapJsonLeads(DONGCHEDI_BODY, DONGCHEDI_MAPPING);
    expect(problems).toEqual([]);
    expect(leads).toEqual([
      {
        externalId: '7301234567890123',
        customer: { name: '李娜', gender: 'female', city: '北京', phone: '+8613912345670' },
        vehicle: { brand: '理想', series: 'L6', condition: 'new', year: 2026 },
        budget: { min: 250_000, max: 300_000 },
        tradeIn: true,
        financing: true,
        priority: 'high',
        requestedAt: '2026-11-24T15:10:00.000Z',
        comments: '想要灰色\n周六下午',
      },
    ]);
  });

  it('when the body is an array and no records path is set, then each element is a record', () => {
    const { leads } = mapJsonLeads(
      [
        { id: 'a', phone: '13800138001', t: 1_795_533_000_000 },
        { id: 'b', phone: '13800138002', t: '2026-11-24T10:00:00+08:00' },
      ],
      { fields: { externalId: 'id', 'customer.phone': 'phone', requestedAt: 't' } },
    );
    expect(leads.map((l) => [l.externalId, l.customer.phone, l.requestedAt])).toEqual([
      ['a', '+8613800138001', '2026-11-24T15:10:00.000Z'],
      ['b', '+8613800138002', '2026-11-24T02:00:00.000Z'],
    ]);
  });

  it('when the records path finds nothing, then no leads and one problem naming the path', () => {
    expect(mapJsonLeads({ code: 500, data: null }, AUTOHOME_MAPPING)).toEqual({
      leads: [],
      problems: [{ index: 0, path: 'records', message: 'the body holds no list of leads at "data.list"' }],
    });
  });

  it('when budgets are written in the usual Chinese ways, then they become yuan', () => {
    const budgetOf = (budget: unknown, budgetUnit?: 'yuan' | 'wan') =>
      mapJsonLeads({ budget }, { fields: { budget: 'budget' }, budgetUnit }).leads[0]?.budget;
    expect(budgetOf('10-15万')).toEqual({ min: 100_000, max: 150_000 });
    expect(budgetOf('10万~15万')).toEqual({ min: 100_000, max: 150_000 });
    expect(budgetOf('15万以内')).toEqual({ max: 150_000 });
    expect(budgetOf('30万以上')).toEqual({ min: 300_000 });
    expect(budgetOf('¥255,000')).toEqual({ min: 255_000, max: 255_000 });
    expect(budgetOf('１８.５W')).toEqual({ min: 185_000, max: 185_000 });
    expect(budgetOf(18, 'wan')).toEqual({ min: 180_000, max: 180_000 });
    expect(budgetOf('18', 'wan')).toEqual({ min: 180_000, max: 180_000 });
    expect(budgetOf(180_000)).toEqual({ min: 180_000, max: 180_000 });
    const bad = mapJsonLeads({ budget: '面议' }, { fields: { budget: 'budget' } });
    expect(bad.leads[0]?.budget).toBeUndefined();
    expect(bad.problems).toEqual([{ index: 0, path: 'budget', message: expect.stringContaining('is not a budget') }]);
  });

  it('when yes/no is written as 是/否, 1/0 or true/false, then it is a boolean; other words are a problem', () => {
    const tradeInOf = (v: unknown) => mapJsonLeads({ v, phone: '13800138000' }, { fields: { tradeIn: 'v' } });
    for (const yes of ['是', '1', 1, 'true', true, 'YES']) expect(tradeInOf(yes).leads[0]?.tradeIn, String(yes)).toBe(true);
    for (const no of ['否', '0', 0, 'false', false, 'no']) expect(tradeInOf(no).leads[0]?.tradeIn, String(no)).toBe(false);
    expect(tradeInOf('maybe').problems).toEqual([{ index: 0, path: 'tradeIn', message: expect.stringContaining('is not yes or no') }]);
  });

  it('when a coerced value is still rejected by LeadInput, then that field is left out and reported', () => {
    const { leads, problems } = mapJsonLeads(
      { n: '很'.repeat(120), p: '13800138000', c: 200_000 },
      { fields: { 'customer.name': 'n', 'customer.phone': 'p', cost: 'c' } },
    );
    expect(leads[0]?.customer).toEqual({ phone: '+8613800138000' });
    expect(leads[0]?.cost).toBeUndefined();
    expect(problems.map((p) => p.path).sort()).toEqual(['cost', 'customer.name']);
  });

  it('when a mapping is saved, then paths are checked by the contract schema', () => {
    expect(LeadFieldMappingSchema.safeParse(AUTOHOME_MAPPING).success).toBe(true);
    expect(LeadFieldMappingSchema.safeParse(DONGCHEDI_MAPPING).success).toBe(true);
    expect(LeadFieldMappingSchema.safeParse({ fields: { 'customer.phone': 'user..mobile' } }).success).toBe(false);
    expect(LeadFieldMappingSchema.safeParse({ fields: { 'customer.shoeSize': 'x' } }).success).toBe(false);
  });
});

describe('getPath', () => {
  it('when a path has keys and indexes, then it walks both; a missing step is undefined', () => {
    const body = { data: { list: [{ clues: [{ phone: '1' }] }] } };
    expect(getPath(body, 'data.list[0].clues[0].phone')).toBe('1');
    expect(getPath([{ id: 7 }], '[0].id')).toBe(7);
    expect(getPath(body, 'data.list[1].clues')).toBeUndefined();
    expect(getPath(body, 'data.list.clues')).toBeUndefined();
  });
});

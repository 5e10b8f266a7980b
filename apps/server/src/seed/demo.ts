import type { Role } from '@forecourt/contracts';
import { eq } from 'drizzle-orm';
import { blindIndex, encrypt, hashPassword, type Keys } from '../platform/crypto.js';
import type { Database } from '../platform/db.js';
import { uuidv7 } from '../platform/ids.js';
import { orgUnits, tenants, users } from '../modules/org/schema.js';
import { seededRandom, type Random } from './random.js';

export const DEMO_TENANT = 'demo';
export const DEMO_PASSWORD = 'Forecourt2026';

const WEEK_9_TO_18 = [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, open: '09:00', close: '18:00' }));

const REGIONS = [
  { code: 'EAST', zh: '华东大区', en: 'East China', province: '上海市', city: '上海市' },
  { code: 'SOUTH', zh: '华南大区', en: 'South China', province: '广东省', city: '广州市' },
  { code: 'NORTH', zh: '华北大区', en: 'North China', province: '北京市', city: '北京市' },
] as const;

const GROUPS = [
  { code: 'ORIENTAL', region: 'EAST', zh: '东方汽车集团', en: 'Oriental Auto Group', province: '上海市', city: '上海市' },
  { code: 'NANYUE', region: 'SOUTH', zh: '南粤汽车集团', en: 'Nanyue Auto Group', province: '广东省', city: '广州市' },
] as const;

/** 12 stores in real cities; `parent` is a region or dealer-group code. */
export const DEMO_STORES = [
  {
    code: 'SHA01',
    parent: 'ORIENTAL',
    zh: '上海浦东店',
    en: 'Shanghai Pudong',
    province: '上海市',
    city: '上海市',
    address: '浦东新区张杨路 1500 号',
  },
  {
    code: 'HGH01',
    parent: 'ORIENTAL',
    zh: '杭州滨江店',
    en: 'Hangzhou Binjiang',
    province: '浙江省',
    city: '杭州市',
    address: '滨江区江南大道 588 号',
  },
  {
    code: 'NKG01',
    parent: 'EAST',
    zh: '南京河西店',
    en: 'Nanjing Hexi',
    province: '江苏省',
    city: '南京市',
    address: '建邺区江东中路 201 号',
  },
  {
    code: 'SZV01',
    parent: 'EAST',
    zh: '苏州园区店',
    en: 'Suzhou Industrial Park',
    province: '江苏省',
    city: '苏州市',
    address: '工业园区星湖街 328 号',
  },
  {
    code: 'CAN01',
    parent: 'NANYUE',
    zh: '广州天河店',
    en: 'Guangzhou Tianhe',
    province: '广东省',
    city: '广州市',
    address: '天河区黄埔大道西 638 号',
  },
  {
    code: 'SZX01',
    parent: 'NANYUE',
    zh: '深圳南山店',
    en: 'Shenzhen Nanshan',
    province: '广东省',
    city: '深圳市',
    address: '南山区深南大道 9668 号',
  },
  {
    code: 'XMN01',
    parent: 'SOUTH',
    zh: '厦门思明店',
    en: 'Xiamen Siming',
    province: '福建省',
    city: '厦门市',
    address: '思明区湖滨南路 88 号',
  },
  {
    code: 'CSX01',
    parent: 'SOUTH',
    zh: '长沙岳麓店',
    en: 'Changsha Yuelu',
    province: '湖南省',
    city: '长沙市',
    address: '岳麓区枫林三路 1099 号',
  },
  {
    code: 'PEK01',
    parent: 'NORTH',
    zh: '北京朝阳店',
    en: 'Beijing Chaoyang',
    province: '北京市',
    city: '北京市',
    address: '朝阳区北四环东路 136 号',
  },
  {
    code: 'TSN01',
    parent: 'NORTH',
    zh: '天津河西店',
    en: 'Tianjin Hexi',
    province: '天津市',
    city: '天津市',
    address: '河西区友谊路 35 号',
  },
  {
    code: 'TAO01',
    parent: 'NORTH',
    zh: '青岛市南店',
    en: 'Qingdao Shinan',
    province: '山东省',
    city: '青岛市',
    address: '市南区香港中路 76 号',
  },
  {
    code: 'SJW01',
    parent: 'NORTH',
    zh: '石家庄长安店',
    en: 'Shijiazhuang Chang’an',
    province: '河北省',
    city: '石家庄市',
    address: '长安区中山东路 508 号',
  },
] as const;

/** Also used for demo customers (demo-leads.ts). */
export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
];
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '晨',
  '浩然',
  '子涵',
  '雨欣',
  '俊杰',
  '思远',
];

function chineseName(rng: Random) {
  return rng.pick(SURNAMES) + rng.pick(GIVEN);
}

function mobile(rng: Random) {
  const second = rng.pick(['3', '5', '7', '8', '9']);
  return `+861${second}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
}

export interface DemoLogin {
  login: string;
  role: Role;
  unit: string;
}

/** The seeded tenant's headline logins, printed at start. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  { login: 'admin', role: 'oem_admin', unit: '总部 HQ' },
  { login: 'analyst', role: 'analyst', unit: '总部 HQ' },
  { login: 'east.manager', role: 'regional_manager', unit: '华东大区 EAST' },
  { login: 'oriental.admin', role: 'group_admin', unit: '东方汽车集团 ORIENTAL' },
  { login: 'sha01.manager', role: 'store_manager', unit: '上海浦东店 SHA01' },
  { login: 'sha01.sales1', role: 'consultant', unit: '上海浦东店 SHA01' },
  { login: 'sha01.dcc', role: 'dcc_agent', unit: '上海浦东店 SHA01' },
];

/**
 * A fictional OEM (星驰汽车 Xingchi Motors) with 3 regions, 2 dealer groups, 12 stores, a team per
 * store and 81 users covering every role. Does nothing when the demo tenant already exists.
 */
export async function seedDemo(
  database: Database,
  keys: Keys,
): Promise<{ created: boolean; tenantId: string; users: number; units: number }> {
  const db = database.db;
  const [existing] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.code, DEMO_TENANT));
  if (existing) return { created: false, tenantId: existing.id, users: 0, units: 0 };

  const rng = seededRandom(20261122);
  // One hash for all demo users: they share the demo password, and 81 scrypt runs would slow every test.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const tenantId = uuidv7();
  const unitRows: (typeof orgUnits.$inferInsert)[] = [];
  const userRows: (typeof users.$inferInsert)[] = [];
  const byCode = new Map<string, { id: string; path: string }>();

  const addUnit = (u: Omit<typeof orgUnits.$inferInsert, 'tenantId' | 'id' | 'path' | 'parentId'> & { parent?: string }) => {
    const id = uuidv7();
    const parent = u.parent ? byCode.get(u.parent) : undefined;
    const path = `${parent?.path ?? '/'}${id}/`;
    const { parent: _p, ...rest } = u;
    unitRows.push({ ...rest, tenantId, id, parentId: parent?.id ?? null, path, businessHours: rest.businessHours ?? WEEK_9_TO_18 });
    byCode.set(u.code, { id, path });
    return id;
  };
  const addUser = (login: string, role: Role, unitCode: string, displayName = chineseName(rng)) => {
    const phone = mobile(rng);
    userRows.push({
      tenantId,
      id: uuidv7(),
      login,
      displayName,
      role,
      orgUnitId: byCode.get(unitCode)!.id,
      phoneEnc: encrypt(keys, phone),
      phoneIndex: blindIndex(keys, 'phone', phone),
      passwordHash,
      onDuty: rng.next() > 0.15,
    });
  };

  addUnit({
    type: 'hq',
    code: 'HQ',
    nameZh: '星驰汽车总部',
    nameEn: 'Xingchi Motors HQ',
    province: '上海市',
    city: '上海市',
    address: '嘉定区安亭镇墨玉南路 888 号',
  });
  addUnit({ type: 'team', code: 'HQ-DIGITAL', parent: 'HQ', nameZh: '数字化运营部', nameEn: 'Digital Operations' });
  for (const r of REGIONS) addUnit({ type: 'region', code: r.code, nameZh: r.zh, nameEn: r.en, province: r.province, city: r.city });
  for (const g of GROUPS)
    addUnit({ type: 'dealer_group', code: g.code, parent: g.region, nameZh: g.zh, nameEn: g.en, province: g.province, city: g.city });
  for (const s of DEMO_STORES) {
    addUnit({
      type: 'store',
      code: s.code,
      parent: s.parent,
      nameZh: s.zh,
      nameEn: s.en,
      province: s.province,
      city: s.city,
      address: s.address,
    });
    addUnit({
      type: 'team',
      code: `${s.code}-T1`,
      parent: s.code,
      nameZh: '销售一组',
      nameEn: 'Sales team 1',
      province: s.province,
      city: s.city,
    });
  }

  addUser('admin', 'oem_admin', 'HQ', '系统管理员');
  addUser('platform', 'platform_admin', 'HQ', '平台管理员');
  addUser('analyst', 'analyst', 'HQ-DIGITAL');
  addUser('ops', 'oem_admin', 'HQ-DIGITAL');
  for (const r of REGIONS) addUser(`${r.code.toLowerCase()}.manager`, 'regional_manager', r.code);
  for (const g of GROUPS) addUser(`${g.code.toLowerCase()}.admin`, 'group_admin', g.code);
  for (const s of DEMO_STORES) {
    const p = s.code.toLowerCase();
    addUser(`${p}.manager`, 'store_manager', s.code);
    for (let i = 1; i <= 3; i += 1) addUser(`${p}.sales${i}`, 'consultant', `${s.code}-T1`);
    addUser(`${p}.dcc`, 'dcc_agent', s.code);
    addUser(`${p}.service`, 'service_advisor', s.code);
  }

  await db.transaction(async (tx) => {
    await tx.insert(tenants).values({ id: tenantId, code: DEMO_TENANT, name: '星驰汽车 Xingchi Motors', timeZone: 'Asia/Shanghai' });
    await tx.insert(orgUnits).values(unitRows);
    await tx.insert(users).values(userRows);
  });
  return { created: true, tenantId, users: userRows.length, units: unitRows.length };
}

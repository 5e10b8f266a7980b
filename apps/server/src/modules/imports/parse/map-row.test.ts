import { describe, expect, it } from 'vitest';
import { mapRow, type ImportRecord, type MapRowResult, type RowError } from './map-row.js';
import { ImportMapping, type MappingColumn } from './mapping.js';

const mappingOf = (...columns: MappingColumn[]) => ImportMapping.parse({ columns });

/** A mapping with phone in column 0 and `field` in column 1. */
const withPhone = (field: MappingColumn['field'], extra: Partial<MappingColumn> = {}) =>
  mappingOf({ index: 0, field: 'phone' }, { index: 1, field, ...extra });

function record(result: MapRowResult): ImportRecord {
  if (result.ok !== true) throw new Error(`expected a record, got ${JSON.stringify(result)}`);
  return result.record;
}

function errorsOf(result: MapRowResult): RowError[] {
  if (result.ok !== false) throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
}

const PHONE = '13912340101';

describe('mapping one row', () => {
  const full = mappingOf(
    { index: 0, field: 'name' },
    { index: 1, field: 'phone' },
    { index: 2, field: 'email' },
    { index: 3, field: 'gender' },
    { index: 4, field: 'birthday' },
    { index: 5, field: 'city' },
    { index: 6, field: 'vehicle_of_interest' },
    { index: 7, field: 'budget' },
    { index: 8, field: 'tags' },
    { index: 9, field: 'consent:marketing:sms' },
    { index: 10, field: 'wechat_openid', appId: 'wx42' },
    { index: 11, field: 'vin' },
    { index: 12, field: 'trait:preferred_store' },
    { index: 13, field: 'ignore' },
  );

  it('a complete row becomes a record with normalised identities, traits, tags and consents', () => {
    const cells = [
      '张  三',
      '138 0013 8001',
      'Zhang.San@QQ.com',
      '男',
      '1990/1/2',
      '杭州',
      '问界M7',
      '25万',
      'VIP，试驾、VIP',
      '是',
      'oAbC_123456789012345678901234',
      'lfv2a21k1a3012345',
      '西湖店',
      'whatever',
    ];
    const r = record(mapRow(cells, full, 2));
    expect(r).toEqual({
      identities: [
        { type: 'phone', value: '+8613800138001' },
        { type: 'wechat_openid', value: 'oAbC_123456789012345678901234', appId: 'wx42' },
        { type: 'email', value: 'zhang.san@qq.com' },
        { type: 'vin', value: 'LFV2A21K1A3012345' },
      ],
      traits: {
        name: '张三',
        gender: 'male',
        birthday: '1990-01-02',
        city: '杭州',
        vehicle_of_interest: '问界M7',
        budget: 25_000_000,
        preferred_store: '西湖店',
      },
      tags: ['VIP', '试驾'],
      consents: [{ purpose: 'marketing', channel: 'sms', granted: true }],
      fingerprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('a row with every cell empty (or blank, or shorter than the mapping) is skipped', () => {
    expect(mapRow([], full, 5)).toEqual({ ok: 'skip' });
    expect(mapRow(['', '  ', '\u3000', '\u200b'], full, 5)).toEqual({ ok: 'skip' });
  });

  it('a row without any identity says which columns could have given one', () => {
    const mapping = mappingOf({ index: 0, field: 'name' }, { index: 1, field: 'phone' }, { index: 2, field: 'email' });
    expect(mapRow(['王五', '', ''], mapping, 7)).toEqual({
      ok: false,
      line: 7,
      errors: [{ column: 1, field: 'phone', value: '', message: 'needs at least one of phone, email (all empty in this row)' }],
    });
  });

  it('a VIN alone does not identify a person', () => {
    const mapping = mappingOf({ index: 0, field: 'phone' }, { index: 1, field: 'vin' });
    expect(errorsOf(mapRow(['', 'LFV2A21K1A3012345'], mapping, 3))[0]?.message).toBe(
      'needs at least one of phone (all empty in this row); a VIN links a vehicle, not a person',
    );
  });

  it('an invalid mapping is a bug and throws', () => {
    expect(() => mapRow(['x'], { columns: [{ index: 0, field: 'name' }] }, 2)).toThrow();
  });
});

describe('phones', () => {
  const mapping = mappingOf({ index: 0, field: 'phone' }, { index: 1, field: 'phone' });
  const phones = (cells: string[]) => record(mapRow(cells, mapping, 2)).identities.map((i) => i.value);

  it('spaces, dashes, +86, 0086, full-width digits and Excel text wrappers are one number', () => {
    for (const cell of [
      '138 0013 8001',
      '+86-138-0013-8001',
      '008613800138001',
      '8613800138001',
      '１３８００１３８００１',
      '="13800138001"',
      "'13800138001",
    ]) {
      expect(phones([cell, '']), cell).toEqual(['+8613800138001']);
    }
  });

  it('two phones in one cell are two identities; the same phone in two columns is one', () => {
    expect(phones(['13800138001/139 1234 0101', '13800138001'])).toEqual(['+8613800138001', '+8613912340101']);
  });

  it('a number that is not a Chinese mobile is refused, masked, with the rule in the message', () => {
    expect(errorsOf(mapRow(['1381234', ''], mapping, 4))).toEqual([
      {
        column: 0,
        field: 'phone',
        value: '138****',
        message: 'phone: "138****" is not a Chinese mobile number (11 digits starting 13–19)',
      },
    ]);
    expect(errorsOf(mapRow(['021-62345678', ''], mapping, 4))[0]?.message).toMatch(/is not a Chinese mobile number/);
  });

  it('a 13-digit IoT card number is not a person', () => {
    expect(errorsOf(mapRow(['1440012345678', ''], mapping, 4))[0]?.message).toBe(
      'phone: "144******5678" is a 13-digit IoT card number, not a person’s mobile',
    );
  });

  it('a number Excel turned into 1.38123E+10 says how to fix the file', () => {
    expect(errorsOf(mapRow(['1.38123E+10', ''], mapping, 4))[0]?.message).toMatch(
      /shortened by Excel to scientific notation.*format the column as text/,
    );
  });

  it('repeated, sequential and example numbers are junk', () => {
    for (const junk of ['13800000000', '13888888888', '13912345678', '13987654321', '13800138000', '11111111111', '12345678901']) {
      const [error] = errorsOf(mapRow([junk, ''], mapping, 9));
      expect(error?.field, junk).toBe('phone');
      expect(error?.value, junk).toMatch(/^1\d\d\*\*\*\*\d{4}$/);
    }
    expect(errorsOf(mapRow(['13800000000', ''], mapping, 9))[0]?.message).toBe(
      'phone: "138****0000" is a placeholder (one digit repeated)',
    );
    expect(errorsOf(mapRow(['13912345678', ''], mapping, 9))[0]?.message).toBe(
      'phone: "139****5678" is a placeholder (a run of consecutive digits)',
    );
  });
});

describe('placeholders', () => {
  it("'null', 'undefined', '0', 'N/A', '无', '-' in an identity column are refused, shown as typed", () => {
    const mapping = mappingOf({ index: 0, field: 'phone' }, { index: 1, field: 'email' });
    for (const junk of ['null', 'undefined', '0', 'N/A', '无', '-', 'NULL', '#N/A']) {
      expect(errorsOf(mapRow([PHONE, junk], mapping, 3)), junk).toEqual([
        {
          column: 1,
          field: 'email',
          value: junk,
          message: `email: "${junk}" is a placeholder, not a real value; leave the cell empty when there is none`,
        },
      ]);
    }
  });

  it('in a trait, tag or consent column they just mean nothing to say', () => {
    const mapping = mappingOf(
      { index: 0, field: 'phone' },
      { index: 1, field: 'name' },
      { index: 2, field: 'city' },
      { index: 3, field: 'budget' },
      { index: 4, field: 'tags' },
      { index: 5, field: 'consent:service:phone' },
    );
    const r = record(mapRow([PHONE, '无', '-', '0', 'N/A', '-'], mapping, 3));
    expect(r).toMatchObject({ traits: {}, tags: [], consents: [] });
  });
});

describe('emails', () => {
  const mapping = withPhone('email');
  it('are trimmed and lower-cased; a full-width ＠ or 。 is folded', () => {
    expect(record(mapRow([PHONE, ' Li.Si＠163。com '], mapping, 2)).identities[1]).toEqual({ type: 'email', value: 'li.si@163.com' });
  });

  it('an address that is not one is refused, masked', () => {
    expect(errorsOf(mapRow([PHONE, 'lisi@163'], mapping, 2))).toEqual([
      { column: 1, field: 'email', value: 'l***@163', message: 'email: "l***@163" is not an email address' },
    ]);
  });

  it('test and placeholder addresses are junk', () => {
    for (const junk of [
      'test@test.com',
      'a@a.com',
      'abc@abc.com',
      'aaa@163.com',
      'noreply@example.com',
      '123@qq.com',
      '123456@163.com',
      'x@example.org',
    ]) {
      expect(errorsOf(mapRow([PHONE, junk], mapping, 2))[0]?.message, junk).toMatch(
        /placeholder address|test or placeholder|not a possible QQ/,
      );
    }
    expect(record(mapRow([PHONE, '10001@qq.com'], mapping, 2)).identities).toHaveLength(2);
  });
});

describe('national ID numbers', () => {
  const mapping = withPhone('national_id');
  it('an 18-character number with a valid MOD 11-2 check is kept, x upper-cased', () => {
    expect(record(mapRow([PHONE, '11010519491231002x'], mapping, 2)).identities[1]).toEqual({
      type: 'national_id',
      value: '11010519491231002X',
    });
    expect(record(mapRow([PHONE, '110101199003071233'], mapping, 2)).identities[1]?.value).toBe('110101199003071233');
  });

  it('a wrong check character is refused, the value masked as 110***********1234', () => {
    expect(errorsOf(mapRow([PHONE, '110101199003071234'], mapping, 2))).toEqual([
      {
        column: 1,
        field: 'national_id',
        value: '110***********1234',
        message: 'national_id: "110***********1234" is not a valid ID number: its last character does not match the check of the other 17',
      },
    ]);
  });

  it('old 15-digit numbers, impossible birth dates and wrong lengths are refused', () => {
    expect(errorsOf(mapRow([PHONE, '110101900307123'], mapping, 2))[0]?.message).toMatch(/old 15-digit ID number/);
    expect(errorsOf(mapRow([PHONE, '110101199002301235'], mapping, 2))[0]?.message).toMatch(/no possible birth date/);
    expect(errorsOf(mapRow([PHONE, '11010119900307'], mapping, 2))[0]?.message).toMatch(/18 characters/);
  });
});

describe('VINs', () => {
  const mapping = withPhone('vin');
  it('a Chinese VIN with a wrong check digit is refused, with the digit it should have', () => {
    expect(errorsOf(mapRow([PHONE, 'LFV2A21K2A3012345'], mapping, 2))[0]?.message).toBe(
      'vin: "LFV2A21K2A3012345" is not a valid VIN: its check digit (9th character) is 2 but should be 1',
    );
  });
  it('a European VIN without a check digit is kept', () => {
    expect(record(mapRow([PHONE, 'WVWZZZ1JZXW000001'], mapping, 2)).identities[1]).toEqual({ type: 'vin', value: 'WVWZZZ1JZXW000001' });
  });
  it('a VIN of one repeated character is junk', () => {
    expect(errorsOf(mapRow([PHONE, '00000000000000000'], mapping, 2))[0]?.message).toMatch(/placeholder/);
  });
});

describe('WeChat and WeCom ids, and the source’s own customer id', () => {
  it('keep their case; a malformed one is refused, masked', () => {
    const mapping = mappingOf(
      { index: 0, field: 'wechat_unionid' },
      { index: 1, field: 'wecom_external_userid' },
      { index: 2, field: 'user_id' },
    );
    expect(
      record(mapRow(['o6_bmasdasdsad6_2sgVt7hMZOPfL', 'wmAbCdEfGhIjKlMnOpQrStUvWxYz012345', ' C-000123 '], mapping, 2)).identities,
    ).toEqual([
      { type: 'wechat_unionid', value: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' },
      { type: 'wecom_external_userid', value: 'wmAbCdEfGhIjKlMnOpQrStUvWxYz012345' },
      { type: 'user_id', value: 'C-000123' },
    ]);
    expect(errorsOf(mapRow(['not a unionid!', '', ''], mapping, 2))).toEqual([
      {
        column: 0,
        field: 'wechat_unionid',
        value: 'not****nid!',
        message: 'wechat_unionid: "not****nid!" is not a WeChat unionid (16–64 letters, digits, - or _)',
      },
    ]);
  });
});

describe('traits', () => {
  const trait = (field: MappingColumn['field'], cell: string, extra?: Partial<MappingColumn>) =>
    mapRow([PHONE, cell], withPhone(field, extra), 2);
  const traitValue = (field: MappingColumn['field'], cell: string, extra?: Partial<MappingColumn>) => {
    const traits = record(trait(field, cell, extra)).traits;
    return Object.values(traits)[0];
  };
  const traitError = (field: MappingColumn['field'], cell: string, extra?: Partial<MappingColumn>) =>
    errorsOf(trait(field, cell, extra))[0]?.message;

  it('gender: 男/女, M/F, male/female; 保密 states nothing', () => {
    for (const [cell, gender] of [
      ['男', 'male'],
      ['女', 'female'],
      ['M', 'male'],
      ['f', 'female'],
      ['Male', 'male'],
      ['FEMALE', 'female'],
      ['先生', 'male'],
      ['女士', 'female'],
    ]) {
      expect(traitValue('gender', cell ?? ''), cell).toBe(gender);
    }
    expect(record(trait('gender', '保密')).traits).toEqual({});
    expect(traitError('gender', '中')).toBe('gender: "中" is not a gender (男/女, M/F, male/female)');
  });

  it('birthday: the usual spellings and Excel serial numbers become ISO dates', () => {
    for (const cell of [
      '1990-01-02',
      '1990/1/2',
      '1990.1.2',
      '19900102',
      '1990年1月2日',
      '1990年01月02号',
      '32875',
      '1990-01-02T00:00:00',
      '1990-01-02 00:00:00',
    ]) {
      expect(traitValue('birthday', cell), cell).toBe('1990-01-02');
    }
  });

  it('birthday: impossible, partial, ambiguous and future dates are refused', () => {
    expect(traitError('birthday', '1990-02-30')).toMatch(/^birthday: "1990-02-30" is not a date; use a date such as 1990-01-02/);
    expect(traitError('birthday', '02/01/1990')).toMatch(/is not a date/);
    expect(traitError('birthday', '1990')).toMatch(/gives only a year or a month/);
    expect(traitError('birthday', '1990年3月')).toMatch(/gives only a year or a month/);
    expect(traitError('birthday', '2999-01-01')).toBe('birthday: "2999-01-01" is in the future');
    expect(traitError('birthday', '1850-01-01')).toBe('birthday: "1850-01-01" is before 1900');
  });

  it('budget: yuan become integer fen, 万 is ten thousand', () => {
    expect(traitValue('budget', '25万')).toBe(25_000_000);
    expect(traitValue('budget', '25.5万元')).toBe(25_500_000);
    expect(traitValue('budget', '30w')).toBe(30_000_000);
    expect(traitValue('budget', '¥250,000')).toBe(25_000_000);
    expect(traitValue('budget', '￥199,999.99')).toBe(19_999_999);
    expect(traitValue('budget', '250000元')).toBe(25_000_000);
    expect(traitValue('budget', '25', { unit: 'wan' })).toBe(25_000_000);
  });

  it('budget: ranges, words and bare small numbers are refused with what to do', () => {
    expect(traitError('budget', '20-30万')).toBe(
      'budget: "20-30万" is a range; give one amount, or map the column to a custom trait to keep the text',
    );
    expect(traitError('budget', '看情况')).toMatch(/is not an amount of money/);
    expect(traitError('budget', '25')).toMatch(/too small for a budget in yuan; write 25万/);
    expect(traitError('budget', '2亿')).toMatch(/is not an amount of money/);
    expect(traitError('budget', '200000万')).toMatch(/more than 100 million yuan/);
  });

  it('names: padding between Chinese characters goes; a number or an email is not a name; errors mask the name', () => {
    expect(traitValue('name', ' 欧阳  娜娜 ')).toBe('欧阳娜娜');
    expect(traitValue('name', 'Anna  Li')).toBe('Anna Li');
    expect(traitError('name', '13800138001')).toBe('name: "1***" is a number, not a name');
    expect(errorsOf(trait('name', '张'.repeat(65)))[0]?.value).toBe('张***');
  });

  it('addresses are masked in errors', () => {
    expect(errorsOf(trait('address', '浙江省杭州市西湖区' + '某'.repeat(200)))[0]?.value).toBe('浙江省杭州市***');
  });

  it('a custom trait is stored under its key as text', () => {
    expect(record(trait('trait:license_plate_city', ' 浙A ')).traits).toEqual({ license_plate_city: '浙A' });
  });
});

describe('tags', () => {
  it('split on , ， 、 ; ； | and trimmed, without duplicates, across columns', () => {
    const mapping = mappingOf({ index: 0, field: 'phone' }, { index: 1, field: 'tags' }, { index: 2, field: 'tags' });
    expect(record(mapRow([PHONE, ' VIP ,试驾、VIP;；老客户| 高意向 ', '老客户，金融'], mapping, 2)).tags).toEqual([
      'VIP',
      '试驾',
      '老客户',
      '高意向',
      '金融',
    ]);
  });
});

describe('consents', () => {
  const mapping = mappingOf(
    { index: 0, field: 'phone' },
    { index: 1, field: 'consent:marketing:sms' },
    { index: 2, field: 'consent:service:wecom' },
  );
  const consents = (a: string, b: string) => record(mapRow([PHONE, a, b], mapping, 2)).consents;

  it('是/同意/Y/yes/true/1 grant, 否/拒绝/N/no/false/0 withdraw', () => {
    for (const yes of ['是', '同意', 'Y', 'yes', 'TRUE', '1']) {
      expect(consents(yes, ''), yes).toEqual([{ purpose: 'marketing', channel: 'sms', granted: true }]);
    }
    for (const no of ['否', '拒绝', 'n', 'No', 'false', '0']) {
      expect(consents('', no), no).toEqual([{ purpose: 'service', channel: 'wecom', granted: false }]);
    }
  });

  it('an empty cell states nothing', () => {
    expect(consents('', '')).toEqual([]);
  });

  it('anything else is refused', () => {
    expect(errorsOf(mapRow([PHONE, '也许', ''], mapping, 2))[0]?.message).toBe(
      'consent:marketing:sms: "也许" is not a yes/no answer (是/否, 同意/拒绝, Y/N, yes/no, true/false, 1/0)',
    );
  });
});

describe('errors', () => {
  it('every bad cell of a row is reported, in column order, with the line', () => {
    const mapping = mappingOf({ index: 2, field: 'email' }, { index: 0, field: 'phone' }, { index: 1, field: 'gender' });
    const result = mapRow(['1381234', '?!', 'nope'], mapping, 12);
    expect(result).toMatchObject({ ok: false, line: 12 });
    expect(errorsOf(result).map((e) => [e.column, e.field])).toEqual([
      [0, 'phone'],
      [1, 'gender'],
      [2, 'email'],
    ]);
  });
});

describe('fingerprints', () => {
  const mapping = mappingOf(
    { index: 0, field: 'phone' },
    { index: 1, field: 'name' },
    { index: 2, field: 'tags' },
    { index: 3, field: 'consent:marketing:sms' },
  );
  const cells = ['13800138001', '张三', 'VIP,试驾', '是'];
  const fingerprint = (c: string[], m = mapping, line = 2, key?: Buffer) => record(mapRow(c, m, line, { fingerprintKey: key })).fingerprint;

  it('the same row gives the same fingerprint on any line', () => {
    expect(fingerprint(cells, mapping, 2)).toBe(fingerprint([...cells], mapping, 900_000));
  });

  it('the order of the mapping columns does not matter, nor the order of the file columns', () => {
    const reversed = ImportMapping.parse({ columns: [...mapping.columns].reverse() });
    expect(fingerprint(cells, reversed)).toBe(fingerprint(cells));
    const moved = mappingOf(
      { index: 3, field: 'phone' },
      { index: 2, field: 'name' },
      { index: 1, field: 'tags' },
      { index: 0, field: 'consent:marketing:sms' },
    );
    expect(fingerprint(['是', '试驾,VIP', '张三', '138-0013-8001'], moved)).toBe(fingerprint(cells));
  });

  it('a different value gives a different fingerprint', () => {
    expect(fingerprint(['13800138001', '张三', 'VIP,试驾', '否'])).not.toBe(fingerprint(cells));
    expect(fingerprint(['13800138001', '张四', 'VIP,试驾', '是'])).not.toBe(fingerprint(cells));
  });

  it('with a key it is an HMAC: stable, and not the plain hash', () => {
    const key = Buffer.alloc(32, 7);
    expect(fingerprint(cells, mapping, 2, key)).toBe(fingerprint(cells, mapping, 3, key));
    expect(fingerprint(cells, mapping, 2, key)).not.toBe(fingerprint(cells));
  });
});

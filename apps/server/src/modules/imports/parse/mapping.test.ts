import { describe, expect, it } from 'vitest';
import { ImportField, ImportMapping, suggestMapping } from './mapping.js';

function suggested(headers: string[], options?: { wechatAppId?: string }): Record<string, string> {
  const mapping = suggestMapping(headers, options);
  return Object.fromEntries(mapping.columns.map((c) => [headers[c.index] ?? '', c.field]));
}

describe('suggesting a mapping from the header row', () => {
  it('a DMS customer export with Chinese headers', () => {
    const headers = [
      '序号',
      '客户编号',
      '客户姓名',
      '性别',
      '手机号码',
      '联系电话',
      '出生日期',
      '省份',
      '所在城市',
      '详细地址',
      '意向车型',
      '现有车型',
      '购车预算',
      '客户标签',
      '身份证号',
      '车架号(VIN)',
      '电子邮箱',
      '备注',
    ];
    expect(suggested(headers)).toEqual({
      序号: 'ignore',
      客户编号: 'user_id',
      客户姓名: 'name',
      性别: 'gender',
      手机号码: 'phone',
      联系电话: 'phone',
      出生日期: 'birthday',
      省份: 'province',
      所在城市: 'city',
      详细地址: 'address',
      意向车型: 'vehicle_of_interest',
      现有车型: 'owned_vehicle',
      购车预算: 'budget',
      客户标签: 'tags',
      身份证号: 'national_id',
      '车架号(VIN)': 'vin',
      电子邮箱: 'email',
      备注: 'ignore',
    });
  });

  it('English and mixed headers, with spaces, case and "(必填)" marks', () => {
    expect(
      suggested([
        'Mobile Phone',
        'Name',
        'E-mail',
        'City',
        'Vehicle',
        'Tags',
        'WeChat UnionID',
        'VIN',
        'Province',
        '手机号*',
        '姓名（必填）',
      ]),
    ).toEqual({
      'Mobile Phone': 'phone',
      Name: 'name',
      'E-mail': 'email',
      City: 'city',
      Vehicle: 'vehicle_of_interest',
      Tags: 'tags',
      'WeChat UnionID': 'wechat_unionid',
      VIN: 'vin',
      Province: 'province',
      '手机号*': 'phone',
      '姓名（必填）': 'ignore', // name is already taken by "Name"
    });
  });

  it('consent questions become consent fields with purpose and channel', () => {
    expect(
      suggested(['手机', '是否同意短信营销', '是否接受电话回访', '微信营销授权', '同意邮件订阅', 'SMS analytics consent', '短信营销']),
    ).toEqual({
      手机: 'phone',
      是否同意短信营销: 'consent:marketing:sms',
      是否接受电话回访: 'consent:service:phone',
      微信营销授权: 'consent:marketing:wecom',
      同意邮件订阅: 'consent:marketing:email',
      'SMS analytics consent': 'consent:analytics:sms',
      短信营销: 'ignore', // consent:marketing:sms is already taken
    });
  });

  it('an opt-out question is not mapped: 是 would mean the opposite of a grant', () => {
    expect(suggested(['营销短信退订', '电话免打扰', '是否同意'])).toEqual({
      营销短信退订: 'ignore',
      电话免打扰: 'ignore',
      是否同意: 'ignore',
    });
  });

  it("the consultant's or an emergency contact's phone and name are not the customer's", () => {
    expect(suggested(['销售顾问', '顾问手机', '紧急联系人电话', '固定电话', '客户手机'])).toEqual({
      销售顾问: 'ignore',
      顾问手机: 'ignore',
      紧急联系人电话: 'ignore',
      固定电话: 'ignore',
      客户手机: 'phone',
    });
  });

  it('an openid column is suggested only when the app id is known', () => {
    expect(suggested(['OpenID', '手机'])).toEqual({ OpenID: 'ignore', 手机: 'phone' });
    const mapping = suggestMapping(['OpenID', '手机'], { wechatAppId: 'wx8888' });
    expect(mapping.columns[0]).toEqual({ index: 0, field: 'wechat_openid', appId: 'wx8888' });
  });

  it('a budget header in 万 sets the unit of the column', () => {
    expect(suggestMapping(['手机', '预算(万元)']).columns[1]).toEqual({ index: 1, field: 'budget', unit: 'wan' });
  });

  it('"province" is not taken for a VIN, nor "WeCom nickname" for an external_userid', () => {
    expect(suggested(['province', '企业微信昵称', '企业微信客户ID'])).toEqual({
      province: 'province',
      企业微信昵称: 'ignore',
      企业微信客户ID: 'wecom_external_userid',
    });
  });

  it('a suggestion for a usual export is a valid mapping', () => {
    expect(ImportMapping.safeParse(suggestMapping(['姓名', '手机', '城市', '标签'])).success).toBe(true);
  });
});

describe('the mapping schema', () => {
  const parse = (columns: unknown[]) => ImportMapping.safeParse({ columns });
  const messages = (columns: unknown[]) => {
    const result = parse(columns);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it('knows the field catalogue, custom traits and consent fields', () => {
    for (const field of ['phone', 'vin', 'name', 'budget', 'tags', 'ignore', 'trait:favourite_colour', 'consent:analytics:email']) {
      expect(ImportField.safeParse(field).success, field).toBe(true);
    }
    for (const field of ['mobile', 'trait:', 'trait:Bad Key', 'consent:marketing:fax', 'consent:spam:sms']) {
      expect(ImportField.safeParse(field).success, field).toBe(false);
    }
  });

  it('needs at least one column that identifies a person (a VIN alone does not)', () => {
    expect(
      messages([
        { index: 0, field: 'name' },
        { index: 1, field: 'vin' },
      ]),
    ).toEqual([expect.stringMatching(/^Map at least one column to phone, wechat_unionid, .*user_id/)]);
  });

  it('an openid column needs its app id, and only an openid column takes one', () => {
    expect(messages([{ index: 0, field: 'wechat_openid' }])).toEqual([
      expect.stringMatching(/column 1: a WeChat openid column needs the app id/),
    ]);
    expect(messages([{ index: 0, field: 'phone', appId: 'wx1' }])).toEqual([
      expect.stringMatching(/only a WeChat openid column takes an app id/),
    ]);
    expect(messages([{ index: 0, field: 'wechat_openid', appId: 'wx1' }])).toEqual([]);
  });

  it('a column is mapped once; a trait from one column; phones, emails and tags from several', () => {
    expect(
      messages([
        { index: 0, field: 'phone' },
        { index: 0, field: 'email' },
      ]),
    ).toEqual(['column 1 is mapped twice; map each column once.']);
    expect(
      messages([
        { index: 0, field: 'phone' },
        { index: 1, field: 'name' },
        { index: 2, field: 'name' },
      ]),
    ).toEqual(['name is mapped from column 2 and column 3; map it from one column.']);
    expect(
      messages([
        { index: 0, field: 'phone' },
        { index: 1, field: 'phone' },
        { index: 2, field: 'tags' },
        { index: 3, field: 'tags' },
      ]),
    ).toEqual([]);
  });

  it('a custom trait may not shadow a built-in one', () => {
    expect(
      messages([
        { index: 0, field: 'phone' },
        { index: 1, field: 'trait:name' },
      ]),
    ).toEqual(['column 2: map it to name, not trait:name.']);
  });

  it('only a budget column takes a unit', () => {
    expect(messages([{ index: 0, field: 'phone', unit: 'wan' }])).toEqual(['column 1: only a budget column takes a unit.']);
  });
});

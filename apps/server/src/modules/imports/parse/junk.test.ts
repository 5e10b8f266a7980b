import { describe, expect, it } from 'vitest';
import { isJunkIdentity } from './junk.js';

describe('isJunkIdentity (on normalised values)', () => {
  it('phones: one repeated digit, runs of consecutive digits and the example number printed on forms', () => {
    for (const phone of ['+8613800000000', '+8613999999999', '+8613912345678', '+8618887654321', '+8613901234567', '+8613800138000']) {
      expect(isJunkIdentity('phone', phone), phone).not.toBeNull();
    }
    for (const phone of ['+8613800138001', '+8613912340101', '+8619912345670', '+8617700001111']) {
      expect(isJunkIdentity('phone', phone), phone).toBeNull();
    }
  });

  it('emails: test domains, placeholder mailboxes, the same word on both sides of @, impossible QQ numbers', () => {
    for (const email of [
      'test@test.com',
      'a@a.com',
      'someone@example.com',
      'null@163.com',
      '123456@163.com',
      'zzz@126.com',
      '1234@qq.com',
    ]) {
      expect(isJunkIdentity('email', email), email).not.toBeNull();
    }
    for (const email of ['zhang.san@qq.com', '10001@qq.com', 'li@163.com', 'a@b.cn']) {
      expect(isJunkIdentity('email', email), email).toBeNull();
    }
  });

  it('placeholders of any type', () => {
    for (const value of ['null', 'undefined', '0', 'N/A', '无', '-', 'unknown', '暂无']) {
      expect(isJunkIdentity('user_id', value), value).toMatch(/placeholder/);
    }
    expect(isJunkIdentity('user_id', 'C000123')).toBeNull();
    expect(isJunkIdentity('wechat_unionid', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx')).toMatch(/one character repeated/);
    expect(isJunkIdentity('national_id', '111111111111111111')).toMatch(/one digit repeated/);
  });
});

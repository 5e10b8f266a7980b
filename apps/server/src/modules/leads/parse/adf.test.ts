import { describe, expect, it } from 'vitest';
import { parseAdf } from './adf.js';

// Two prospects as a lead platform sends them: 汽车之家 as provider, Chinese names in parts, spaced phones.
const TWO_PROSPECTS = `<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
  <prospect status="new">
    <id sequence="1" source="autohome">AH-20261124-0001</id>
    <requestdate>2026-11-24T10:00:00+08:00</requestdate>
    <vehicle interest="buy" status="new">
      <year>2026</year>
      <make>比亚迪</make>
      <model>汉</model>
      <trim>EV 荣耀版 610KM</trim>
      <price type="quote" currency="CNY">189800</price>
      <comments>想要白色</comments>
    </vehicle>
    <vehicle interest="trade-in" status="used">
      <year>2019</year>
      <make>大众</make>
      <model>朗逸</model>
    </vehicle>
    <customer>
      <contact primarycontact="1">
        <name part="first">伟</name>
        <name part="last">张</name>
        <email>Zhang.Wei@163.com</email>
        <phone type="voice">021-6888 1234</phone>
        <phone type="cellphone">138 0013 8000</phone>
        <address type="home">
          <street line="1">浦东新区世纪大道100号</street>
          <city>上海市</city>
          <regioncode>SH</regioncode>
          <country>CN</country>
        </address>
      </contact>
      <timeframe><description>1个月内</description></timeframe>
      <comments>周末方便联系</comments>
    </customer>
    <vendor>
      <id source="oem">SH-PD-01</id>
      <vendorname>上海浦东比亚迪4S店</vendorname>
    </vendor>
    <provider>
      <name part="full">汽车之家</name>
      <service>询底价</service>
      <url>https://www.autohome.com.cn</url>
    </provider>
  </prospect>
  <prospect status="resend">
    <id source="autohome">AH-20261124-0002</id>
    <requestdate>2026-11-24 21:15:00</requestdate>
    <vehicle interest="test-drive" status="new">
      <make>理想</make>
      <model>L6</model>
      <finance><method>finance</method></finance>
    </vehicle>
    <customer>
      <contact>
        <name part="full">李娜</name>
        <phone type="cellphone">+86-139-1234-5670</phone>
      </contact>
      <timeframe><earliestdate>2026-12-01</earliestdate><latestdate>2027-01-31</latestdate></timeframe>
    </customer>
    <vendor><vendorname>BJ-CY-02</vendorname></vendor>
    <provider><name part="full">汽车之家</name></provider>
  </prospect>
</adf>`;

describe('parseAdf', () => {
  it('when a valid document holds two prospects, then both become leads with every mapped field', () => {
    const { leads, problems } = parseAdf(TWO_PROSPECTS);
    expect(problems).toEqual([]);
    expect(leads).toHaveLength(2);
    const [first, second] = leads;
    expect(first).toMatchObject({
      externalId: 'autohome:AH-20261124-0001',
      requestedAt: '2026-11-24T02:00:00.000Z',
      customer: {
        name: '张伟',
        email: 'zhang.wei@163.com',
        phone: '+8613800138000',
        city: '上海市',
        province: '上海市',
        address: '浦东新区世纪大道100号',
      },
      vehicle: { brand: '比亚迪', model: '汉', trim: 'EV 荣耀版 610KM', year: 2026, condition: 'new' },
      budget: { max: 189800 },
      tradeIn: true,
      timeframe: '1个月内',
      preferredStoreCode: 'SH-PD-01',
      campaign: '汽车之家 / 询底价',
      priority: 'normal',
    });
    // Customer comments first, then the landline, the vehicle's comments, the trade-in and the store name.
    expect(first?.comments?.split('\n')).toEqual([
      '周末方便联系',
      '其他电话 Other phone: 021-6888 1234',
      '想要白色',
      '置换车辆 Trade-in: 2019 大众 朗逸',
      '意向门店 Preferred store: 上海浦东比亚迪4S店',
    ]);
    expect(second).toMatchObject({
      externalId: 'autohome:AH-20261124-0002',
      requestedAt: '2026-11-24T13:15:00.000Z', // no offset: read as Beijing time
      customer: { name: '李娜', phone: '+8613912345670' },
      vehicle: { brand: '理想', model: 'L6', condition: 'new' },
      financing: true,
      timeframe: '2026-12-01 – 2027-01-31',
      preferredStoreCode: 'BJ-CY-02',
      campaign: '汽车之家',
    });
    expect(second?.tradeIn).toBeUndefined();
    expect(second?.comments).toBe('预约试驾 Test drive requested');
  });

  it('when the sender writes element names in upper or mixed case with a BOM, then they are read', () => {
    const xml = `\ufeff<?ADF VERSION="1.0"?><ADF><Prospect><ID Source="DCD">9</ID><Customer><Contact>
      <Name Part="Last">王</Name><Name Part="First">芳</Name><Phone>13700137000</Phone></Contact></Customer>
      <Vehicle Interest="BUY" Status="USED"><Make>宝马</Make><Model>3系</Model></Vehicle></Prospect></ADF>`;
    const { leads, problems } = parseAdf(xml);
    expect(problems).toEqual([]);
    expect(leads[0]).toMatchObject({
      externalId: 'DCD:9',
      customer: { name: '王芳', phone: '+8613700137000' },
      vehicle: { brand: '宝马', model: '3系', condition: 'used' },
    });
  });

  it('when closing tags are missing at the end, then what was sent is still read', () => {
    const xml = `<adf><prospect><customer><contact><name part="full">陈静</name><phone>15800158000</phone>
      <email>chen@qq.com`;
    const { leads, problems } = parseAdf(xml);
    expect(problems).toEqual([]);
    expect(leads[0]?.customer).toEqual({ name: '陈静', phone: '+8615800158000', email: 'chen@qq.com' });
  });

  it('when a </prospect> is missing, then the next prospect is still a prospect of its own', () => {
    const xml = `<adf>
      <prospect><id>A</id><customer><contact><phone>13800138001</phone></contact></customer>
      <prospect><id>B</id><customer><contact><phone>13800138002</phone></contact></customer></prospect>
    </adf>`;
    const { leads } = parseAdf(xml);
    expect(leads.map((l) => [l.externalId, l.customer.phone])).toEqual([
      ['A', '+8613800138001'],
      ['B', '+8613800138002'],
    ]);
  });

  it('when comments hold an unescaped & and CDATA with markup, then the text is kept as written', () => {
    const xml = `<adf><prospect><customer><contact><phone>13800138000</phone></contact>
      <comments>想看 A&B 两款 &amp; 试驾</comments></customer>
      <vehicle><make>奔驰</make><comments><![CDATA[<b>急</b> 今天 & 明天都可以]]></comments></vehicle></prospect></adf>`;
    const { leads, problems } = parseAdf(xml);
    expect(problems).toEqual([]);
    expect(leads[0]?.comments).toBe('想看 A&B 两款 & 试驾\n<b>急</b> 今天 & 明天都可以');
  });

  it('when there is no <adf> root, then bare prospects are read', () => {
    const xml = `<prospect><customer><contact><phone>13800138000</phone></contact></customer></prospect>
      <prospect><customer><contact><email>a@b.cn</email></contact></customer></prospect>`;
    const { leads, problems } = parseAdf(xml);
    expect(problems).toEqual([]);
    expect(leads.map((l) => l.customer)).toEqual([{ phone: '+8613800138000' }, { email: 'a@b.cn' }]);
  });

  it('when there is not even a <prospect>, then the customer and vehicle are read as one prospect and that is reported', () => {
    const xml = `<adf><customer><contact><phone>13800138000</phone></contact></customer><vehicle><make>蔚来</make></vehicle></adf>`;
    const { leads, problems } = parseAdf(xml);
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ customer: { phone: '+8613800138000' }, vehicle: { brand: '蔚来' } });
    expect(problems).toEqual([{ index: 0, path: 'prospect', message: expect.stringContaining('no <prospect>') }]);
  });

  it('when a prospect has unreadable fields, then they are left out and reported with the prospect index and element path', () => {
    const xml = `<adf>
      <prospect><customer><contact><phone>13800138000</phone></contact></customer></prospect>
      <prospect>
        <requestdate>2026-13-45 10:00</requestdate>
        <vehicle interest="rent" status="demo"><year>next year</year><vin>LSV123</vin><price currency="USD">30000</price></vehicle>
        <customer><contact><email>not-an-email</email><phone>010-12345678</phone></contact></customer>
      </prospect>
    </adf>`;
    const { leads, problems } = parseAdf(xml);
    expect(leads).toHaveLength(2);
    expect(problems.every((p) => p.index === 1)).toBe(true);
    expect(problems.map((p) => p.path).sort()).toEqual([
      'prospect/customer/contact/email',
      'prospect/customer/contact/phone',
      'prospect/requestdate',
      'prospect/vehicle[0]/@interest',
      'prospect/vehicle[0]/@status',
      'prospect/vehicle[0]/price',
      'prospect/vehicle[0]/vin',
      'prospect/vehicle[0]/year',
    ]);
    expect(problems.find((p) => p.path === 'prospect/requestdate')?.message).toMatch(/^"2026-13-45 10:00" is not a real date/);
    const second = leads[1];
    expect(second?.requestedAt).toBeUndefined();
    expect(second?.customer).toEqual({});
    expect(second?.vehicle).toEqual({ condition: 'new' });
    expect(second?.comments).toContain('010-12345678');
  });

  it('when a prospect has no contact at all, then it is still returned for the intake to reject', () => {
    const { leads, problems } = parseAdf('<adf><prospect><vehicle><make>小鹏</make></vehicle></prospect></adf>');
    expect(problems).toEqual([]);
    expect(leads).toEqual([expect.objectContaining({ customer: {}, vehicle: { brand: '小鹏', condition: 'new' } })]);
  });

  it('when a field is longer than LeadInput allows, then only that field is left out and reported', () => {
    const longName = '很'.repeat(150);
    const { leads, problems } = parseAdf(
      `<adf><prospect><customer><contact><name>${longName}</name><phone>13800138000</phone></contact></customer></prospect></adf>`,
    );
    expect(leads[0]?.customer).toEqual({ phone: '+8613800138000' });
    expect(problems).toEqual([
      { index: 0, path: 'prospect/customer/contact/name', message: expect.stringContaining('customer.name was left out') },
    ]);
  });

  it('when western name parts are given, then they read first middle last with spaces', () => {
    const { leads } = parseAdf(
      `<adf><prospect><customer><contact><name part="last">Smith</name><name part="first">John</name><email>j@x.com</email></contact></customer></prospect></adf>`,
    );
    expect(leads[0]?.customer.name).toBe('John Smith');
  });

  it('when the body is not XML at all, then there are no leads and one problem', () => {
    expect(parseAdf('not xml')).toEqual({
      leads: [],
      problems: [{ index: 0, path: '', message: expect.stringContaining('no <prospect>') }],
    });
    expect(parseAdf('')).toMatchObject({ leads: [], problems: [{ index: 0 }] });
    expect(parseAdf('{"lead": 1}').leads).toEqual([]);
  });

  it('when an <adf> document has no prospect, then that is the one problem', () => {
    expect(parseAdf('<?xml version="1.0"?><adf></adf>')).toEqual({
      leads: [],
      problems: [{ index: 0, path: 'adf', message: 'the ADF document holds no <prospect>' }],
    });
  });
});

describe('parseAdf with a misspelt closing tag', () => {
  it('when a closing tag closes nothing, then it is ignored and the following elements are still read', () => {
    const xml = `<adf><prospect><customer><contact><phone>13800138000</phon><email>w@163.com</email></contact>
      <comments>ok</comments></customer></prospect></adf>`;
    const { leads, problems } = parseAdf(xml);
    expect(problems).toEqual([]);
    expect(leads[0]).toMatchObject({ customer: { phone: '+8613800138000', email: 'w@163.com' }, comments: 'ok' });
  });
});

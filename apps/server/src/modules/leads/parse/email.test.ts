import { describe, expect, it } from 'vitest';
import { parseAdf } from './adf.js';
import { findAdfInEmail } from './email.js';

const crlf = (lines: string[]) => lines.join('\r\n');
const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');

const AUTOHOME_ADF = `<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf><prospect status="new"><id source="autohome">AH-1001</id><requestdate>2026-11-24T10:00:00+08:00</requestdate>
<vehicle interest="buy" status="new"><make>比亚迪</make><model>汉</model></vehicle>
<customer><contact><name part="last">张</name><name part="first">伟</name><phone type="cellphone">138 0013 8000</phone></contact></customer>
<provider><name part="full">汽车之家</name><service>询底价</service></provider></prospect></adf>`;

// What a lead platform's notification looks like: GB2312 subject, a GB2312 quoted-printable note and the ADF as
// an attachment.
const AUTOHOME_MAIL = crlf([
  'Return-Path: <noreply@autohome.com.cn>',
  'Received: from mx.autohome.com.cn (mx.autohome.com.cn [10.0.0.1])',
  '\tby mail.dealer.cn with ESMTP id 4B2C1;',
  '\tTue, 24 Nov 2026 10:00:05 +0800',
  'From: "=?UTF-8?B?5rG96L2m5LmL5a62?=" <NoReply@Autohome.com.cn>',
  'To: leads@dealer.cn',
  'Subject: =?GB2312?B?xvuztdauvNLP38v3zajWqg==?=',
  'Date: Tue, 24 Nov 2026 10:00:05 +0800',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed;',
  ' boundary="----=_Part_123_456.789"',
  '',
  'This is a multi-part message in MIME format.',
  '',
  '------=_Part_123_456.789',
  'Content-Type: text/plain; charset=gb2312',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '=C4=FA=BA=C3=A3=AC=D2=D4=CF=C2=CA=C7=D0=C2=B5=C4=D1=AF=BC=DB=CF=DF=CB=F7=A3=',
  '=AC=C7=EB=BC=B0=CA=B1=B8=FA=BD=F8=A1=A3',
  '',
  '------=_Part_123_456.789',
  'Content-Type: application/x-adf+xml; charset=UTF-8; name="lead.xml"',
  'Content-Transfer-Encoding: base64',
  'Content-Disposition: attachment; filename="lead.xml"',
  '',
  base64Lines(Buffer.from(AUTOHOME_ADF, 'utf8')),
  '------=_Part_123_456.789--',
  '',
]);

// 易车-like: the ADF is GB2312 with only the XML declaration saying so, sent as application/octet-stream
// with an RFC 2231 file name (线索.xml), and the subject is folded into two encoded words.
const YICHE_ADF_GB2312 = [
  'PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iR0IyMzEyIj8+CjxhZGY+PHByb3NwZWN0Pjxp',
  'ZCBzb3VyY2U9InlpY2hlIj5ZQy03Nzg8L2lkPjxjdXN0b21lcj48Y29udGFjdD48bmFtZSBwYXJ0',
  'PSJmdWxsIj7B9dHzPC9uYW1lPjxwaG9uZSB0eXBlPSJjZWxscGhvbmUiPjE4NiAwMDE4IDYwMDA8',
  'L3Bob25lPjwvY29udGFjdD48Y29tbWVudHM+z+vBy73i1sO7u9X+st88L2NvbW1lbnRzPjwvY3Vz',
  'dG9tZXI+PHZlaGljbGU+PG1ha2U+vKrA+zwvbWFrZT48bW9kZWw+0MfUvUw8L21vZGVsPjwvdmVo',
  'aWNsZT48cHJvdmlkZXI+PG5hbWU+0teztTwvbmFtZT48L3Byb3ZpZGVyPjwvcHJvc3BlY3Q+PC9h',
  'ZGY+Cg==',
];
const YICHE_MAIL = crlf([
  'From: leads@yiche.com',
  'Subject: =?UTF-8?B?5paw57q/57Si77ya?=',
  ' =?UTF-8?B?5q+U5Lqa6L+q5rGJ?=',
  'Content-Type: multipart/mixed; boundary=b1',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  '请查收附件。',
  '--b1',
  'Content-Type: application/octet-stream',
  "Content-Disposition: attachment; filename*=utf-8''%E7%BA%BF%E7%B4%A2.xml",
  'Content-Transfer-Encoding: base64',
  '',
  ...YICHE_ADF_GB2312,
  '--b1--',
]);

describe('findAdfInEmail', () => {
  it('when the ADF is a base64 attachment, then it is returned with the decoded subject and sender', () => {
    const found = findAdfInEmail(Buffer.from(AUTOHOME_MAIL, 'latin1'));
    expect(found.problems).toEqual([]);
    expect(found.subject).toBe('汽车之家线索通知');
    expect(found.from).toBe('noreply@autohome.com.cn');
    expect(found.xml).toBe(AUTOHOME_ADF);
    const { leads } = parseAdf(found.xml ?? '');
    expect(leads[0]).toMatchObject({ externalId: 'autohome:AH-1001', customer: { name: '张伟', phone: '+8613800138000' } });
  });

  it('when a GB2312 attachment declares its encoding only in the XML declaration, then it is decoded by it', () => {
    const found = findAdfInEmail(YICHE_MAIL);
    expect(found.problems).toEqual([]);
    expect(found.subject).toBe('新线索：比亚迪汉');
    expect(found.from).toBe('leads@yiche.com');
    const { leads } = parseAdf(found.xml ?? '');
    expect(leads[0]).toMatchObject({
      externalId: 'yiche:YC-778',
      customer: { name: '刘洋', phone: '+8618600186000' },
      vehicle: { brand: '吉利', model: '星越L' },
      comments: '想了解置换政策',
      campaign: '易车',
    });
  });

  it('when the ADF is inline in a quoted-printable text/plain part inside multipart/alternative, then the plain part is used', () => {
    const mail = crlf([
      'From: =?UTF-8?Q?=E5=AE=98=E7=BD=91?= <web@brand.cn>',
      'Subject: =?UTF-8?Q?=E5=AE=98=E7=BD=91=E7=95=99=E8=B5=84?=',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain; charset="UTF-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<adf><prospect><customer><contact><name part=3D"full">=E5=AD=99=E4=B8=BD</n=',
      'ame><phone>13900139000</phone></contact><comments>=E5=91=A8=E5=85=AD=E4=B8=',
      '=8A=E5=8D=88=E5=88=B0=E5=BA=97</comments></customer></prospect></adf>',
      '--inner',
      'Content-Type: text/html; charset="UTF-8"',
      '',
      '<html><body><p>html copy &lt;adf&gt;&lt;prospect&gt;&lt;id&gt;HTML&lt;/id&gt;&lt;/prospect&gt;&lt;/adf&gt;</p></body></html>',
      '--inner--',
      '--outer--',
    ]);
    const found = findAdfInEmail(mail);
    expect(found.problems).toEqual([]);
    expect(found.subject).toBe('官网留资');
    expect(found.from).toBe('web@brand.cn');
    expect(found.xml).toBe(
      '<adf><prospect><customer><contact><name part="full">孙丽</name><phone>13900139000</phone></contact><comments>周六上午到店</comments></customer></prospect></adf>',
    );
  });

  it('when an 8-bit GBK body has text around the ADF, then only the ADF is returned', () => {
    const head = crlf([
      'From: dcd@dongchedi.com',
      'Subject: lead',
      'Content-Type: text/plain; charset=GBK',
      'Content-Transfer-Encoding: 8bit',
      '',
      '',
    ]);
    const body = Buffer.from(
      'z9/L98/qx+nI58/Co7oKPGFkZj48cHJvc3BlY3Q+PGN1c3RvbWVyPjxjb250YWN0PjxuYW1lIHBhcnQ9Imxhc3QiPtXUPC9uYW1lPjxuYW1lIHBhcnQ9ImZpcnN0Ij7D9DwvbmFtZT48cGhvbmU+MTM1MDAxMzUwMDA8L3Bob25lPjwvY29udGFjdD48L2N1c3RvbWVyPjxwcm92aWRlcj48bmFtZT62rrO1tds8L25hbWU+PC9wcm92aWRlcj48L3Byb3NwZWN0PjwvYWRmPgrQu9C7',
      'base64',
    );
    const found = findAdfInEmail(Buffer.concat([Buffer.from(head, 'ascii'), body]));
    expect(found.problems).toEqual([]);
    expect(found.xml?.startsWith('<adf>')).toBe(true);
    expect(found.xml?.endsWith('</adf>')).toBe(true);
    expect(parseAdf(found.xml ?? '').leads[0]).toMatchObject({ customer: { name: '赵敏', phone: '+8613500135000' }, campaign: '懂车帝' });
  });

  it('when the only body is HTML with the ADF escaped, then it is unescaped', () => {
    const mail = crlf([
      'From: crm@dealer.cn',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<div>&lt;?xml version=&quot;1.0&quot;?&gt;<br>&lt;adf&gt;&lt;prospect&gt;&lt;customer&gt;&lt;contact&gt;',
      '&lt;phone&gt;13700137000&lt;/phone&gt;&lt;/contact&gt;&lt;/customer&gt;&lt;/prospect&gt;&lt;/adf&gt;</div>',
    ]);
    const found = findAdfInEmail(mail);
    expect(found.problems).toEqual([]);
    expect(parseAdf(found.xml ?? '').leads[0]?.customer.phone).toBe('+8613700137000');
  });

  it('when the lead mail was forwarded as an attachment, then the ADF inside the forwarded message is found', () => {
    const mail = crlf([
      'From: manager@dealer.cn',
      'Subject: Fwd: lead',
      'Content-Type: multipart/mixed; boundary=fw',
      '',
      '--fw',
      'Content-Type: text/plain',
      '',
      'see below',
      '--fw',
      'Content-Type: message/rfc822',
      '',
      'From: noreply@autohome.com.cn',
      'Subject: lead',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<adf><prospect><id>F-1</id></prospect></adf>').toString('base64'),
      '--fw--',
    ]);
    const found = findAdfInEmail(mail);
    expect(found.from).toBe('manager@dealer.cn');
    expect(found.xml).toBe('<adf><prospect><id>F-1</id></prospect></adf>');
  });

  it('when the closing boundary and </adf> are missing, then what arrived is returned for the tolerant ADF parser', () => {
    const mail = crlf([
      'From: a@b.cn',
      'Content-Type: multipart/mixed; boundary=x',
      '',
      '--x',
      'Content-Type: text/plain; charset=utf-8',
      '',
      '<?xml version="1.0"?><adf><prospect><customer><contact><phone>13800138000</phone>',
    ]);
    const found = findAdfInEmail(mail);
    expect(found.problems).toEqual([]);
    expect(found.xml).toBe('<?xml version="1.0"?><adf><prospect><customer><contact><phone>13800138000</phone>');
    expect(parseAdf(found.xml ?? '').leads[0]?.customer.phone).toBe('+8613800138000');
  });

  it('when there are two different ADF attachments, then the first is read and the second reported', () => {
    const attachment = (name: string, xml: string) => [
      '--m',
      `Content-Type: application/xml; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      xml,
    ];
    const mail = crlf([
      'From: a@b.cn',
      'Content-Type: multipart/mixed; boundary=m',
      '',
      ...attachment('a.xml', '<adf><prospect><id>A</id></prospect></adf>'),
      ...attachment('b.xml', '<adf><prospect><id>B</id></prospect></adf>'),
      '--m--',
    ]);
    const found = findAdfInEmail(mail);
    expect(found.xml).toBe('<adf><prospect><id>A</id></prospect></adf>');
    expect(found.problems).toEqual([{ index: 0, path: 'part 2 (b.xml)', message: expect.stringContaining('further ADF attachment') }]);
  });

  it('when the e-mail holds no ADF, then xml is null and one problem says so', () => {
    const found = findAdfInEmail(crlf(['From: Someone <x@y.cn>', 'Subject: hello', '', 'Just a question about prices.']));
    expect(found).toEqual({
      xml: null,
      subject: 'hello',
      from: 'x@y.cn',
      problems: [{ index: 0, path: '', message: expect.stringContaining('no ADF found') }],
    });
    expect(findAdfInEmail('not an e-mail at all')).toMatchObject({ xml: null, subject: null, from: null });
  });

  it('when a bare ADF document is posted instead of an e-mail, then it is still found', () => {
    const found = findAdfInEmail('<?xml version="1.0"?>\n<adf><prospect><id>X</id></prospect></adf>');
    expect(found.xml).toBe('<?xml version="1.0"?>\n<adf><prospect><id>X</id></prospect></adf>');
  });

  it('when the charset is unknown, then the text is read as UTF-8 and that is reported', () => {
    const found = findAdfInEmail(crlf(['Content-Type: text/plain; charset=x-klingon', '', '<adf><prospect><id>K</id></prospect></adf>']));
    expect(found.xml).toBe('<adf><prospect><id>K</id></prospect></adf>');
    expect(found.problems).toEqual([{ index: 0, path: 'message', message: expect.stringContaining('unknown charset "x-klingon"') }]);
  });
});

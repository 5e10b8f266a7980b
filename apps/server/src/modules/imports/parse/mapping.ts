import {
  isRepeatableField,
  type ConsentChannel,
  type ConsentPurpose,
  type ImportField,
  type ImportMapping,
  type MappingColumn,
} from '@forecourt/contracts';

// The mapping's schema is shared with the console (packages/contracts/src/imports.ts).
export {
  ConsentField,
  CustomTraitField,
  IMPORT_IDENTITY_TYPES,
  ImportField,
  ImportIdentityType,
  ImportMapping,
  MappingColumn,
  PERSON_IDENTITY_TYPES,
  TRAIT_FIELDS,
  TraitField,
  traitKey,
} from '@forecourt/contracts';

// ---------------------------------------------------------------------------------------------------------------------
// Suggestions from the header row. Headers are compared lower-cased, NFKC-folded, without spaces and punctuation.

// Someone else's phone or name in the customer's row: the consultant's, an emergency contact's, a landline.
const NOT_THE_CUSTOMER =
  /顾问|销售|员工|经理|专员|客服|坐席|紧急|推荐人|介绍人|固话|座机|固定电话|传真|landline|fax|sales|advisor|consultant|staff|agent|referrer|emergency/;

const CONSENT_WORDS = /同意|授权|允许|接受|订阅|consent|optin|agree|permission|subscribe/;
// "是否退订" answers the opposite question: 是 would be a withdrawal. Left for a person to map.
const INVERTED_CONSENT = /退订|拒收|拒绝|免打扰|黑名单|optout|unsubscribe|donotcontact|dnd/;
const CONSENT_CHANNELS: Array<[ConsentChannel, RegExp]> = [
  ['sms', /短信|sms|text/],
  ['wecom', /企业微信|企微|微信|wecom|wechat/],
  ['email', /邮件|邮箱|email|mail/],
  ['phone', /电话|外呼|致电|来电|phone|call/],
];
const CONSENT_PURPOSES: Array<[ConsentPurpose, RegExp]> = [
  ['service', /服务|回访|通知|提醒|service|notice|notification/],
  ['analytics', /分析|统计|画像|analytics|analysis/],
  ['marketing', /营销|推广|促销|广告|活动|marketing|promotion/],
];

const FIELD_PATTERNS: Array<[Exclude<ImportField, 'ignore'>, RegExp]> = [
  ['wechat_unionid', /unionid/],
  ['wechat_openid', /openid/],
  ['wecom_external_userid', /externaluserid|externalid|外部联系人|(企业微信|企微|wecom)(客户)?(id|userid)$/],
  ['national_id', /身份证|证件号|idcard|idnumber|nationalid|identitycard|citizenid/],
  ['vin', /^vin|vin$|vin码|车架|车辆识别|底盘号|chassis/],
  ['phone', /手机|电话|联系方式|mobile|phone|^cell|^tel|telephone/],
  ['email', /邮箱|邮件|^e?mail$|^e?mailaddress$/],
  [
    'user_id',
    /客户编号|客户id|客户代码|客户号|会员号|会员id|会员编号|会员卡号|用户id|用户编号|customerid|customerno|customercode|memberid|memberno|userid|^id$|^编号$/,
  ],
  ['name', /姓名|名字|客户名|车主$|联系人$|^客户$|^name$|fullname|customername|^名称$/],
  ['gender', /性别|gender|^sex$/],
  ['birthday', /生日|出生|birthday|birthdate|dateofbirth|^dob$/],
  ['province', /省份|^省$|所在省|province/],
  ['city', /城市|^市$|所在市|地市|city/],
  ['address', /地址|住址|address/],
  ['vehicle_of_interest', /意向|关注车|感兴趣|兴趣车|^车型$|^车系$|^车款$|vehicleofinterest|interest|^vehicle$|^car$|^model$/],
  ['owned_vehicle', /(现有|已购|保有|当前|拥有|购买|已有|现驾|在用)车|ownedvehicle|currentvehicle|currentcar/],
  ['budget', /预算|budget|价位/],
  ['tags', /标签|^tags?$|^labels?$/],
];

function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：*#()（）[\]【】<>《》"'“”‘’/\\|]/g, '')
    .replace(/必填|选填|可选|required|optional/g, '');
}

/** A consent field, 'ignore' for a consent question it can't place, null when the header is not about consent. */
function suggestConsent(key: string): ImportField | null {
  const mentionsMarketing = CONSENT_PURPOSES.some(([purpose, re]) => purpose === 'marketing' && re.test(key));
  if (INVERTED_CONSENT.test(key)) return 'ignore';
  if (!CONSENT_WORDS.test(key) && !mentionsMarketing) return null;
  const channel = CONSENT_CHANNELS.find(([, re]) => re.test(key))?.[0];
  if (!channel) return CONSENT_WORDS.test(key) ? 'ignore' : null;
  const purpose = CONSENT_PURPOSES.find(([, re]) => re.test(key))?.[0] ?? 'marketing';
  return `consent:${purpose}:${channel}`;
}

/** A first guess at the mapping from Chinese and English headers; columns it does not recognise are ignored. */
export function suggestMapping(headers: readonly string[], options: { wechatAppId?: string } = {}): ImportMapping {
  const taken = new Set<string>();
  const columns = headers.map((header, index): MappingColumn => {
    const key = headerKey(header);
    let field: ImportField = 'ignore';
    if (key && !NOT_THE_CUSTOMER.test(key)) {
      field = suggestConsent(key) ?? FIELD_PATTERNS.find(([, re]) => re.test(key))?.[0] ?? 'ignore';
    }
    if (field === 'wechat_openid' && !options.wechatAppId) field = 'ignore';
    if (!isRepeatableField(field) && taken.has(field)) field = 'ignore';
    taken.add(field);
    if (field === 'wechat_openid') return { index, field, appId: options.wechatAppId };
    if (field === 'budget' && /万/.test(key)) return { index, field, unit: 'wan' };
    return { index, field };
  });
  return { columns };
}

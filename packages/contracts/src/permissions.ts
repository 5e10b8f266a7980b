import { z } from 'zod';

/** Roles of DESIGN.md. */
export const Role = z.enum([
  'platform_admin',
  'oem_admin',
  'regional_manager',
  'group_admin',
  'store_manager',
  'consultant',
  'dcc_agent',
  'service_advisor',
  'analyst',
]);
export type Role = z.infer<typeof Role>;

/** Labels for people; code uses the enum values. */
export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  platform_admin: { zh: '平台管理员', en: 'Platform admin' },
  oem_admin: { zh: '主机厂管理员', en: 'OEM admin' },
  regional_manager: { zh: '大区经理', en: 'Regional manager' },
  group_admin: { zh: '经销商集团管理员', en: 'Dealer-group admin' },
  store_manager: { zh: '店总 / 销售经理', en: 'Store manager' },
  consultant: { zh: '销售顾问', en: 'Sales consultant' },
  dcc_agent: { zh: 'DCC 专员', en: 'DCC agent' },
  service_advisor: { zh: '服务顾问', en: 'Service advisor' },
  analyst: { zh: '数据分析师', en: 'Analyst' },
};

/** Every permission a route can require. */
export const Permission = z.enum([
  'org.read',
  'org.write',
  'users.read',
  'users.write',
  'users.reset_password',
  'roles.read',
  'api_keys.manage',
  'audit.read',
  'audit.export',
  'sources.manage',
  'customers.read',
  'customers.write',
  'customers.reveal',
  'customers.export',
  'customers.merge',
  'customers.erase',
  'customers.configure',
  'imports.run',
  'leads.read',
  'leads.create',
  'leads.work',
  'leads.claim',
  'leads.assign',
  'leads.approve_lost',
  'leads.configure',
  'webhooks.manage',
]);
export type Permission = z.infer<typeof Permission>;

export const PERMISSION_LABELS: Record<Permission, { zh: string; en: string }> = {
  'org.read': { zh: '查看组织架构', en: 'View organisation' },
  'org.write': { zh: '维护组织架构', en: 'Edit organisation' },
  'users.read': { zh: '查看用户', en: 'View users' },
  'users.write': { zh: '创建/编辑/停用用户', en: 'Create, edit, deactivate users' },
  'users.reset_password': { zh: '重置用户密码', en: 'Reset user passwords' },
  'roles.read': { zh: '查看角色权限', en: 'View roles and permissions' },
  'api_keys.manage': { zh: '管理 API 密钥', en: 'Manage API keys' },
  'audit.read': { zh: '查看审计日志', en: 'View audit log' },
  'audit.export': { zh: '导出审计日志', en: 'Export audit log' },
  'sources.manage': { zh: '管理数据源与写入密钥', en: 'Manage sources and write keys' },
  'customers.read': { zh: '查看客户', en: 'View customers' },
  'customers.write': { zh: '编辑客户标签、阶段与授权', en: 'Edit customer tags, stage and consent' },
  'customers.reveal': { zh: '查看完整手机号等个人信息', en: 'Reveal personal data' },
  'customers.export': { zh: '导出客户', en: 'Export customers' },
  'customers.merge': { zh: '合并/拆分客户、处理疑似重复', en: 'Merge, unmerge and review duplicates' },
  'customers.erase': { zh: '个人信息导出与删除（PIPL）', en: 'Data-subject export and erasure (PIPL)' },
  'customers.configure': { zh: '配置 One ID 规则与客户可见范围', en: 'Configure One ID rules and customer visibility' },
  'imports.run': { zh: '导入客户', en: 'Import customers' },
  'leads.read': { zh: '查看线索', en: 'View leads' },
  'leads.create': { zh: '录入线索（到店、来电）', en: 'Enter leads (walk-ins, phone-ins)' },
  'leads.work': { zh: '跟进线索：通话、邀约、试驾、订单', en: 'Work leads: calls, appointments, test drives, orders' },
  'leads.claim': { zh: '抢单', en: 'Claim leads from the pool' },
  'leads.assign': { zh: '分配/改派线索', en: 'Assign and reassign leads' },
  'leads.approve_lost': { zh: '审批战败申请', en: 'Approve lost requests' },
  'leads.configure': { zh: '配置线索分配规则与 SLA', en: 'Configure lead routing and SLAs' },
  'webhooks.manage': { zh: '管理 Webhook', en: 'Manage webhooks' },
};

/**
 * How far a role's reads reach. tenant: the whole tenant; subtree: the user's org unit and
 * everything below it; own: only records assigned to the user.
 */
export const DataScope = z.enum(['tenant', 'subtree', 'own']);
export type DataScope = z.infer<typeof DataScope>;

const ALL = Permission.options;

/** The permission matrix, as data. docs/permissions.md is generated from it. */
export const ROLE_MATRIX: Record<Role, { scope: DataScope; permissions: readonly Permission[] }> = {
  platform_admin: { scope: 'tenant', permissions: ALL },
  oem_admin: { scope: 'tenant', permissions: ALL },
  regional_manager: {
    scope: 'subtree',
    permissions: ['org.read', 'users.read', 'roles.read', 'audit.read', 'customers.read', 'leads.read'],
  },
  group_admin: {
    scope: 'subtree',
    permissions: [
      'org.read',
      'org.write',
      'users.read',
      'users.write',
      'users.reset_password',
      'roles.read',
      'audit.read',
      'customers.read',
      'customers.write',
      'customers.export',
      'leads.read',
      'leads.assign',
      'leads.approve_lost',
    ],
  },
  store_manager: {
    scope: 'subtree',
    permissions: [
      'org.read',
      'users.read',
      'users.write',
      'users.reset_password',
      'roles.read',
      'customers.read',
      'customers.write',
      'customers.reveal',
      'customers.export',
      'customers.merge',
      'imports.run',
      'leads.read',
      'leads.create',
      'leads.work',
      'leads.claim',
      'leads.assign',
      'leads.approve_lost',
    ],
  },
  // Consultants and DCC agents call their own customers, so they may reveal their numbers (audited).
  consultant: {
    scope: 'own',
    permissions: [
      'org.read',
      'customers.read',
      'customers.write',
      'customers.reveal',
      'leads.read',
      'leads.create',
      'leads.work',
      'leads.claim',
    ],
  },
  dcc_agent: {
    scope: 'own',
    permissions: [
      'org.read',
      'customers.read',
      'customers.write',
      'customers.reveal',
      'leads.read',
      'leads.create',
      'leads.work',
      'leads.claim',
    ],
  },
  service_advisor: { scope: 'subtree', permissions: ['org.read', 'customers.read'] },
  // Analysts read and export, always masked.
  analyst: {
    scope: 'tenant',
    permissions: ['org.read', 'users.read', 'roles.read', 'audit.read', 'audit.export', 'customers.read', 'customers.export', 'leads.read'],
  },
};

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_MATRIX[role].permissions.includes(permission);
}

/** Roles a user holding `role` may hand out: never a role above their own. */
export const ROLE_RANK: Record<Role, number> = {
  platform_admin: 100,
  oem_admin: 90,
  regional_manager: 70,
  group_admin: 60,
  store_manager: 50,
  analyst: 40,
  service_advisor: 30,
  dcc_agent: 30,
  consultant: 30,
};

import {
  AimOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  ContactsOutlined,
  DashboardOutlined,
  DeploymentUnitOutlined,
  HomeOutlined,
  ImportOutlined,
  KeyOutlined,
  MergeOutlined,
  NodeIndexOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  SettingOutlined,
  TeamOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import type { Permission } from '@forecourt/contracts';
import type { ReactNode } from 'react';

/** The side navigation as data: later domains add entries; groups with nothing visible are hidden. */
export interface NavItem {
  path: string;
  label: string; // i18n key
  icon: ReactNode;
  permission?: Permission;
}
export interface NavGroup {
  key: 'customers' | 'leads' | 'marketing' | 'reports' | 'vehicles' | 'settings';
  items: NavItem[];
}

export const NAV: NavGroup[] = [
  {
    key: 'customers',
    items: [
      { path: '/customers', label: 'nav.customerList', icon: <ContactsOutlined />, permission: 'customers.read' },
      { path: '/customers/duplicates', label: 'nav.duplicates', icon: <MergeOutlined />, permission: 'customers.merge' },
      { path: '/customers/imports', label: 'nav.imports', icon: <ImportOutlined />, permission: 'imports.run' },
      { path: '/customers/sources', label: 'nav.sources', icon: <ApiOutlined />, permission: 'sources.manage' },
    ],
  },
  {
    key: 'leads',
    items: [
      { path: '/leads/workbench', label: 'nav.workbench', icon: <DashboardOutlined />, permission: 'leads.read' },
      { path: '/leads', label: 'nav.leadList', icon: <AimOutlined />, permission: 'leads.read' },
      { path: '/leads/new', label: 'nav.newLead', icon: <UserAddOutlined />, permission: 'leads.create' },
    ],
  },
  { key: 'marketing', items: [] },
  { key: 'reports', items: [] },
  { key: 'vehicles', items: [] },
  {
    key: 'settings',
    items: [
      { path: '/settings/org', label: 'nav.org', icon: <ApartmentOutlined />, permission: 'org.read' },
      { path: '/settings/users', label: 'nav.users', icon: <TeamOutlined />, permission: 'users.read' },
      { path: '/settings/roles', label: 'nav.roles', icon: <SafetyCertificateOutlined />, permission: 'roles.read' },
      { path: '/settings/customer-data', label: 'nav.customerData', icon: <DeploymentUnitOutlined />, permission: 'customers.configure' },
      { path: '/settings/routing', label: 'nav.routing', icon: <NodeIndexOutlined />, permission: 'leads.configure' },
      { path: '/settings/leads', label: 'nav.leadSettings', icon: <SettingOutlined />, permission: 'leads.configure' },
      { path: '/settings/api-keys', label: 'nav.apiKeys', icon: <KeyOutlined />, permission: 'api_keys.manage' },
      { path: '/settings/webhooks', label: 'nav.webhooks', icon: <SendOutlined />, permission: 'webhooks.manage' },
      { path: '/settings/audit', label: 'nav.audit', icon: <AuditOutlined />, permission: 'audit.read' },
    ],
  },
];

export const HOME: NavItem = { path: '/', label: 'nav.home', icon: <HomeOutlined /> };

import { GlobalOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { ROLE_LABELS } from '@forecourt/contracts';
import { Avatar, Dropdown, Grid, Layout, Menu, Segmented, Space, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth';
import type { Language } from '../i18n';
import { HOME, NAV } from '../nav';
import { NotificationBell } from './NotificationBell';

export function AppLayout() {
  const { t, i18n } = useTranslation();
  const { me, can, signOut, setLanguage } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  // At phone width the header keeps only the icons, so nothing wraps or pushes the page sideways.
  const narrow = !Grid.useBreakpoint().lg;
  if (!me) return null;
  const lang = i18n.language as Language;

  const groups = NAV.map((g) => ({ ...g, items: g.items.filter((i) => !i.permission || can(i.permission)) })).filter(
    (g) => g.items.length > 0,
  );
  const items: MenuProps['items'] = [
    { key: HOME.path, icon: HOME.icon, label: t(HOME.label) },
    ...groups.map((g) => ({
      key: g.key,
      type: 'group' as const,
      label: t(`nav.${g.key}`),
      children: g.items.map((i) => ({ key: i.path, icon: i.icon, label: t(i.label), 'data-testid': `nav-${i.path}` })),
    })),
  ];
  // The longest matching path wins: /customers/sources selects 数据源, not 客户列表 too.
  const selected = [...NAV.flatMap((g) => g.items), HOME]
    .map((i) => i.path)
    .filter((p) => p === location.pathname || (p !== '/' && location.pathname.startsWith(`${p}/`)))
    .sort((a, b) => b.length - a.length)
    .slice(0, 1);
  const roleLabel = ROLE_LABELS[me.user.role][lang === 'en' ? 'en' : 'zh'];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        breakpoint="lg"
        collapsedWidth={0}
        width={216}
        theme="light"
        style={{ borderRight: '1px solid #f0f0f0' }}
        zeroWidthTriggerStyle={{ top: 12, zIndex: 10 }}
      >
        <div
          style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', fontWeight: 600, fontSize: 17, color: '#1677ff' }}
        >
          {t('app.short')}
        </div>
        <Menu
          mode="inline"
          items={items}
          selectedKeys={selected}
          onClick={(e) => navigate(e.key)}
          data-testid="side-nav"
          style={{ borderInlineEnd: 0 }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: narrow ? '0 12px 0 16px' : '0 24px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Typography.Text strong ellipsis style={{ minWidth: 0, visibility: narrow ? 'hidden' : 'visible' }} data-testid="tenant-name">
            {me.tenant.name}
          </Typography.Text>
          <Space size={narrow ? 'small' : 'large'}>
            <NotificationBell />
            <Space>
              {!narrow && <GlobalOutlined />}
              <Segmented<Language>
                size="small"
                value={lang}
                options={[
                  { label: '中文', value: 'zh-CN' },
                  { label: 'English', value: 'en' },
                ]}
                onChange={(v) => void setLanguage(v)}
                data-testid="lang-switch"
              />
            </Space>
            <Dropdown
              menu={{
                items: [
                  { key: 'me', icon: <UserOutlined />, label: t('nav.me'), onClick: () => navigate('/me') },
                  {
                    key: 'logout',
                    icon: <LogoutOutlined />,
                    label: <span data-testid="logout">{t('header.logout')}</span>,
                    onClick: () => void signOut().then(() => navigate('/login')),
                  },
                ],
              }}
            >
              <Space style={{ cursor: 'pointer' }} data-testid="user-menu">
                <Avatar size="small" icon={<UserOutlined />} />
                {!narrow && <span>{me.user.displayName}</span>}
                {!narrow && <Typography.Text type="secondary">{roleLabel}</Typography.Text>}
              </Space>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: narrow ? 12 : 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

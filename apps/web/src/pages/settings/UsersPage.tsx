import { PlusOutlined } from '@ant-design/icons';
import { ROLE_LABELS, ROLE_RANK, Role, type User } from '@forecourt/contracts';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Drawer, Form, Input, Modal, Select, Space, Switch, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, patch, post, qs, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import { buildTree, unitName, useOrgUnits, type TreeOption, type UnitNode } from '../../components/orgUnits';
import { LoadMore } from '../../components/LoadMore';
import { formatTime } from '../../format';

interface Filters {
  q?: string;
  role?: string;
  orgUnitId?: string;
  active?: string;
}

export function UsersPage() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [filters, setFilters] = useState<Filters>({ active: 'true' });
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [form] = Form.useForm();
  const [resetForm] = Form.useForm();
  const units = useOrgUnits(false);
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';

  const list = useInfiniteQuery({
    queryKey: ['users', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<{ items: User[]; nextCursor: string | null }>(`/api/users${qs({ ...filters, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const treeData = useMemo(() => {
    const conv = (nodes: UnitNode[]): TreeOption[] =>
      nodes.map((n) => ({ value: n.unit.id, title: `${unitName(n.unit, i18n.language)} (${n.unit.code})`, children: conv(n.children) }));
    return conv(buildTree(units.data ?? []));
  }, [units.data, i18n.language]);

  const myRank = me ? ROLE_RANK[me.user.role] : 0;
  const roleOptions = Role.options.filter((r) => ROLE_RANK[r] <= myRank).map((r) => ({ value: r, label: ROLE_LABELS[r][lang] }));
  const refresh = () => client.invalidateQueries({ queryKey: ['users'] });

  const showError = (e: unknown, f?: typeof form) => {
    if (e instanceof ApiError) {
      if (f) showFieldErrors(f, e);
      if (e.code === 'CONFLICT' && (e.details as { currentVersion?: number } | undefined)?.currentVersion !== undefined) {
        message.warning(t('common.conflict'));
        void refresh();
        return;
      }
    }
    message.error(e instanceof ApiError ? e.display : String(e));
  };

  const openEdit = (u: User | 'new') => {
    setEditing(u);
    form.resetFields();
    if (u !== 'new') form.setFieldsValue({ displayName: u.displayName, role: u.role, orgUnitId: u.orgUnitId, onDuty: u.onDuty });
    else form.setFieldsValue({ onDuty: true, role: 'consultant' });
  };

  const save = async () => {
    const v = await form.validateFields();
    try {
      if (editing === 'new') await post('/api/users', { ...v, phone: v.phone || null });
      else if (editing) {
        const body: Record<string, unknown> = {
          displayName: v.displayName,
          role: v.role,
          orgUnitId: v.orgUnitId,
          onDuty: v.onDuty,
          version: editing.version,
        };
        if (v.phone) body.phone = v.phone;
        await patch(`/api/users/${editing.id}`, body);
      }
      message.success(t('common.saved'));
      setEditing(null);
      void refresh();
    } catch (e) {
      showError(e, form);
    }
  };

  const setActive = async (u: User, active: boolean) => {
    try {
      await patch(`/api/users/${u.id}`, { active, version: u.version });
      void refresh();
    } catch (e) {
      showError(e);
    }
  };

  const reset = async () => {
    const v = await resetForm.validateFields();
    try {
      await post(`/api/users/${resetting!.id}/reset-password`, { password: v.password });
      message.success(t('users.resetDone'));
      setResetting(null);
    } catch (e) {
      showError(e, resetForm);
    }
  };

  const writable = can('users.write');
  return (
    <Card
      title={t('users.title')}
      extra={
        writable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => openEdit('new')} data-testid="user-create">
            {t('common.create')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('users.searchPlaceholder')}
          onSearch={(q) => setFilters((f) => ({ ...f, q }))}
          style={{ width: 220 }}
          data-testid="user-search"
        />
        <Select
          allowClear
          placeholder={t('users.role')}
          style={{ width: 180 }}
          options={Role.options.map((r) => ({ value: r, label: ROLE_LABELS[r][lang] }))}
          onChange={(role) => setFilters((f) => ({ ...f, role }))}
        />
        <TreeSelect
          allowClear
          placeholder={t('users.unit')}
          style={{ width: 240 }}
          treeData={treeData}
          treeDefaultExpandAll
          onChange={(orgUnitId) => setFilters((f) => ({ ...f, orgUnitId }))}
        />
        <Select
          style={{ width: 120 }}
          value={filters.active ?? ''}
          options={[
            { value: '', label: t('common.all') },
            { value: 'true', label: t('common.active') },
            { value: 'false', label: t('common.inactive') },
          ]}
          onChange={(active) => setFilters((f) => ({ ...f, active: active || undefined }))}
        />
      </Space>
      <Table<User>
        rowKey="id"
        size="middle"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="users-table"
        columns={[
          { title: t('users.login'), dataIndex: 'login', render: (v: string) => <span data-testid="user-login">{v}</span> },
          { title: t('users.name'), dataIndex: 'displayName' },
          { title: t('users.role'), dataIndex: 'role', render: (r: Role) => ROLE_LABELS[r][lang] },
          { title: t('users.unit'), dataIndex: 'orgUnitName' },
          { title: t('users.phone'), dataIndex: 'phoneMasked', render: (v: string | null) => v ?? '—' },
          { title: t('users.onDuty'), dataIndex: 'onDuty', render: (v: boolean) => (v ? t('common.yes') : t('common.no')) },
          {
            title: t('common.status'),
            dataIndex: 'active',
            render: (v: boolean) => (v ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>),
          },
          {
            title: t('users.lastLogin'),
            dataIndex: 'lastLoginAt',
            render: (v: string | null) => (v ? formatTime(v, tz) : t('users.never')),
          },
          ...(writable
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, u: User) => (
                    <Space size="small" style={{ whiteSpace: 'nowrap' }}>
                      <a onClick={() => openEdit(u)}>{t('common.edit')}</a>
                      {can('users.reset_password') && <a onClick={() => setResetting(u)}>{t('users.resetPassword')}</a>}
                      {u.id !== me?.user.id &&
                        (u.active ? (
                          <a onClick={() => void setActive(u, false)}>{t('common.deactivate')}</a>
                        ) : (
                          <a onClick={() => void setActive(u, true)}>{t('common.reactivate')}</a>
                        ))}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <LoadMore list={list} />
      <Drawer
        open={editing !== null}
        onClose={() => setEditing(null)}
        width={420}
        title={editing === 'new' ? t('users.createTitle') : t('users.editTitle')}
        extra={
          <Button type="primary" onClick={() => void save()} data-testid="user-save">
            {t('common.save')}
          </Button>
        }
      >
        <Form form={form} layout="vertical">
          {editing === 'new' && (
            <Form.Item name="login" label={t('users.login')} rules={[{ required: true }]}>
              <Input data-testid="user-form-login" />
            </Form.Item>
          )}
          <Form.Item name="displayName" label={t('users.name')} rules={[{ required: true }]}>
            <Input data-testid="user-form-name" />
          </Form.Item>
          <Form.Item
            name="phone"
            label={t('users.phone')}
            extra={editing !== 'new' && editing?.phoneMasked ? editing.phoneMasked : undefined}
          >
            <Input placeholder="138 0013 8000" />
          </Form.Item>
          <Form.Item name="role" label={t('users.role')} rules={[{ required: true }]}>
            <Select options={roleOptions} data-testid="user-form-role" />
          </Form.Item>
          <Form.Item name="orgUnitId" label={t('users.unit')} rules={[{ required: true }]}>
            <TreeSelect treeData={treeData} treeDefaultExpandAll showSearch treeNodeFilterProp="title" data-testid="user-form-unit" />
          </Form.Item>
          {editing === 'new' && (
            <Form.Item name="password" label={t('users.password')} extra={t('users.passwordHint')} rules={[{ required: true, min: 10 }]}>
              <Input.Password data-testid="user-form-password" />
            </Form.Item>
          )}
          <Form.Item name="onDuty" label={t('users.onDuty')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Drawer>
      <Modal
        open={resetting !== null}
        title={`${t('users.resetPassword')}: ${resetting?.login ?? ''}`}
        onOk={() => void reset()}
        onCancel={() => setResetting(null)}
        destroyOnHidden
      >
        <Form form={resetForm} layout="vertical">
          <Form.Item name="password" label={t('users.newPassword')} extra={t('users.passwordHint')} rules={[{ required: true, min: 10 }]}>
            <Input.Password />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

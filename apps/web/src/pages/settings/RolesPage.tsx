import { CheckOutlined } from '@ant-design/icons';
import { PERMISSION_LABELS, ROLE_LABELS, ROLE_MATRIX, Permission, Role } from '@forecourt/contracts';
import { Card, Table } from 'antd';
import { useTranslation } from 'react-i18next';

/** Read-only: the matrix is code (packages/contracts/src/permissions.ts), reviewed like code. */
export function RolesPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  type Row = { key: string; label: string; cells: Record<Role, React.ReactNode> };
  const scopeRow: Row = {
    key: 'scope',
    label: t('roles.scope'),
    cells: Object.fromEntries(Role.options.map((r) => [r, <strong key={r}>{t(`roles.scope_${ROLE_MATRIX[r].scope}`)}</strong>])) as Record<
      Role,
      React.ReactNode
    >,
  };
  const rows: Row[] = [
    scopeRow,
    ...Permission.options.map((p) => ({
      key: p,
      label: PERMISSION_LABELS[p][lang],
      cells: Object.fromEntries(
        Role.options.map((r) => [
          r,
          ROLE_MATRIX[r].permissions.includes(p) ? <CheckOutlined key={r} style={{ color: '#52c41a' }} /> : null,
        ]),
      ) as Record<Role, React.ReactNode>,
    })),
  ];
  return (
    <Card title={t('roles.title')}>
      <Table<Row>
        size="small"
        bordered
        pagination={false}
        scroll={{ x: 1100 }}
        dataSource={rows}
        data-testid="roles-matrix"
        columns={[
          { title: t('roles.permission'), dataIndex: 'label', fixed: 'left', width: 200 },
          ...Role.options.map((r) => ({
            title: ROLE_LABELS[r][lang],
            key: r,
            align: 'center' as const,
            render: (_: unknown, row: Row) => row.cells[r],
          })),
        ]}
      />
    </Card>
  );
}

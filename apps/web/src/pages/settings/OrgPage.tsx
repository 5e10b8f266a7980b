import { PlusOutlined } from '@ant-design/icons';
import { ALLOWED_PARENTS, type CreateOrgUnit, type OrgUnit, type OrgUnitType } from '@forecourt/contracts';
import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Tag,
  Tree,
  TreeSelect,
  Typography,
} from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, patch, post, showFieldErrors } from '../../api/client';
import { useSession } from '../../auth';
import { buildTree, UNIT_ICON, unitName, useOrgUnits, type TreeOption, type UnitNode } from '../../components/orgUnits';

type FormMode = { kind: 'create'; parent: OrgUnit | null } | { kind: 'edit'; unit: OrgUnit };

function childTypes(parent: OrgUnit | null): OrgUnitType[] {
  return (Object.keys(ALLOWED_PARENTS) as OrgUnitType[]).filter((t) => ALLOWED_PARENTS[t].includes(parent ? parent.type : null));
}

export function OrgPage() {
  const { t, i18n } = useTranslation();
  const { can, me } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [showInactive, setShowInactive] = useState(true);
  const units = useOrgUnits(true);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [mode, setMode] = useState<FormMode | null>(null);
  const [moving, setMoving] = useState<OrgUnit | null>(null);
  const [form] = Form.useForm();
  const [moveTo, setMoveTo] = useState<string | null>(null);
  const writable = can('org.write');
  const lang = i18n.language;

  const all = useMemo(() => (units.data ?? []).filter((u) => showInactive || u.active), [units.data, showInactive]);
  const tree = useMemo(() => buildTree(all), [all]);
  const selected = all.find((u) => u.id === selectedId) ?? null;

  const toData = (nodes: UnitNode[]): DataNode[] =>
    nodes.map((n) => ({
      key: n.unit.id,
      icon: UNIT_ICON[n.unit.type],
      title: (
        <span style={{ color: n.unit.active ? undefined : '#bfbfbf' }} data-testid={`org-node-${n.unit.code}`}>
          {unitName(n.unit, lang)} <Typography.Text type="secondary">{n.unit.code}</Typography.Text>
        </span>
      ),
      children: toData(n.children),
    }));

  const refresh = () => client.invalidateQueries({ queryKey: ['org-units'] });
  const fail = (e: unknown) => {
    if (
      e instanceof ApiError &&
      e.code === 'CONFLICT' &&
      (e.details as { currentVersion?: number } | undefined)?.currentVersion !== undefined
    ) {
      message.warning(t('common.conflict'));
      void refresh();
    } else message.error(e instanceof ApiError ? e.display : String(e));
  };

  const openForm = (m: FormMode) => {
    setMode(m);
    form.resetFields();
    if (m.kind === 'edit') form.setFieldsValue(m.unit);
    else form.setFieldsValue({ type: childTypes(m.parent)[0], province: m.parent?.province, city: m.parent?.city });
  };

  const save = async () => {
    const v = (await form.validateFields()) as CreateOrgUnit;
    try {
      if (mode?.kind === 'edit') {
        await patch(`/api/org/units/${mode.unit.id}`, {
          code: v.code,
          nameZh: v.nameZh,
          nameEn: v.nameEn,
          province: v.province ?? null,
          city: v.city ?? null,
          address: v.address ?? null,
          version: mode.unit.version,
        });
      } else if (mode?.kind === 'create') {
        const created = await post<OrgUnit>('/api/org/units', { ...v, parentId: mode.parent?.id ?? null });
        setSelectedId(created.id);
      }
      message.success(t('common.saved'));
      setMode(null);
      void refresh();
    } catch (e) {
      showFieldErrors(form, e);
      fail(e);
    }
  };

  const setActive = async (u: OrgUnit, active: boolean) => {
    try {
      await post(`/api/org/units/${u.id}/${active ? 'reactivate' : 'deactivate'}`, { version: u.version });
      void refresh();
    } catch (e) {
      fail(e);
    }
  };

  const move = async () => {
    if (!moving) return;
    try {
      await post(`/api/org/units/${moving.id}/move`, { parentId: moveTo, version: moving.version });
      setMoving(null);
      void refresh();
    } catch (e) {
      fail(e);
    }
  };

  const hours = (u: OrgUnit) => {
    const days = t('org.weekdays', { returnObjects: true }) as string[];
    if (u.businessHours.length === 0) return '—';
    return u.businessHours.map((h) => `${days[h.day - 1]} ${h.open}–${h.close}`).join('，');
  };

  return (
    <Row gutter={16}>
      <Col xs={24} md={10}>
        <Card
          title={t('org.title')}
          extra={
            <Space>
              <Checkbox checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)}>
                {t('org.showInactive')}
              </Checkbox>
              {writable && me?.scope === 'tenant' && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => openForm({ kind: 'create', parent: null })}>
                  {t('org.addTop')}
                </Button>
              )}
            </Space>
          }
        >
          {tree.length ? (
            <Tree
              showIcon
              defaultExpandAll
              treeData={toData(tree)}
              selectedKeys={selectedId ? [selectedId] : []}
              onSelect={(keys) => setSelectedId((keys[0] as string) ?? null)}
              data-testid="org-tree"
            />
          ) : (
            <Empty />
          )}
        </Card>
      </Col>
      <Col xs={24} md={14}>
        <Card title={selected ? unitName(selected, lang) : t('org.title')} data-testid="org-detail">
          {!selected ? (
            <Empty description={t('org.select')} />
          ) : (
            <>
              <Descriptions column={1} bordered size="small">
                <Descriptions.Item label={t('org.type')}>
                  {UNIT_ICON[selected.type]} {t(`unitType.${selected.type}`)} {!selected.active && <Tag>{t('common.inactive')}</Tag>}
                </Descriptions.Item>
                <Descriptions.Item label={t('org.code')}>{selected.code}</Descriptions.Item>
                <Descriptions.Item label={t('org.nameZh')}>{selected.nameZh}</Descriptions.Item>
                <Descriptions.Item label={t('org.nameEn')}>{selected.nameEn}</Descriptions.Item>
                <Descriptions.Item label={t('org.province')}>
                  {[selected.province, selected.city].filter(Boolean).join(' ') || '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('org.address')}>{selected.address ?? '—'}</Descriptions.Item>
                <Descriptions.Item label={t('org.hours')}>{hours(selected)}</Descriptions.Item>
                <Descriptions.Item label={t('org.timeZone')}>{selected.timeZone}</Descriptions.Item>
              </Descriptions>
              {writable && (
                <Space style={{ marginTop: 16 }} wrap>
                  {childTypes(selected).length > 0 && selected.active && (
                    <Button
                      icon={<PlusOutlined />}
                      onClick={() => openForm({ kind: 'create', parent: selected })}
                      data-testid="org-add-child"
                    >
                      {t('org.addChild')}
                    </Button>
                  )}
                  <Button onClick={() => openForm({ kind: 'edit', unit: selected })}>{t('common.edit')}</Button>
                  <Button
                    onClick={() => {
                      setMoving(selected);
                      setMoveTo(selected.parentId);
                    }}
                  >
                    {t('org.move')}
                  </Button>
                  {selected.active ? (
                    <Button danger onClick={() => void setActive(selected, false)}>
                      {t('common.deactivate')}
                    </Button>
                  ) : (
                    <Button onClick={() => void setActive(selected, true)}>{t('common.reactivate')}</Button>
                  )}
                </Space>
              )}
            </>
          )}
        </Card>
      </Col>
      <Drawer
        open={mode !== null}
        onClose={() => setMode(null)}
        width={420}
        title={mode?.kind === 'edit' ? t('common.edit') : t('org.addChild')}
        extra={
          <Button type="primary" onClick={() => void save()} data-testid="org-save">
            {t('common.save')}
          </Button>
        }
      >
        <Form form={form} layout="vertical">
          {mode?.kind === 'create' && (
            <Form.Item name="type" label={t('org.type')} rules={[{ required: true }]}>
              <Select options={childTypes(mode.parent).map((ty) => ({ value: ty, label: t(`unitType.${ty}`) }))} />
            </Form.Item>
          )}
          <Form.Item name="code" label={t('org.code')} rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{2,32}$/ }]}>
            <Input data-testid="org-code" />
          </Form.Item>
          <Form.Item name="nameZh" label={t('org.nameZh')} rules={[{ required: true }]}>
            <Input data-testid="org-name-zh" />
          </Form.Item>
          <Form.Item name="nameEn" label={t('org.nameEn')} rules={[{ required: true }]}>
            <Input data-testid="org-name-en" />
          </Form.Item>
          <Form.Item name="province" label={t('org.province')}>
            <Input />
          </Form.Item>
          <Form.Item name="city" label={t('org.city')}>
            <Input />
          </Form.Item>
          <Form.Item name="address" label={t('org.address')}>
            <Input />
          </Form.Item>
        </Form>
      </Drawer>
      <Modal
        open={moving !== null}
        title={`${t('org.move')}: ${moving ? unitName(moving, lang) : ''}`}
        onOk={() => void move()}
        onCancel={() => setMoving(null)}
      >
        <Typography.Paragraph>{t('org.moveTo')}</Typography.Paragraph>
        <TreeSelect
          style={{ width: '100%' }}
          value={moveTo ?? undefined}
          allowClear
          placeholder={t('org.root')}
          onChange={(v) => setMoveTo((v as string | undefined) ?? null)}
          treeDefaultExpandAll
          treeData={(function conv(nodes: UnitNode[]): TreeOption[] {
            return nodes.map((n) => ({
              value: n.unit.id,
              title: unitName(n.unit, lang),
              disabled: n.unit.id === moving?.id,
              children: n.unit.id === moving?.id ? [] : conv(n.children),
            }));
          })(tree)}
        />
      </Modal>
    </Row>
  );
}

import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { TraitRule, type CdpSettings, type CdpSettingsView, type IdentityType } from '@forecourt/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Input, InputNumber, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, get } from '../../api/client';
import { useSession } from '../../auth';
import { formatTime } from '../../format';

/**
 * One ID rules of the tenant: which identity types are strongest and how many values a profile may hold,
 * the merge guardrails, survivorship per trait, source priority and who sees which profiles.
 */
export function CustomerDataPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const tz = me?.tenant.timeZone ?? 'Asia/Shanghai';
  const view = useQuery({ queryKey: ['customer-data-settings'], queryFn: () => get<CdpSettingsView>('/api/settings/customer-data') });
  const [draft, setDraft] = useState<CdpSettings>();
  const [newTrait, setNewTrait] = useState('');
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (view.data) setDraft(structuredClone(view.data.settings));
  }, [view.data]);

  if (!view.data || !draft) return <Card loading title={t('cdpSettings.title')} />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(view.data.settings);
  const set = (patch: Partial<CdpSettings>) => setDraft({ ...draft, ...patch });

  const save = async () => {
    setSaving(true);
    try {
      const saved = await api<CdpSettingsView>('PUT', '/api/settings/customer-data', { version: view.data.version, settings: draft });
      queryClient.setQueryData(['customer-data-settings'], saved);
      message.success(t('cdpSettings.saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) message.error(t('cdpSettings.stale'));
      else message.error(e instanceof ApiError ? e.display : String(e));
    } finally {
      setSaving(false);
    }
  };

  const types = Object.entries(draft.identityTypes) as Array<[IdentityType, { priority: number; maxPerProfile: number | null }]>;
  types.sort((a, b) => a[1].priority - b[1].priority);
  const setType = (type: IdentityType, patch: Partial<{ priority: number; maxPerProfile: number | null }>) =>
    set({ identityTypes: { ...draft.identityTypes, [type]: { ...draft.identityTypes[type], ...patch } } });
  const moveSource = (i: number, by: -1 | 1) => {
    const list = [...draft.sourcePriority];
    [list[i], list[i + by]] = [list[i + by]!, list[i]!];
    set({ sourcePriority: list });
  };
  const traitRows = Object.entries(draft.traitRules).map(([trait, rule]) => ({ trait, rule }));

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={t('cdpSettings.title')}
        extra={
          <Space>
            <Typography.Text type="secondary" data-testid="cdp-version">
              {view.data.updatedAt ? t('cdpSettings.lastSaved', { at: formatTime(view.data.updatedAt, tz) }) : t('cdpSettings.defaults')}
            </Typography.Text>
            <Button disabled={!dirty} onClick={() => setDraft(structuredClone(view.data.settings))} data-testid="cdp-discard">
              {t('cdpSettings.discard')}
            </Button>
            <Button type="primary" disabled={!dirty} loading={saving} onClick={() => void save()} data-testid="cdp-save">
              {t('cdpSettings.save')}
            </Button>
          </Space>
        }
      >
        <Alert type="info" showIcon message={t('cdpSettings.intro')} />
      </Card>

      <Card title={t('cdpSettings.visibility')} size="small">
        <Radio.Group
          value={draft.profileVisibility}
          onChange={(e) => set({ profileVisibility: e.target.value as CdpSettings['profileVisibility'] })}
          data-testid="cdp-visibility"
        >
          <Space direction="vertical">
            <Radio value="linked">{t('cdpSettings.visibilityLinked')}</Radio>
            <Radio value="tenant">{t('cdpSettings.visibilityTenant')}</Radio>
          </Space>
        </Radio.Group>
      </Card>

      <Card title={t('cdpSettings.guardrails')} size="small">
        <Space direction="vertical">
          <Space>
            <span>{t('cdpSettings.maxProfilesPerMerge')}</span>
            <InputNumber
              min={2}
              max={50}
              value={draft.maxProfilesPerMerge}
              onChange={(v) => v !== null && set({ maxProfilesPerMerge: v })}
              data-testid="cdp-max-merge"
            />
          </Space>
          <Typography.Text type="secondary">{t('cdpSettings.maxProfilesPerMergeHint')}</Typography.Text>
          <Space>
            <span>{t('cdpSettings.sharedAfterConflicts')}</span>
            <InputNumber
              min={1}
              max={1000}
              value={draft.sharedAfterConflicts}
              onChange={(v) => v !== null && set({ sharedAfterConflicts: v })}
              data-testid="cdp-shared-after"
            />
          </Space>
          <Typography.Text type="secondary">{t('cdpSettings.sharedAfterConflictsHint')}</Typography.Text>
        </Space>
      </Card>

      <Card title={t('cdpSettings.identityTypes')} size="small">
        <Table
          rowKey={([type]) => type}
          size="small"
          pagination={false}
          dataSource={types}
          data-testid="cdp-identity-types"
          onRow={([type]) => ({ 'data-testid': `cdp-type-${type}` }) as never}
          columns={[
            { title: t('cdpSettings.type'), render: (_, [type]) => t(`identityType.${type}`) },
            {
              title: t('cdpSettings.priority'),
              render: (_, [type, rule]) => (
                <InputNumber min={1} max={99} value={rule.priority} onChange={(v) => v !== null && setType(type, { priority: v })} />
              ),
            },
            {
              title: t('cdpSettings.perProfile'),
              render: (_, [type, rule]) => (
                <Space>
                  <Checkbox
                    checked={rule.maxPerProfile === null}
                    onChange={(e) => setType(type, { maxPerProfile: e.target.checked ? null : 1 })}
                    data-testid="cdp-type-unlimited"
                  >
                    {t('cdpSettings.unlimited')}
                  </Checkbox>
                  {rule.maxPerProfile !== null && (
                    <InputNumber
                      min={1}
                      max={100}
                      value={rule.maxPerProfile}
                      onChange={(v) => v !== null && setType(type, { maxPerProfile: v })}
                      data-testid="cdp-type-max"
                    />
                  )}
                </Space>
              ),
            },
          ]}
        />
        <Typography.Text type="secondary">{t('cdpSettings.identityTypesHint')}</Typography.Text>
      </Card>

      <Card title={t('cdpSettings.traitRules')} size="small">
        <Table
          rowKey="trait"
          size="small"
          pagination={false}
          dataSource={traitRows}
          data-testid="cdp-trait-rules"
          columns={[
            { title: t('cdpSettings.trait'), dataIndex: 'trait', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            {
              title: t('cdpSettings.rule'),
              render: (_, row) => (
                <Select
                  style={{ width: 220 }}
                  value={row.rule}
                  options={TraitRule.options.map((r) => ({ value: r, label: t(`traitRule.${r}`) }))}
                  onChange={(rule) => set({ traitRules: { ...draft.traitRules, [row.trait]: rule } })}
                />
              ),
            },
            {
              width: 60,
              render: (_, row) => (
                <Button
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label={t('cdpSettings.removeTrait')}
                  onClick={() => set({ traitRules: Object.fromEntries(Object.entries(draft.traitRules).filter(([k]) => k !== row.trait)) })}
                />
              ),
            },
          ]}
        />
        <Space style={{ marginTop: 8 }}>
          <Input
            placeholder={t('cdpSettings.traitPlaceholder')}
            value={newTrait}
            maxLength={64}
            onChange={(e) => setNewTrait(e.target.value)}
            data-testid="cdp-new-trait"
          />
          <Button
            icon={<PlusOutlined />}
            disabled={!newTrait.trim() || newTrait.trim() in draft.traitRules}
            onClick={() => {
              set({ traitRules: { ...draft.traitRules, [newTrait.trim()]: 'source_priority' } });
              setNewTrait('');
            }}
            data-testid="cdp-add-trait"
          >
            {t('cdpSettings.addTrait')}
          </Button>
        </Space>
        <div>
          <Typography.Text type="secondary">{t('cdpSettings.traitRulesHint')}</Typography.Text>
        </div>
      </Card>

      <Card title={t('cdpSettings.sourcePriority')} size="small">
        <Space direction="vertical" data-testid="cdp-source-priority">
          {draft.sourcePriority.map((kind, i) => (
            <Space key={kind}>
              <Tag style={{ width: 28, textAlign: 'center' }}>{i + 1}</Tag>
              <span style={{ display: 'inline-block', width: 260 }}>{t(`sourceKind.${kind}`)}</span>
              <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => moveSource(i, -1)} aria-label="up" />
              <Button
                size="small"
                icon={<ArrowDownOutlined />}
                disabled={i === draft.sourcePriority.length - 1}
                onClick={() => moveSource(i, 1)}
                aria-label="down"
              />
            </Space>
          ))}
        </Space>
      </Card>
    </Space>
  );
}

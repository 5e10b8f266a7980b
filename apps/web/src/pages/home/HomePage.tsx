import { ROLE_LABELS } from '@forecourt/contracts';
import { Card, Descriptions, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth';
import { Workbench } from '../leads/WorkbenchPage';

/** The welcome card; people who work leads (consultants, DCC agents, managers) get their workbench right below it. */
export function HomePage() {
  const { t, i18n } = useTranslation();
  const { me, can } = useSession();
  if (!me) return null;
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  const card = (
    <Card>
      <Typography.Title level={3} data-testid="welcome">
        {t('home.welcome', { name: me.user.displayName })}
      </Typography.Title>
      <Descriptions column={1} style={{ maxWidth: 640 }}>
        <Descriptions.Item label={t('home.tenant')}>{me.tenant.name}</Descriptions.Item>
        <Descriptions.Item label={t('home.role')}>{ROLE_LABELS[me.user.role][lang]}</Descriptions.Item>
        <Descriptions.Item label={t('home.unit')}>{me.user.orgUnitName}</Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph data-testid="scope-sentence">{t(`home.scope_${me.scope}`, { unit: me.user.orgUnitName })}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('home.next')}</Typography.Paragraph>
    </Card>
  );
  if (!can('leads.work')) return card;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {card}
      <Workbench />
    </Space>
  );
}

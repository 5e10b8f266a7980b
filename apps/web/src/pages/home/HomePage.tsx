import { ROLE_LABELS } from '@forecourt/contracts';
import { Card, Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth';

export function HomePage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  if (!me) return null;
  const lang = i18n.language === 'en' ? 'en' : 'zh';
  return (
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
}

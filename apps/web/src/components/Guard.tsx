import type { Permission } from '@forecourt/contracts';
import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../auth';

/** Renders the page only for users holding `permission`; others get a clear explanation. */
export function Guard({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (can(permission)) return <>{children}</>;
  return (
    <Result
      status="403"
      title={<span data-testid="no-permission">{t('noPermission.title')}</span>}
      subTitle={t('noPermission.body')}
      extra={<Button onClick={() => navigate('/')}>{t('noPermission.back')}</Button>}
    />
  );
}

import { LockOutlined, ShopOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { ApiError, get } from '../../api/client';
import { useSession } from '../../auth';
import { applyLanguage, type Language } from '../../i18n';

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const { me, signIn } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const config = useQuery({ queryKey: ['auth-config'], queryFn: () => get<{ defaultTenant: string | null }>('/api/auth/config') });
  if (me) return <Navigate to="/" replace />;
  if (config.isLoading) return null;
  const tenant = localStorage.getItem('forecourt.tenant') ?? config.data?.defaultTenant ?? '';

  const submit = async (v: { tenant: string; login: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(v.tenant.trim(), v.login.trim(), v.password);
      navigate('/');
    } catch (e) {
      setError(e instanceof ApiError ? e.display : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #e6f0ff 0%, #f5f7fa 60%)',
      }}
    >
      <Card style={{ width: 380 }} styles={{ body: { padding: 32 } }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <Segmented<Language>
            size="small"
            value={i18n.language as Language}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'English', value: 'en' },
            ]}
            onChange={(v) => void applyLanguage(v)}
          />
        </div>
        <Typography.Title level={3} style={{ marginTop: 8, marginBottom: 4 }}>
          {t('app.name')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} initialValues={{ tenant }} requiredMark={false}>
          <Form.Item name="tenant" label={t('login.tenant')} rules={[{ required: true, message: t('login.tenantRequired') }]}>
            <Input prefix={<ShopOutlined />} autoComplete="organization" data-testid="login-tenant" />
          </Form.Item>
          <Form.Item name="login" label={t('login.login')} rules={[{ required: true, message: t('login.loginRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-login" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
